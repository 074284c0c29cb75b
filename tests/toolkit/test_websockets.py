"""``zephyr.websockets.WebSocket``: messages, helpers, state machine and misuse errors."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from zephyr.responses import PlainTextResponse
from zephyr.testclient import TestClient, WebSocketDenialResponse
from zephyr.websockets import (
    WebSocket,
    WebSocketClose,
    WebSocketDisconnect,
    WebSocketState,
)

Endpoint = Callable[[WebSocket], Awaitable[None]]


def ws_app(endpoint: Endpoint) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await endpoint(WebSocket(scope, receive, send))

    return app


def ws_scope(path: str = "/ws", **extra: Any) -> dict[str, Any]:
    scope: dict[str, Any] = {
        "type": "websocket",
        "path": path,
        "root_path": "",
        "scheme": "ws",
        "query_string": b"",
        "headers": [(b"host", b"example.org")],
        "subprotocols": [],
    }
    scope.update(extra)
    return scope


class FakeChannel:
    """Scripted client messages in, recorded app messages out."""

    def __init__(self, *incoming: dict[str, Any], send_error: Exception | None = None) -> None:
        self.incoming = list(incoming)
        self.sent: list[dict[str, Any]] = []
        self.send_error = send_error

    async def receive(self) -> dict[str, Any]:
        return self.incoming.pop(0)

    async def send(self, message: dict[str, Any]) -> None:
        if self.send_error is not None:
            raise self.send_error
        self.sent.append(message)


def run(coro: Awaitable[Any]) -> Any:
    return asyncio.run(asyncio.wait_for(coro, 10))  # type: ignore[arg-type]


# -- through the test client -----------------------------------------------


def test_text_bytes_and_json_round_trips() -> None:
    async def endpoint(ws: WebSocket) -> None:
        await ws.accept()
        await ws.send_text("echo:" + await ws.receive_text())
        await ws.send_bytes(b"echo:" + await ws.receive_bytes())
        await ws.send_json({"got": await ws.receive_json()})
        await ws.send_json({"bin": await ws.receive_json(mode="binary")}, mode="binary")
        await ws.close()

    with TestClient(ws_app(endpoint)).websocket_connect("/ws") as session:
        session.send_text("héllo")
        assert session.receive_text() == "echo:héllo"
        session.send_bytes(b"\x00\xff")
        assert session.receive_bytes() == b"echo:\x00\xff"
        session.send_json({"a": [1, 2]})
        assert session.receive_json() == {"got": {"a": [1, 2]}}
        session.send_json("ü", mode="binary")
        raw = session.receive()
        assert raw == {"type": "websocket.send", "bytes": '{"bin":"ü"}'.encode()}
        assert session.receive() == {"type": "websocket.close", "code": 1000, "reason": ""}


def test_send_json_is_compact_and_utf8() -> None:
    async def endpoint(ws: WebSocket) -> None:
        await ws.accept()
        await ws.send_json({"k": "é", "n": [1, 2]})

    with TestClient(ws_app(endpoint)).websocket_connect("/ws") as session:
        assert session.receive() == {"type": "websocket.send", "text": '{"k":"é","n":[1,2]}'}


def test_connection_views() -> None:
    seen: dict[str, Any] = {}

    async def endpoint(ws: WebSocket) -> None:
        seen.update(
            url=str(ws.url),
            query=dict(ws.query_params),
            header=ws.headers["x-token"],
            cookies=ws.cookies,
            client=ws.client,
            subprotocols=ws.scope["subprotocols"],
        )
        ws.state.user = "bob"
        seen["state"] = ws.scope["state"]["user"]
        await ws.accept(subprotocol="chat", headers=[(b"x-extra", b"1")])
        await ws.close()

    client = TestClient(ws_app(endpoint))
    client.cookies.set("session", "abc")
    with client.websocket_connect(
        "/ws?room=1", subprotocols=["chat", "other"], headers={"X-Token": "t"}
    ) as session:
        assert session.accepted_subprotocol == "chat"
        assert session.extra_headers == [(b"x-extra", b"1")]
    assert seen == {
        "url": "ws://testserver/ws?room=1",
        "query": {"room": "1"},
        "header": "t",
        "cookies": {"session": "abc"},
        "client": ("testclient", 50000),
        "subprotocols": ["chat", "other"],
        "state": "bob",
    }


def test_iterators_stop_at_disconnect() -> None:
    collected: dict[str, list[Any]] = {}

    def collector(kind: str) -> Endpoint:
        async def endpoint(ws: WebSocket) -> None:
            await ws.accept()
            iterator = {"text": ws.iter_text, "bytes": ws.iter_bytes, "json": ws.iter_json}[kind]
            collected[kind] = [item async for item in iterator()]

        return endpoint

    client = TestClient(ws_app(collector("text")))
    with client.websocket_connect("/") as session:
        session.send_text("a")
        session.send_text("b")
    with TestClient(ws_app(collector("bytes"))).websocket_connect("/") as session:
        session.send_bytes(b"x")
    with TestClient(ws_app(collector("json"))).websocket_connect("/") as session:
        session.send_json({"n": 1})
        session.send_json([2])
    assert collected == {"text": ["a", "b"], "bytes": [b"x"], "json": [{"n": 1}, [2]]}


def test_receive_raises_disconnect_with_client_code_and_reason() -> None:
    result: list[Any] = []

    async def endpoint(ws: WebSocket) -> None:
        await ws.accept()
        try:
            await ws.receive_text()
        except WebSocketDisconnect as exc:
            result.append((exc.code, exc.reason, ws.client_state))

    with TestClient(ws_app(endpoint)).websocket_connect("/") as session:
        session.close(4321, "going away")
    assert result == [(4321, "going away", WebSocketState.DISCONNECTED)]


def test_wrong_message_kind_is_a_type_error() -> None:
    errors: list[str] = []

    async def endpoint(ws: WebSocket) -> None:
        await ws.accept()
        for call in (ws.receive_text, ws.receive_bytes):
            try:
                await call()
            except TypeError as exc:
                errors.append(str(exc))
        await ws.close()

    with TestClient(ws_app(endpoint)).websocket_connect("/") as session:
        session.send_bytes(b"1")
        session.send_text("2")
    assert errors == [
        "Expected a text WebSocket message, received a binary one.",
        "Expected a binary WebSocket message, received a text one.",
    ]


def test_invalid_json_raises_value_error_in_the_app() -> None:
    async def endpoint(ws: WebSocket) -> None:
        await ws.accept()
        await ws.receive_json()

    with pytest.raises(ValueError), TestClient(ws_app(endpoint)).websocket_connect("/") as s:
        s.send_text("{not json")
        s.receive()


@pytest.mark.parametrize("call", ["receive_json", "send_json"])
def test_bad_json_mode(call: str) -> None:
    async def endpoint(ws: WebSocket) -> None:
        await ws.accept()
        if call == "receive_json":
            await ws.receive_json(mode="xml")  # type: ignore[arg-type]
        else:
            await ws.send_json({}, mode="xml")  # type: ignore[arg-type]

    with (
        pytest.raises(RuntimeError, match='"mode" argument'),
        TestClient(ws_app(endpoint)).websocket_connect("/") as s,
    ):
        s.receive()


def test_send_denial_response() -> None:
    async def endpoint(ws: WebSocket) -> None:
        response = PlainTextResponse("go away", status_code=401, headers={"x-why": "token"})
        await ws.send_denial_response(response)
        assert ws.application_state is WebSocketState.DISCONNECTED

    with pytest.raises(WebSocketDenialResponse) as info:
        TestClient(ws_app(endpoint)).websocket_connect("/").__enter__()
    denial = info.value
    assert isinstance(denial, WebSocketDisconnect)
    assert (denial.status_code, denial.text, denial.headers["x-why"]) == (401, "go away", "token")
    assert str(denial) == "WebSocket handshake denied with HTTP 401"


def test_close_before_accept_refuses() -> None:
    async def endpoint(ws: WebSocket) -> None:
        await ws.close(code=4403, reason="forbidden")

    with pytest.raises(WebSocketDisconnect) as info:
        TestClient(ws_app(endpoint)).websocket_connect("/").__enter__()
    assert (info.value.code, info.value.reason) == (4403, "forbidden")


def test_websocket_close_app() -> None:
    with pytest.raises(WebSocketDisconnect) as info:
        TestClient(WebSocketClose(4000, "closed")).websocket_connect("/").__enter__()
    assert (info.value.code, info.value.reason) == (4000, "closed")
    assert repr(info.value) == "WebSocketDisconnect(code=4000, reason='closed')"
    assert str(info.value) == "4000: closed"
    assert str(WebSocketDisconnect()) == "1000"


# -- state machine, driven directly --------------------------------------------


def test_states_through_a_conversation() -> None:
    channel = FakeChannel(
        {"type": "websocket.connect"},
        {"type": "websocket.receive", "text": "hi"},
        {"type": "websocket.disconnect", "code": 1001},
    )
    ws = WebSocket(ws_scope(), channel.receive, channel.send)

    async def talk() -> list[Any]:
        states = [(ws.client_state, ws.application_state)]
        await ws.accept()
        states.append((ws.client_state, ws.application_state))
        assert await ws.receive_text() == "hi"
        with pytest.raises(WebSocketDisconnect) as info:
            await ws.receive_text()
        states.append((ws.client_state, info.value.code))
        await ws.close()
        states.append(ws.application_state)
        return states

    assert run(talk()) == [
        (WebSocketState.CONNECTING, WebSocketState.CONNECTING),
        (WebSocketState.CONNECTED, WebSocketState.CONNECTED),
        (WebSocketState.DISCONNECTED, 1001),
        WebSocketState.DISCONNECTED,
    ]
    assert channel.sent == [
        {"type": "websocket.accept", "subprotocol": None, "headers": []},
        {"type": "websocket.close", "code": 1000, "reason": ""},
    ]


def test_receive_json_binary_and_disconnect_without_code() -> None:
    channel = FakeChannel(
        {"type": "websocket.connect"},
        {"type": "websocket.receive", "bytes": b'{"a": 1}'},
        {"type": "websocket.disconnect"},
    )
    ws = WebSocket(ws_scope(), channel.receive, channel.send)

    async def talk() -> Any:
        await ws.accept()
        value = await ws.receive_json(mode="binary")
        with pytest.raises(WebSocketDisconnect) as info:
            await ws.receive_bytes()
        return value, info.value.code

    assert run(talk()) == ({"a": 1}, 1005)


MISUSE = [
    ("send before accept", "send_text", 'Need to call "accept" first'),
    ("bytes before accept", "send_bytes", 'Need to call "accept" first'),
    ("json before accept", "send_json", 'Need to call "accept" first'),
    ("receive before accept", "receive_text", 'Need to call "accept" first'),
]


@pytest.mark.parametrize(("label", "method", "match"), MISUSE)
def test_data_calls_before_accept(label: str, method: str, match: str) -> None:
    channel = FakeChannel({"type": "websocket.connect"})
    ws = WebSocket(ws_scope(), channel.receive, channel.send)
    call = getattr(ws, method)
    with pytest.raises(RuntimeError, match=match):
        run(call(b"x") if method.startswith("send") else call())
    assert channel.sent == []


def test_double_accept_and_send_after_close() -> None:
    channel = FakeChannel({"type": "websocket.connect"})
    ws = WebSocket(ws_scope(), channel.receive, channel.send)

    async def misuse() -> list[str]:
        errors = []
        await ws.accept()
        try:
            await ws.accept()
        except RuntimeError as exc:
            errors.append(str(exc))
        await ws.close()
        for attempt in (ws.send_text("late"), ws.close()):
            try:
                await attempt
            except RuntimeError as exc:
                errors.append(str(exc))
        return errors

    assert run(misuse()) == [
        'Expected ASGI message "websocket.send" or "websocket.close", but got \'websocket.accept\'',
        'Cannot call "send" once a close message has been sent.',
        'Cannot call "send" once a close message has been sent.',
    ]


def test_receive_after_disconnect_and_unexpected_messages() -> None:
    channel = FakeChannel(
        {"type": "websocket.connect"},
        {"type": "websocket.disconnect", "code": 1000},
    )
    ws = WebSocket(ws_scope(), channel.receive, channel.send)
    run(ws.receive())
    run(ws.receive())
    with pytest.raises(RuntimeError, match="once a disconnect message has been received"):
        run(ws.receive())

    bad_first = WebSocket(ws_scope(), FakeChannel({"type": "websocket.receive"}).receive, None)  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match=re.escape('Expected ASGI message "websocket.connect"')):
        run(bad_first.receive())

    bad_next = FakeChannel({"type": "websocket.connect"}, {"type": "http.request"})
    ws = WebSocket(ws_scope(), bad_next.receive, bad_next.send)
    run(ws.receive())
    expected = re.escape('"websocket.receive" or "websocket.disconnect"')
    with pytest.raises(RuntimeError, match=expected):
        run(ws.receive())


def test_unknown_handshake_message_is_refused() -> None:
    channel = FakeChannel()
    ws = WebSocket(ws_scope(), channel.receive, channel.send)
    with pytest.raises(RuntimeError, match=re.escape('"websocket.accept", "websocket.close"')):
        run(ws.send({"type": "websocket.send", "text": "x"}))


def test_denial_needs_the_extension_and_a_pending_handshake() -> None:
    channel = FakeChannel({"type": "websocket.connect"})
    ws = WebSocket(ws_scope(), channel.receive, channel.send)
    with pytest.raises(RuntimeError, match="support the Websocket Denial Response"):
        run(ws.send_denial_response(PlainTextResponse("no", status_code=403)))
    with pytest.raises(RuntimeError, match="support the Websocket Denial Response"):
        run(ws.send({"type": "websocket.http.response.start", "status": 403, "headers": []}))

    scope = ws_scope(extensions={"websocket.http.response": {}})
    accepted = WebSocket(scope, FakeChannel({"type": "websocket.connect"}).receive, channel.send)
    run(accepted.accept())
    with pytest.raises(RuntimeError, match="only be sent before the WebSocket is accepted"):
        run(accepted.send_denial_response(PlainTextResponse("no", status_code=403)))


def test_denial_body_state_checks() -> None:
    channel = FakeChannel()
    ws = WebSocket(
        ws_scope(extensions={"websocket.http.response": {}}), channel.receive, channel.send
    )

    async def deny() -> None:
        await ws.send({"type": "websocket.http.response.start", "status": 403, "headers": []})
        assert ws.application_state is WebSocketState.RESPONSE
        with pytest.raises(RuntimeError, match=re.escape('"websocket.http.response.body"')):
            await ws.send({"type": "websocket.close"})
        await ws.send({"type": "websocket.http.response.body", "body": b"a", "more_body": True})
        assert ws.application_state is WebSocketState.RESPONSE
        await ws.send({"type": "websocket.http.response.body", "body": b"b"})
        assert ws.application_state is WebSocketState.DISCONNECTED

    run(deny())
    assert [m.get("body") for m in channel.sent] == [None, b"a", b"b"]


def test_send_to_a_gone_peer_becomes_disconnect_1006() -> None:
    channel = FakeChannel({"type": "websocket.connect"})
    ws = WebSocket(ws_scope(), channel.receive, channel.send)
    run(ws.accept())
    channel.send_error = ConnectionResetError("peer gone")
    with pytest.raises(WebSocketDisconnect) as info:
        run(ws.send_text("x"))
    assert info.value.code == 1006
    assert ws.application_state is WebSocketState.DISCONNECTED


def test_use_of_a_disconnected_socket_raises_websocket_disconnected() -> None:
    from zephyr.websockets import WebSocketDisconnected

    errors: list[BaseException] = []

    def recording(body: Endpoint) -> Endpoint:
        async def endpoint(ws: WebSocket) -> None:
            try:
                await body(ws)
            except WebSocketDisconnected as exc:
                errors.append(exc)
                raise

        return endpoint

    async def read_before_accept(ws: WebSocket) -> None:
        await ws.receive_text()

    async def close_twice(ws: WebSocket) -> None:
        await ws.accept()
        await ws.close()
        await ws.close()

    async def read_after_disconnect(ws: WebSocket) -> None:
        await ws.accept()
        assert (await ws.receive())["type"] == "websocket.disconnect"
        await ws.receive()

    for body in (read_before_accept, close_twice):
        # The test client re-raises the app's error.
        client = TestClient(ws_app(recording(body)))
        with pytest.raises(WebSocketDisconnected), client.websocket_connect("/"):
            pass
    client = TestClient(ws_app(recording(read_after_disconnect)))
    with pytest.raises(WebSocketDisconnected), client.websocket_connect("/") as session:
        session.close()
    assert len(errors) == 3
    # A programming error, so still the RuntimeError it always was.
    assert all(isinstance(e, RuntimeError) for e in errors)
    assert "accept" in str(errors[0]) and "close" in str(errors[1])
