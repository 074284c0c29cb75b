"""One toolkit-level WebSocket app source on starlette and on zephyr: same observations."""

from __future__ import annotations

import types
import warnings
from collections.abc import Callable
from typing import Any

import pytest

SOURCE = """
from starlette.applications import Starlette
from starlette.endpoints import WebSocketEndpoint
from starlette.exceptions import HTTPException, WebSocketException
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Router, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

log = []


async def echo(websocket):
    await websocket.accept(subprotocol="chat")
    await websocket.send_json({"path": websocket.path_params, "q": dict(websocket.query_params)})
    async for message in websocket.iter_json():
        await websocket.send_json(message, mode="binary")
    log.append("echo-done")


async def refuse(websocket):
    raise WebSocketException(code=4401, reason="who are you")


async def deny(websocket):
    raise HTTPException(status_code=418, detail="teapot")


async def deny_direct(websocket):
    await websocket.send_denial_response(PlainTextResponse("nope", status_code=403))


async def close_codes(websocket):
    await websocket.accept()
    try:
        await websocket.receive_bytes()
    except WebSocketDisconnect as exc:
        log.append(("client-code", exc.code))


class Json(WebSocketEndpoint):
    encoding = "json"

    async def on_receive(self, websocket, data):
        await websocket.send_text(str(sorted(data)))

    async def on_disconnect(self, websocket, close_code):
        log.append(("endpoint-closed", close_code))


app = Starlette(
    routes=[
        WebSocketRoute("/echo/{room}", echo),
        WebSocketRoute("/refuse", refuse),
        WebSocketRoute("/deny", deny),
        WebSocketRoute("/deny-direct", deny_direct),
        WebSocketRoute("/codes", close_codes),
        Mount("/sub", routes=[WebSocketRoute("/json", Json)]),
    ]
)
"""

SWAPS = {
    "starlette.applications import Starlette": "zephyr._app import BaseApp as Starlette",
    "from starlette.": "from zephyr.",
}


def build(package: str) -> tuple[types.ModuleType, Any]:
    source = SOURCE
    if package == "zephyr":
        for old, new in SWAPS.items():
            source = source.replace(old, new)
    module = types.ModuleType(f"ws_toolkit_{package}")
    exec(compile(source, f"<{package}>", "exec"), module.__dict__)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if package == "starlette":
            from starlette.testclient import TestClient
        else:
            from zephyr.testclient import TestClient  # type: ignore[assignment]
    return module, TestClient(module.app)


def observe(package: str, scenario: Callable[[Any], Any]) -> tuple[Any, list[Any]]:
    module, client = build(package)
    try:
        seen = scenario(client)
    except Exception as exc:
        status = getattr(exc, "status_code", None)
        if status is not None:
            seen = ("denied", status, exc.content)  # type: ignore[attr-defined]
        else:
            seen = ("closed", getattr(exc, "code", None), getattr(exc, "reason", None))
    return seen, list(module.log)


def talk_echo(client: Any) -> Any:
    with client.websocket_connect("/echo/r1?x=1", subprotocols=["chat", "x"]) as ws:
        first = ws.receive_json()
        ws.send_json({"n": [1, 2]})
        second = ws.receive_json(mode="binary")
        return ws.accepted_subprotocol, first, second


def talk_codes(client: Any) -> Any:
    with client.websocket_connect("/codes") as ws:
        ws.close(4999)
    return "ok"


def talk_json(client: Any) -> Any:
    with client.websocket_connect("/sub/json") as ws:
        ws.send_json({"b": 1, "a": 2})
        return ws.receive_text()


def talk_bad_json(client: Any) -> Any:
    with client.websocket_connect("/sub/json") as ws:
        ws.send_text("{broken")
        return ws.receive()


def handshake(path: str) -> Callable[[Any], Any]:
    def scenario(client: Any) -> Any:
        with client.websocket_connect(path) as ws:
            return ws.receive()

    return scenario


SCENARIOS: dict[str, Callable[[Any], Any]] = {
    "echo with subprotocol, params, json modes": talk_echo,
    "client close code reaches the app": talk_codes,
    "endpoint class under a mount": talk_json,
    "websocket exception": handshake("/refuse"),
    "http exception before accept": handshake("/deny"),
    "explicit denial response": handshake("/deny-direct"),
    "unknown path": handshake("/nowhere"),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_same_observations_as_starlette(name: str) -> None:
    scenario = SCENARIOS[name]
    assert observe("zephyr", scenario) == observe("starlette", scenario)


def test_bad_json_in_endpoint_class() -> None:
    # Both close with 1003 and raise the endpoint's RuntimeError in the test.
    for package in ("zephyr", "starlette"):
        module, client = build(package)
        with pytest.raises(RuntimeError, match="Malformed JSON"):
            talk_bad_json(client)
        assert module.log == [("endpoint-closed", 1011)]
