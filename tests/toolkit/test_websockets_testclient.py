"""``TestClient.websocket_connect``: handshake outcomes, app endings, errors, scope."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from zephyr._app import BaseApp
from zephyr.routing import WebSocketRoute
from zephyr.testclient import TestClient, WebSocketDenialResponse
from zephyr.websockets import WebSocket, WebSocketDisconnect


def session_app(endpoint: Any) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await endpoint(WebSocket(scope, receive, send))

    return app


def test_app_returning_without_accepting_reads_as_1006() -> None:
    async def endpoint(ws: WebSocket) -> None:
        return None

    with pytest.raises(WebSocketDisconnect) as info:
        TestClient(session_app(endpoint)).websocket_connect("/").__enter__()
    assert info.value.code == 1006
    assert "without accepting" in info.value.reason


def test_app_returning_after_accept_reads_as_close_1000_every_time() -> None:
    async def endpoint(ws: WebSocket) -> None:
        await ws.accept()
        await ws.send_text("bye")

    with TestClient(session_app(endpoint)).websocket_connect("/") as session:
        assert session.receive_text() == "bye"
        assert session.receive() == {"type": "websocket.close", "code": 1000, "reason": ""}
        with pytest.raises(WebSocketDisconnect) as info:
            session.receive_text()
        assert info.value.code == 1000


def test_app_error_after_accept_is_raised_in_the_test() -> None:
    async def endpoint(ws: WebSocket) -> None:
        await ws.accept()
        await ws.receive_text()
        raise LookupError("app failed")

    with (
        pytest.raises(LookupError, match="app failed"),
        TestClient(session_app(endpoint)).websocket_connect("/") as session,
    ):
        session.send_text("x")
        session.receive()


def test_app_error_is_raised_on_exit_if_not_seen() -> None:
    async def endpoint(ws: WebSocket) -> None:
        await ws.accept()
        await ws.receive()
        raise LookupError("late")

    with (
        pytest.raises(LookupError, match="late"),
        TestClient(session_app(endpoint)).websocket_connect("/"),
    ):
        pass


def test_app_error_reads_as_1011_without_raise_server_exceptions() -> None:
    async def endpoint(ws: WebSocket) -> None:
        await ws.accept()
        raise LookupError("hidden")

    client = TestClient(session_app(endpoint), raise_server_exceptions=False)
    with client.websocket_connect("/") as session:
        assert session.receive() == {"type": "websocket.close", "code": 1011, "reason": ""}


def test_error_in_the_test_body_is_not_masked_by_the_app() -> None:
    async def endpoint(ws: WebSocket) -> None:
        await ws.accept()
        await ws.receive()
        raise LookupError("app")

    with (
        pytest.raises(AssertionError, match="test body"),
        TestClient(session_app(endpoint)).websocket_connect("/"),
    ):
        raise AssertionError("test body")


def test_app_sending_after_the_client_left_gets_disconnect_1006() -> None:
    outcome: list[Any] = []

    async def endpoint(ws: WebSocket) -> None:
        await ws.accept()
        message = await ws.receive()
        outcome.append(message["code"])
        try:
            await ws.send_text("anyone?")
        except WebSocketDisconnect as exc:
            outcome.append(exc.code)

    with TestClient(session_app(endpoint)).websocket_connect("/") as session:
        session.close(1001)
    assert outcome == [1001, 1006]


def test_denial_body_in_chunks() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        headers = [(b"content-type", b"text/plain")]
        await send({"type": "websocket.http.response.start", "status": 429, "headers": headers})
        await send({"type": "websocket.http.response.body", "body": b"slow ", "more_body": True})
        await send({"type": "websocket.http.response.body", "body": b"down"})

    with pytest.raises(WebSocketDenialResponse) as info:
        TestClient(app).websocket_connect("/").__enter__()
    assert (info.value.status_code, info.value.content) == (429, b"slow down")


def test_unexpected_handshake_message() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.send", "text": "too early"})

    with pytest.raises(RuntimeError, match="Unexpected ASGI message during the handshake"):
        TestClient(app).websocket_connect("/").__enter__()


def test_scope_shape() -> None:
    scopes: list[Any] = []

    async def endpoint(ws: WebSocket) -> None:
        scopes.append(ws.scope)
        await ws.close()

    client = TestClient(session_app(endpoint), root_path="/api", headers={"x-default": "1"})
    for url in ("wss://example.org:8443/api/chat?x=1", "https://example.org/api/chat"):
        with pytest.raises(WebSocketDisconnect):
            client.websocket_connect(url, subprotocols=["a", "b"]).__enter__()
    first, second = scopes
    headers = dict(first["headers"])
    assert first["type"] == "websocket"
    assert (first["scheme"], first["server"], first["root_path"]) == (
        "wss",
        ["example.org", 8443],
        "/api",
    )
    assert (first["path"], first["query_string"]) == ("/api/chat", b"x=1")
    assert first["subprotocols"] == ["a", "b"]
    assert headers[b"sec-websocket-protocol"] == b"a, b"
    assert headers[b"connection"] == b"upgrade" and b"upgrade" not in headers  # as Starlette's
    assert headers[b"x-default"] == b"1"
    assert first["extensions"] == {"websocket.http.response": {}}
    assert "method" not in first
    assert second["scheme"] == "wss" and second["server"] == ["example.org", 443]


def test_session_runs_on_the_lifespan_portal_with_its_state() -> None:
    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[dict[str, Any]]:
        yield {"greeting": "hello", "loop": asyncio.get_running_loop()}

    async def endpoint(ws: WebSocket) -> None:
        await ws.accept()
        same_loop = ws.state.loop is asyncio.get_running_loop()
        await ws.send_json({"greeting": ws.state.greeting, "same_loop": same_loop})

    app = BaseApp(routes=[WebSocketRoute("/ws", endpoint)], lifespan=lifespan)
    with TestClient(app) as client, client.websocket_connect("/ws") as session:
        assert session.receive_json() == {"greeting": "hello", "same_loop": True}


def test_receive_helpers_check_the_message_kind() -> None:
    async def endpoint(ws: WebSocket) -> None:
        await ws.accept()
        await ws.send_bytes(b'{"a": 1}')
        await ws.send_text("text")
        await ws.send_bytes(b"\x01")

    with TestClient(session_app(endpoint)).websocket_connect("/") as session:
        assert session.receive_json(mode="binary") == {"a": 1}
        with pytest.raises(TypeError, match="binary message"):
            session.receive_bytes()
        with pytest.raises(TypeError, match="text message"):
            session.receive_text()
