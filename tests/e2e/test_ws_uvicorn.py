"""zephyr WebSocket apps on uvicorn over real sockets, driven by the ``websockets`` client.

The toolkit speaks plain ASGI, so any ASGI server must do; uvicorn runs in a
thread on a socket the test bound to 127.0.0.1:0.
"""

from __future__ import annotations

import importlib.util
import json
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import pytest
import uvicorn
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from zephyr import Depends, FastAPI, Header, HTTPException, WebSocket

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "chat.py"


def _chat_app() -> Any:
    spec = importlib.util.spec_from_file_location("example_chat_e2e", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["example_chat_e2e"] = module
    spec.loader.exec_module(module)
    return module.app


def require_key(x_key: Annotated[str | None, Header()] = None) -> str:
    if x_key != "secret":
        raise HTTPException(status_code=401, detail="bad key")
    return x_key


def _api_app() -> FastAPI:
    app = FastAPI()

    @app.websocket("/echo")
    async def echo(websocket: WebSocket, key: Annotated[str, Depends(require_key)]) -> None:
        await websocket.accept(
            subprotocol="v1" if "v1" in websocket.scope["subprotocols"] else None
        )
        async for data in websocket.iter_bytes():
            await websocket.send_bytes(data[::-1])

    @app.websocket("/count/{n}")
    async def count(websocket: WebSocket, n: int) -> None:
        await websocket.accept()
        for i in range(n):
            await websocket.send_json({"i": i})
        await websocket.close(code=4000, reason="counted")

    return app


class Served:
    """uvicorn serving ``app`` in a thread on an ephemeral 127.0.0.1 port."""

    def __init__(self, app: Any) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        config = uvicorn.Config(app, ws="websockets-sansio", lifespan="off", log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, args=([self.sock],), daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)

    def url(self, path: str) -> str:
        return f"ws://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(20)
        self.sock.close()


@pytest.fixture(scope="module")
def chat() -> Iterator[Served]:
    served = Served(_chat_app())
    yield served
    served.stop()


@pytest.fixture(scope="module")
def api() -> Iterator[Served]:
    served = Served(_api_app())
    yield served
    served.stop()


def receive_json(ws: Any) -> Any:
    return json.loads(ws.recv(timeout=10))


def test_chat_broadcast_between_two_real_clients(chat: Served) -> None:
    with connect(chat.url("/ws/lobby?name=ann"), open_timeout=10) as ann:
        assert receive_json(ann)["text"] == "ann joined"
        with connect(chat.url("/ws/lobby?name=bob"), open_timeout=10) as bob:
            assert receive_json(bob)["text"] == "bob joined"
            assert receive_json(ann)["text"] == "bob joined"
            bob.send("hello ann")
            expected = {"room": "lobby", "from": "bob", "text": "hello ann"}
            assert receive_json(ann) == expected
            assert receive_json(bob) == expected
        assert receive_json(ann)["text"] == "bob left"


def test_validation_failure_refuses_the_handshake(chat: Served) -> None:
    # A close before accept is answered with HTTP 403 by the server (ASGI spec).
    with pytest.raises(InvalidStatus) as info:
        connect(chat.url("/ws/lobby"), open_timeout=10)
    assert info.value.response.status_code == 403


def test_http_exception_becomes_a_denial_response(api: Served) -> None:
    with pytest.raises(InvalidStatus) as info:
        connect(api.url("/echo"), open_timeout=10)
    assert info.value.response.status_code == 401
    assert json.loads(info.value.response.body or b"") == {"detail": "bad key"}


def test_subprotocol_headers_and_binary_echo(api: Served) -> None:
    with connect(
        api.url("/echo"),
        subprotocols=["v1"],  # type: ignore[list-item]
        additional_headers={"x-key": "secret"},
        open_timeout=10,
    ) as ws:
        assert ws.subprotocol == "v1"
        ws.send(b"\x01\x02\x03")
        assert ws.recv(timeout=10) == b"\x03\x02\x01"


def test_server_close_code_and_reason_reach_the_client(api: Served) -> None:
    with connect(api.url("/count/3"), open_timeout=10) as ws:
        assert [receive_json(ws) for _ in range(3)] == [{"i": 0}, {"i": 1}, {"i": 2}]
        with pytest.raises(ConnectionClosed) as info:
            ws.recv(timeout=10)
    assert info.value.rcvd is not None
    assert (info.value.rcvd.code, info.value.rcvd.reason) == (4000, "counted")


def test_unknown_path_is_refused(api: Served) -> None:
    with pytest.raises(InvalidStatus) as info:
        connect(api.url("/nowhere"), open_timeout=10)
    assert info.value.response.status_code == 403
