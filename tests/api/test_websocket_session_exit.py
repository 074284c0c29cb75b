"""Leaving a test client's WebSocket session never cuts a ``yield`` dependency's cleanup short.

Leaving the session cancels an app that does not take the disconnect. An
endpoint that returned without reading it is in that case too, while its
dependencies' cleanup (which may await, or wait for a worker) still runs: that
cleanup is shielded, so the cancel lands only once it is done. An endpoint
still blocked is cancelled, and its dependencies' cleanup then runs whole.
"""

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any

import pytest

from tests._threads import within
from zephyr import Depends, WebSocket, WebSocketDisconnect, Zephyr
from zephyr.testclient import TestClient

# Long enough that the session is left (and the app cancelled) while it runs.
CLEANUP_SECONDS = 0.1


def resources(seen: list[str]) -> tuple[Any, Any]:
    """An async ``yield`` dependency and a sync one on top of it; both clean up slowly."""

    async def connection() -> AsyncIterator[str]:
        yield "connection"
        await asyncio.sleep(CLEANUP_SECONDS)
        seen.append("connection closed")

    def session(conn: Annotated[str, Depends(connection)]) -> Iterator[str]:
        yield f"session on {conn}"
        time.sleep(CLEANUP_SECONDS)
        seen.append("session closed")

    return connection, session


@pytest.mark.parametrize("scope", ["function", "request"])
def test_cleanup_after_the_endpoint_returned_runs_to_its_end(scope: Any) -> None:
    seen: list[str] = []
    _, session = resources(seen)
    app = Zephyr()

    @app.websocket("/")
    async def endpoint(ws: WebSocket, value: Annotated[str, Depends(session, scope=scope)]) -> None:
        await ws.accept()
        await ws.send_text(value)
        # Returns without reading the disconnect: leaving the session cancels it.

    def body() -> None:
        with TestClient(app).websocket_connect("/") as ws:
            assert ws.receive_text() == "session on connection"

    within(5, body)
    assert seen == ["session closed", "connection closed"]


def test_blocked_endpoint_is_cancelled_and_its_cleanup_runs_whole() -> None:
    seen: list[str] = []

    async def resource() -> AsyncIterator[None]:
        try:
            yield
        finally:
            await asyncio.sleep(CLEANUP_SECONDS)
            seen.append("released")

    app = Zephyr()

    @app.websocket("/")
    async def endpoint(ws: WebSocket, _: Annotated[None, Depends(resource)]) -> None:
        await ws.accept()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            seen.append("cancelled")
            raise

    def body() -> None:
        with TestClient(app).websocket_connect("/"):
            pass

    within(5, body)
    assert seen == ["cancelled", "released"]


def test_endpoint_that_took_the_disconnect_finishes_then_cleans_up() -> None:
    seen: list[Any] = []
    connection, _ = resources(seen)
    app = Zephyr()

    @app.websocket("/")
    async def endpoint(ws: WebSocket, _: Annotated[str, Depends(connection)]) -> None:
        await ws.accept()
        try:
            await ws.receive_text()
        except WebSocketDisconnect as exc:
            seen.append(exc.code)
            await asyncio.sleep(CLEANUP_SECONDS)  # Its own cleanup is not cancelled.
            seen.append("endpoint done")

    def body() -> None:
        with TestClient(app).websocket_connect("/"):
            pass

    within(5, body)
    assert seen == [1000, "endpoint done", "connection closed"]
