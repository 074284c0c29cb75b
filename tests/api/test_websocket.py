"""API-layer WebSockets: injection, dependencies and teardown, overrides, routers, errors."""

import threading
from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any

import pytest

import zephyr
from zephyr import APIRouter, Depends, FastAPI, Header, Query, WebSocket, WebSocketDisconnect
from zephyr.api_exceptions import WebSocketRequestValidationError
from zephyr.routing import WebSocketRoute
from zephyr.testclient import TestClient


def test_public_names() -> None:
    from zephyr import routing, websockets
    from zephyr._api.websocket import APIWebSocketRoute

    assert zephyr.WebSocket is websockets.WebSocket
    assert zephyr.WebSocketDisconnect is websockets.WebSocketDisconnect
    assert routing.APIWebSocketRoute is APIWebSocketRoute
    assert routing.WebSocketRoute is WebSocketRoute


def test_yield_dependencies_end_after_the_socket_closes() -> None:
    events: list[str] = []

    async def async_resource() -> AsyncIterator[str]:
        events.append("async-open")
        yield "a"
        events.append("async-close")

    def sync_resource() -> Iterator[str]:
        events.append(f"sync-open-{threading.current_thread() is threading.main_thread()}")
        yield "s"
        events.append("sync-close")

    app = FastAPI()

    @app.websocket("/ws")
    async def endpoint(
        websocket: WebSocket,
        a: Annotated[str, Depends(async_resource)],
        s: Annotated[str, Depends(sync_resource)],
    ) -> None:
        await websocket.accept()
        try:
            while True:
                await websocket.send_text(a + s + await websocket.receive_text())
        except WebSocketDisconnect as exc:
            events.append(f"left-{exc.code}")

    with TestClient(app).websocket_connect("/ws") as session:
        session.send_text("!")
        assert session.receive_text() == "as!"
        assert events == ["async-open", "sync-open-False"]
        session.close(1001)
    assert events == ["async-open", "sync-open-False", "left-1001", "sync-close", "async-close"]


def test_teardown_sees_an_endpoint_error() -> None:
    events: list[str] = []

    async def resource() -> AsyncIterator[None]:
        try:
            yield
        except RuntimeError as exc:
            events.append(f"saw {exc}")
            raise

    app = FastAPI()

    @app.websocket("/ws")
    async def endpoint(websocket: WebSocket, _: Annotated[None, Depends(resource)]) -> None:
        await websocket.accept()
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"), TestClient(app).websocket_connect("/ws") as s:
        s.receive()
    assert events == ["saw boom"]


def test_dependency_overrides_and_app_dependencies() -> None:
    calls: list[str] = []

    def audit() -> None:
        calls.append("audit")

    def real_user(x_user: Annotated[str, Header()]) -> str:
        return x_user

    app = FastAPI(dependencies=[Depends(audit)])

    @app.websocket("/me")
    async def me(websocket: WebSocket, user: Annotated[str, Depends(real_user)]) -> None:
        await websocket.accept()
        await websocket.send_text(user)
        await websocket.close()

    client = TestClient(app)
    with client.websocket_connect("/me", headers={"x-user": "ann"}) as session:
        assert session.receive_text() == "ann"
    app.dependency_overrides[real_user] = lambda: "override"
    with client.websocket_connect("/me") as session:
        assert session.receive_text() == "override"
    app.dependency_overrides.clear()
    with pytest.raises(WebSocketDisconnect) as info, client.websocket_connect("/me"):
        pass  # pragma: no cover
    assert info.value.code == 1008
    assert calls == ["audit", "audit", "audit"]


