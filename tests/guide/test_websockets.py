"""Advanced, WebSockets (and testing WebSockets): accept, echo, params, dependencies, close."""

from typing import Annotated, Any

import pytest

from tests.guide.conftest import openapi
from zephyr import Cookie, Depends, Query, WebSocketException, Zephyr, status
from zephyr.websockets import WebSocket, WebSocketDisconnect

app = Zephyr()

DISCONNECTS: list[int] = []


async def room_token(
    websocket: WebSocket,
    session: Annotated[str | None, Cookie()] = None,
    token: Annotated[str | None, Query()] = None,
) -> str:
    if session is None and token is None:
        raise WebSocketException(code=status.WS_1008_POLICY_VIOLATION)
    return session or token or ""


@app.websocket("/echo")
async def echo(websocket: WebSocket) -> None:
    await websocket.accept()
    while True:
        text = await websocket.receive_text()
        if text == "bye":
            await websocket.close(code=1000)
            return
        await websocket.send_text(f"echo: {text}")


@app.websocket("/rooms/{room}")
async def room(
    websocket: WebSocket, room: str, token: Annotated[str, Depends(room_token)], lines: int = 1
) -> None:
    await websocket.accept()
    try:
        while True:
            data = await websocket.receive_json()
            for _ in range(lines):
                await websocket.send_json({"room": room, "token": token, "data": data})
    except WebSocketDisconnect as exc:
        DISCONNECTS.append(exc.code)


def test_echo(client: Any) -> None:
    with client.websocket_connect("/echo") as ws:
        ws.send_text("hi")
        assert ws.receive_text() == "echo: hi"
        ws.send_text("bye")
        message = ws.receive()
        assert message["type"] == "websocket.close"
        assert message["code"] == 1000


def test_path_query_and_dependency(client: Any) -> None:
    with client.websocket_connect("/rooms/kitchen?token=t1&lines=2") as ws:
        ws.send_json({"n": 1})
        assert ws.receive_json() == {"room": "kitchen", "token": "t1", "data": {"n": 1}}
        assert ws.receive_json() == {"room": "kitchen", "token": "t1", "data": {"n": 1}}
    with client.websocket_connect("/rooms/attic", cookies={"session": "s9"}) as ws:
        ws.send_json([1])
        assert ws.receive_json()["token"] == "s9"


def test_disconnect_seen_by_endpoint(mod: Any, client: Any) -> None:
    mod.DISCONNECTS.clear()
    with client.websocket_connect("/rooms/hall?token=t") as ws:
        ws.send_json({})
        ws.receive_json()
    assert mod.DISCONNECTS == [1000]


def test_policy_violation_closes(client: Any, framework: str) -> None:
    disconnect = pytest.importorskip(f"{framework}.websockets").WebSocketDisconnect
    with pytest.raises(disconnect) as info, client.websocket_connect("/rooms/x"):
        pass  # pragma: no cover - the handshake is refused
    assert info.value.code == 1008


@app.websocket("/countdown")
async def countdown(websocket: WebSocket, start: Annotated[int, Query(gt=0, le=5)]) -> None:
    await websocket.accept(subprotocol="count.v1")
    for n in range(start, 0, -1):
        await websocket.send_bytes(str(n).encode())
    await websocket.close(code=4000, reason="lift-off")


def test_query_validation_and_subprotocol(client: Any, framework: str) -> None:
    with client.websocket_connect("/countdown?start=2", subprotocols=["count.v1"]) as ws:
        assert ws.accepted_subprotocol == "count.v1"
        assert [ws.receive_bytes(), ws.receive_bytes()] == [b"2", b"1"]
        closing = ws.receive()
        assert (closing["code"], closing["reason"]) == (4000, "lift-off")
    disconnect = pytest.importorskip(f"{framework}.websockets").WebSocketDisconnect
    with pytest.raises(disconnect) as info, client.websocket_connect("/countdown?start=9"):
        pass  # pragma: no cover - refused before accept
    assert info.value.code == 1008
    # The reason carries the validation errors (a JSON text on zephyr, as the wire needs).
    assert "less_than_equal" in str(info.value.reason)


class ConnectionManager:
    """Keeps the open chat sockets to broadcast to them."""

    def __init__(self) -> None:
        self.active: list[WebSocket] = []

    async def connect(self, websocket: WebSocket) -> None:
        await websocket.accept()
        self.active.append(websocket)

    def disconnect(self, websocket: WebSocket) -> None:
        self.active.remove(websocket)

    async def broadcast(self, message: str) -> None:
        for connection in self.active:
            await connection.send_text(message)


manager = ConnectionManager()


@app.websocket("/chat/{client_id}")
async def chat(websocket: WebSocket, client_id: int) -> None:
    await manager.connect(websocket)
    try:
        while True:
            text = await websocket.receive_text()
            await websocket.send_text(f"you wrote: {text}")
            await manager.broadcast(f"#{client_id} says: {text}")
    except WebSocketDisconnect:
        manager.disconnect(websocket)
        await manager.broadcast(f"#{client_id} left")


def test_broadcast_to_several_clients(mod: Any, make_client: Any) -> None:
    # One client (one event loop) for both sockets, as the broadcast crosses them.
    with make_client(mod.app) as client, client.websocket_connect("/chat/1") as one:
        with client.websocket_connect("/chat/2") as two:
            two.send_text("hello")
            assert two.receive_text() == "you wrote: hello"
            assert two.receive_text() == "#2 says: hello"
            assert one.receive_text() == "#2 says: hello"
        assert one.receive_text() == "#2 left"
    assert mod.manager.active == []


def test_websockets_not_in_openapi(client: Any) -> None:
    assert openapi(client)["paths"] == {}
