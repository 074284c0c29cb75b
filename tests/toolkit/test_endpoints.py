"""Class-based endpoints: ``HTTPEndpoint`` and ``WebSocketEndpoint``."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from zephyr._app import BaseApp
from zephyr.endpoints import HTTPEndpoint, WebSocketEndpoint
from zephyr.requests import Request
from zephyr.responses import PlainTextResponse, Response
from zephyr.routing import Route, Router, WebSocketRoute
from zephyr.testclient import TestClient
from zephyr.websockets import WebSocket, WebSocketDisconnect


class Items(HTTPEndpoint):
    async def get(self, request: Request) -> Response:
        return PlainTextResponse(f"get {request.path_params.get('id', '-')}")

    def post(self, request: Request) -> Response:  # sync: runs in the thread pool
        return PlainTextResponse("post", status_code=201)


def test_http_endpoint_dispatches_by_method() -> None:
    client = TestClient(Router([Route("/items/{id}", Items)]))
    assert client.get("/items/3").text == "get 3"
    created = client.post("/items/3")
    assert (created.status_code, created.text) == (201, "post")
    head = client.head("/items/3")
    assert (head.status_code, head.content) == (200, b"")


def test_http_endpoint_405_lists_allowed_methods() -> None:
    plain = TestClient(Router([Route("/items", Items)])).delete("/items")
    assert (plain.status_code, plain.text) == (405, "Method Not Allowed")
    assert plain.headers["allow"] == "GET, HEAD, POST"
    # Inside an application it is an HTTPException, so handlers apply.
    in_app = TestClient(BaseApp(routes=[Route("/items", Items)])).put("/items")
    assert (in_app.status_code, in_app.headers["allow"]) == (405, "GET, HEAD, POST")


class Recorder(WebSocketEndpoint):
    events: list[Any] = []

    async def on_connect(self, websocket: WebSocket) -> None:
        self.events.append("connect")
        await websocket.accept()

    async def on_receive(self, websocket: WebSocket, data: Any) -> None:
        self.events.append(data)
        await websocket.send_text(f"got {data!r}")

    async def on_disconnect(self, websocket: WebSocket, close_code: int) -> None:
        self.events.append(("disconnect", close_code))


def make(encoding: str | None) -> type[Recorder]:
    return type(f"Recorder_{encoding}", (Recorder,), {"encoding": encoding, "events": []})


@pytest.mark.parametrize(
    ("encoding", "send", "expected"),
    [
        ("text", ("send_text", "hi"), "hi"),
        ("bytes", ("send_bytes", b"\x01"), b"\x01"),
        ("json", ("send_json", {"a": 1}), {"a": 1}),
        (None, ("send_bytes", b"raw"), b"raw"),
        (None, ("send_text", "raw"), "raw"),
    ],
)
def test_websocket_endpoint_encodings(encoding: str | None, send: Any, expected: Any) -> None:
    endpoint = make(encoding)
    client = TestClient(Router([WebSocketRoute("/ws", endpoint)]))
    with client.websocket_connect("/ws") as session:
        getattr(session, send[0])(send[1])
        assert session.receive_text() == f"got {expected!r}"
        session.close(1001)
    assert endpoint.events == ["connect", expected, ("disconnect", 1001)]


def test_json_encoding_accepts_binary_frames() -> None:
    endpoint = make("json")
    with TestClient(WebSocketRoute("/ws", endpoint)).websocket_connect("/ws") as session:
        session.send_json([1], mode="binary")
        assert session.receive_text() == "got [1]"


@pytest.mark.parametrize(
    ("encoding", "method", "payload", "message"),
    [
        ("text", "send_bytes", b"x", "Expected text websocket messages, but got bytes"),
        ("bytes", "send_text", "x", "Expected bytes websocket messages, but got text"),
        ("json", "send_text", "{bad", "Malformed JSON data received."),
        ("json", "send_bytes", b"\xff", "Malformed JSON data received."),
    ],
)
def test_wrong_data_closes_1003_and_raises(
    encoding: str, method: str, payload: Any, message: str
) -> None:
    endpoint = make(encoding)
    client = TestClient(WebSocketRoute("/ws", endpoint))
    with pytest.raises(RuntimeError, match=message), client.websocket_connect("/ws") as session:
        getattr(session, method)(payload)
        assert session.receive() == {"type": "websocket.close", "code": 1003, "reason": ""}
        session.receive()
    assert endpoint.events == ["connect", ("disconnect", 1011)]


def test_refusing_in_on_connect_skips_the_loop() -> None:
    class Refuse(WebSocketEndpoint):
        async def on_connect(self, websocket: WebSocket) -> None:
            await websocket.close(4403)

        async def on_disconnect(self, websocket: WebSocket, close_code: int) -> None:
            raise AssertionError("not connected, so no disconnect callback")  # pragma: no cover

    with pytest.raises(WebSocketDisconnect) as info:
        TestClient(WebSocketRoute("/ws", Refuse)).websocket_connect("/ws").__enter__()
    assert info.value.code == 4403


def test_default_callbacks_accept_and_ignore() -> None:
    # Driven over raw ASGI channels so the test sees every message the
    # endpoint sends: one accept, nothing in answer to the data, and a clean
    # return once the peer has gone.
    incoming: list[dict[str, Any]] = [
        {"type": "websocket.connect"},
        {"type": "websocket.receive", "text": "ignored"},
        {"type": "websocket.receive", "bytes": b"ignored too"},
        {"type": "websocket.disconnect", "code": 1001},
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(dict(message))

    scope = {"type": "websocket", "path": "/ws", "headers": [], "subprotocols": []}
    anyio.run(lambda: WebSocketEndpoint(scope, receive, send).dispatch())
    assert [m["type"] for m in sent] == ["websocket.accept"]
    assert incoming == []


def test_only_http_verbs_dispatch_and_query_is_one() -> None:
    from zephyr.endpoints import HTTPEndpoint
    from zephyr.responses import PlainTextResponse as Text
    from zephyr.routing import Route, Router
    from zephyr.testclient import TestClient as Client

    class Endpoint(HTTPEndpoint):
        async def get(self, request: Any) -> Any:
            await request.send_early_hints("</a.css>; rel=preload")  # the endpoint can send
            return Text("got")

        async def query(self, request: Any) -> Any:
            return Text("queried " + (await request.body()).decode())

        async def _helper(self, request: Any) -> Any:
            return Text("private")

    client = Client(Router([Route("/", Endpoint)]))
    assert client.request("QUERY", "/", content=b"x").text == "queried x"
    refused = client.request("_HELPER", "/")
    assert refused.status_code == 405 and refused.headers["allow"] == "GET, HEAD, QUERY"
    assert client.get("/").text == "got"


def test_uuid_convertor_takes_undashed_hex() -> None:
    import uuid

    from zephyr.convertors import UUIDConvertor

    convertor = UUIDConvertor()
    import re

    for text in ("00000000-aaaa-ffff-9999-000000000000", "00000000AAAAFFFF9999000000000000"):
        assert re.fullmatch(convertor.regex, text)
        assert convertor.convert(text) == uuid.UUID("00000000-aaaa-ffff-9999-000000000000")
    assert not re.fullmatch(convertor.regex, "not-a-uuid")