def test_router_websocket_decorators_and_include() -> None:
    inner = APIRouter(prefix="/inner")

    @inner.websocket("/ws/{n}", name="numbered")
    async def numbered(websocket: WebSocket, n: int, x: Annotated[int, Query()] = 1) -> None:
        await websocket.accept()
        await websocket.send_json(n * x)
        await websocket.close()

    async def plain(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text("plain")
        await websocket.close()

    inner.add_websocket_route("/plain", plain)
    included: list[str] = []

    def mark() -> None:
        included.append("mark")

    outer = APIRouter()
    outer.include_router(inner, prefix="/api", dependencies=[Depends(mark)])
    app = FastAPI()
    app.include_router(outer)
    app.add_api_websocket_route("/direct", plain, name="direct")
    client = TestClient(app)
    with client.websocket_connect("/api/inner/ws/4?x=3") as session:
        assert session.receive_json() == 12
    with client.websocket_connect("/api/plain") as session:
        assert session.receive_text() == "plain"
    with client.websocket_connect("/direct") as session:
        assert session.receive_text() == "plain"
    assert app.url_path_for("numbered", n=2) == "/api/inner/ws/2"
    # include_router's dependencies apply to API WebSocket routes, not plain ones.
    assert included == ["mark"]


def test_body_parameters_are_refused_at_registration() -> None:
    app = FastAPI()

    with pytest.raises(TypeError, match=r"declares body parameters \(payload\)"):

        @app.websocket("/ws")
        async def endpoint(websocket: WebSocket, payload: dict[str, Any]) -> None:
            pass  # pragma: no cover


def test_custom_validation_handler() -> None:
    async def handler(websocket: WebSocket, exc: Exception) -> None:
        assert isinstance(exc, WebSocketRequestValidationError)
        await websocket.accept()
        await websocket.send_json({"errors": len(exc.errors())})
        await websocket.close(4422)

    app = FastAPI(exception_handlers={WebSocketRequestValidationError: handler})

    @app.websocket("/ws")
    async def endpoint(websocket: WebSocket, a: int, b: int) -> None:
        pass  # pragma: no cover

    with TestClient(app).websocket_connect("/ws?a=x") as session:
        assert session.receive_json() == {"errors": 2}
        assert session.receive()["code"] == 4422


def test_validation_close_reason_is_json_cut_to_123_bytes() -> None:
    app = FastAPI()

    @app.websocket("/ws/{n}")
    async def endpoint(websocket: WebSocket, n: int) -> None:
        pass  # pragma: no cover

    with pytest.raises(WebSocketDisconnect) as info, TestClient(app).websocket_connect("/ws/x"):
        pass  # pragma: no cover
    reason = info.value.reason
    assert info.value.code == 1008
    assert reason.startswith('[{"type":"int_parsing","loc":["path","n"]')
    assert len(reason.encode()) <= 123


def test_security_helpers_guard_websockets() -> None:
    from zephyr import Security
    from zephyr.security import APIKeyHeader, OAuth2PasswordBearer
    from zephyr.testclient import WebSocketDenialResponse

    api_key = APIKeyHeader(name="x-api-key")
    bearer = OAuth2PasswordBearer(tokenUrl="token", scopes={"chat": "chat"})
    app = FastAPI()

    @app.websocket("/keyed")
    async def keyed(websocket: WebSocket, key: Annotated[str, Security(api_key)]) -> None:
        await websocket.accept()
        await websocket.send_text(key)
        await websocket.close()

    @app.websocket("/bearer")
    async def bearer_ws(
        websocket: WebSocket, token: Annotated[str, Security(bearer, scopes=["chat"])]
    ) -> None:
        await websocket.accept()
        await websocket.send_text(token)
        await websocket.close()

    client = TestClient(app)
    with client.websocket_connect("/keyed", headers={"x-api-key": "k1"}) as session:
        assert session.receive_text() == "k1"
    with client.websocket_connect("/bearer", headers={"authorization": "Bearer t1"}) as session:
        assert session.receive_text() == "t1"
    for path in ("/keyed", "/bearer"):
        with pytest.raises(WebSocketDenialResponse) as info, client.websocket_connect(path):
            pass  # pragma: no cover
        assert info.value.status_code in (401, 403)
        assert "detail" in info.value.json()
