"""Leaving a ``websocket_connect`` block: disconnect a receiving app, cancel a blocked one.

Yield-dependency cleanup under that cancel: tests/api/test_websocket_session_exit.py.
"""

from __future__ import annotations

import asyncio
from typing import Any

import anyio
import pytest

from tests._threads import within
from zephyr.testclient import TestClient
from zephyr.websockets import WebSocket, WebSocketDisconnect


def session_app(endpoint: Any) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await receive()
            await send({"type": "lifespan.startup.complete"})
            await receive()
            await send({"type": "lifespan.shutdown.complete"})
            return
        await endpoint(WebSocket(scope, receive, send))

    return app


def test_app_blocked_on_an_event_is_cancelled_when_the_block_ends() -> None:
    seen: list[str] = []

    async def endpoint(ws: WebSocket) -> None:
        await ws.accept()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            seen.append("cancelled")
            raise

    def body() -> None:
        with TestClient(session_app(endpoint)).websocket_connect("/"):
            pass

    within(5, body)
    assert seen == ["cancelled"]


def test_blocked_app_is_cancelled_with_a_shared_client_portal_too() -> None:
    seen: list[str] = []

    async def endpoint(ws: WebSocket) -> None:
        await ws.accept()
        await ws.send_text("ready")
        try:
            await asyncio.sleep(3600)
        finally:
            seen.append("unwound")

    def body() -> None:
        with TestClient(session_app(endpoint)) as client:
            with client.websocket_connect("/") as session:
                assert session.receive_text() == "ready"
            # The client (and its loop) stays usable for the next session.
            with client.websocket_connect("/") as session:
                assert session.receive_text() == "ready"

    within(5, body)
    assert seen == ["unwound", "unwound"]


def test_receiving_app_gets_the_disconnect_and_finishes_its_cleanup() -> None:
    seen: list[Any] = []

    async def endpoint(ws: WebSocket) -> None:
        await ws.accept()
        try:
            await ws.receive_text()
        except WebSocketDisconnect as exc:
            seen.append(exc.code)
            # Asynchronous cleanup after the disconnect is not cut short.
            await asyncio.sleep(0.05)
            seen.append("cleaned up")

    def body() -> None:
        with TestClient(session_app(endpoint)).websocket_connect("/"):
            pass

    within(5, body)
    assert seen == [1000, "cleaned up"]


def test_app_ignoring_the_disconnect_and_receiving_again_is_cancelled() -> None:
    seen: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        try:
            while True:
                seen.append((await receive())["type"])
        except asyncio.CancelledError:
            seen.append("cancelled")
            raise

    def body() -> None:
        with TestClient(app).websocket_connect("/"):
            pass

    within(5, body)
    assert seen == ["websocket.disconnect", "cancelled"]


def test_app_receiving_again_after_its_cleanup_is_cancelled() -> None:
    seen: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        seen.append((await receive())["type"])
        await asyncio.sleep(0.01)  # Its cleanup, past the check made on leaving.
        try:
            # Nothing comes after the disconnect: this would wait forever.
            await receive()
        except asyncio.CancelledError:
            seen.append("cancelled")
            raise

    def body() -> None:
        with TestClient(app).websocket_connect("/"):
            pass

    within(5, body)
    assert seen == ["websocket.disconnect", "cancelled"]


def test_shielded_work_under_way_finishes_before_the_cancel_lands() -> None:
    seen: list[str] = []

    async def endpoint(ws: WebSocket) -> None:
        await ws.accept()
        await ws.send_text("ready")
        # Work that shields itself (as a framework's cleanup does) is not cut
        # short; the cancel lands at the next await outside the shield.
        with anyio.CancelScope(shield=True):
            await asyncio.sleep(0.1)
            seen.append("finished")
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            seen.append("cancelled")
            raise

    def body() -> None:
        with TestClient(session_app(endpoint)).websocket_connect("/") as session:
            assert session.receive_text() == "ready"

    within(5, body)
    assert seen == ["finished", "cancelled"]


def test_cancelled_app_reads_as_a_normal_close() -> None:
    async def endpoint(ws: WebSocket) -> None:
        await ws.accept()
        await ws.send_text("ready")
        await asyncio.Event().wait()

    def body() -> None:
        client = TestClient(session_app(endpoint), raise_server_exceptions=True)
        with client.websocket_connect("/") as session:
            assert session.receive_text() == "ready"

    within(5, body)  # no CancelledError reaches the test


def test_app_with_unread_messages_is_cancelled() -> None:
    seen: list[str] = []

    async def endpoint(ws: WebSocket) -> None:
        await ws.accept()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            seen.append("cancelled")
            raise

    def body() -> None:
        with TestClient(session_app(endpoint)).websocket_connect("/") as session:
            session.send_text("never read")

    within(5, body)
    assert seen == ["cancelled"]


def test_error_raised_while_being_cancelled_reaches_the_test() -> None:
    async def endpoint(ws: WebSocket) -> None:
        await ws.accept()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            raise LookupError("cleanup failed") from None

    def body() -> None:
        with TestClient(session_app(endpoint)).websocket_connect("/"):
            pass

    with pytest.raises(LookupError, match="cleanup failed"):
        within(5, body)


def test_error_in_the_test_body_propagates_past_a_blocked_app() -> None:
    seen: list[str] = []

    async def endpoint(ws: WebSocket) -> None:
        await ws.accept()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            seen.append("cancelled")
            raise

    def body() -> None:
        with TestClient(session_app(endpoint)).websocket_connect("/"):
            raise KeyError("test failed")

    with pytest.raises(KeyError, match="test failed"):
        within(5, body)
    assert seen == ["cancelled"]
