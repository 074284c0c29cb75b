"""One WebSocket app source on fastapi and on zephyr: same scenarios, same observations."""

from __future__ import annotations

import json
import types
from collections.abc import Callable
from typing import Any

import pytest

from tests.api.conftest import load_app

SOURCE = """
from typing import Annotated

from fastapi import (
    APIRouter, Cookie, Depends, FastAPI, Header, HTTPException, Query, Security, WebSocket,
    WebSocketDisconnect, WebSocketException,
)

log = []
app = FastAPI()


async def session(token: Annotated[str | None, Query()] = None):
    log.append("session-start")
    yield token or "anon"
    log.append("session-end")


def require_key(x_key: Annotated[str | None, Header()] = None):
    if x_key != "secret":
        raise HTTPException(status_code=401, detail="bad key")
    return x_key


def forbid():
    raise WebSocketException(code=4003, reason="forbidden")


def scoped(scopes_seen: Annotated[str, Depends(lambda: "ok")]):
    return scopes_seen


@app.websocket("/items/{item_id}")
async def items(
    websocket: WebSocket,
    item_id: int,
    q: int,
    user: Annotated[str, Depends(session)],
    x_trace: Annotated[str | None, Header()] = None,
    flavour: Annotated[str | None, Cookie()] = None,
    tags: Annotated[list[str], Query()] = [],
):
    await websocket.accept()
    await websocket.send_json(
        {"item_id": item_id, "q": q, "user": user, "trace": x_trace, "flavour": flavour,
         "tags": tags}
    )
    async for text in websocket.iter_text():
        await websocket.send_text(text.upper())
    log.append("endpoint-end")


@app.websocket("/keyed", dependencies=[Depends(require_key)])
async def keyed(websocket: WebSocket):
    await websocket.accept()
    await websocket.send_text("welcome")
    await websocket.close(code=4000, reason="done")


@app.websocket("/forbidden")
async def forbidden(websocket: WebSocket, _: Annotated[None, Depends(forbid)]):
    await websocket.accept()


@app.websocket("/secure")
async def secure(websocket: WebSocket, value: Annotated[str, Security(scoped, scopes=["a"])]):
    await websocket.accept()
    await websocket.send_text(value)
    await websocket.close()


router = APIRouter(prefix="/chat", dependencies=[Depends(session)])


@router.websocket("/{room}")
async def room(websocket: WebSocket, room: str):
    await websocket.accept()
    data = await websocket.receive_json()
    await websocket.send_json({"room": room, "echo": data})
    try:
        await websocket.receive_text()
    except WebSocketDisconnect as exc:
        log.append(f"client-left-{exc.code}")


app.include_router(router, prefix="/v1")
"""


def build(package: str) -> tuple[types.ModuleType, Any]:
    module = load_app(SOURCE, package, f"ws_app_{package}")
    if package == "fastapi":
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from fastapi.testclient import TestClient
    else:
        from zephyr.testclient import TestClient  # type: ignore[assignment]
    return module, TestClient(module.app)


def observe(package: str, scenario: Callable[[Any], Any]) -> tuple[Any, list[str]]:
    """Run ``scenario(client)``; return what it saw (or how it failed) and the app's log."""
    module, client = build(package)
    try:
        seen = scenario(client)
    except Exception as exc:
        seen = failure(exc)
    return seen, list(module.log)


def failure(exc: Exception) -> Any:
    status = getattr(exc, "status_code", None)
    if status is not None:
        return ("denied", status, exc.content)  # type: ignore[attr-defined]
    code = getattr(exc, "code", None)
    if code is not None:
        reason = exc.reason  # type: ignore[attr-defined]
        if isinstance(reason, list):
            # FastAPI's test client passes the error list through as is; on the
            # wire a reason is text of at most 123 bytes, which zephyr sends.
            text = json.dumps(reason, separators=(",", ":"))
            reason = text.encode()[:123].decode("utf-8", "ignore")
        return ("closed", code, reason)
    return ("error", type(exc).__name__)


def talk_items(client: Any) -> Any:
    client.cookies.set("flavour", "mint")
    url = "/items/7?q=3&token=tk&tags=a&tags=b"
    with client.websocket_connect(url, headers={"x-trace": "t1"}) as ws:
        first = ws.receive_json()
        ws.send_text("hello")
        second = ws.receive_text()
    return first, second


def connect_only(url: str, **kwargs: Any) -> Callable[[Any], Any]:
    def scenario(client: Any) -> Any:
        with client.websocket_connect(url, **kwargs) as ws:
            return [ws.receive(), ws.receive()]

    return scenario


def talk_room(client: Any) -> Any:
    with client.websocket_connect("/v1/chat/lobby?token=z") as ws:
        ws.send_json({"msg": "hi"})
        reply = ws.receive_json()
        ws.close(1001)
    return reply


SCENARIOS: dict[str, Callable[[Any], Any]] = {
    "params, iter_text, yield teardown": talk_items,
    "validation: missing query": connect_only("/items/7"),
    "validation: bad path": connect_only("/items/x?q=1"),
    "http exception before accept": connect_only("/keyed"),
    "dependency ok, app closes with code": connect_only("/keyed", headers={"x-key": "secret"}),
    "websocket exception in dependency": connect_only("/forbidden"),
    "security dependency": connect_only("/secure"),
    "included router with prefix and deps": talk_room,
    "unknown path": connect_only("/nowhere"),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_same_observations_as_fastapi(name: str) -> None:
    scenario = SCENARIOS[name]
    ours = observe("zephyr", scenario)
    theirs = observe("fastapi", scenario)
    assert ours == theirs


def test_teardown_runs_after_the_conversation() -> None:
    seen, log = observe("zephyr", talk_items)
    assert seen == (
        {"item_id": 7, "q": 3, "user": "tk", "trace": "t1", "flavour": "mint", "tags": ["a", "b"]},
        "HELLO",
    )
    assert log == ["session-start", "endpoint-end", "session-end"]


def test_websocket_routes_stay_out_of_openapi() -> None:
    module, client = build("zephyr")
    assert client.get("/openapi.json").json()["paths"] == {}
    assert module.app.url_path_for("room", room="x") == "/v1/chat/x"
