"""WebSocket routing (route table, Mount, Host, url_path_for) and exception handling."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from zephyr._app import BaseApp
from zephyr.exceptions import HTTPException, WebSocketException
from zephyr.middleware import Middleware
from zephyr.requests import Request
from zephyr.responses import JSONResponse, PlainTextResponse
from zephyr.routing import Host, Mount, NoMatchFound, Route, Router, WebSocketRoute
from zephyr.testclient import TestClient, WebSocketDenialResponse
from zephyr.websockets import WebSocket, WebSocketDisconnect


async def echo_params(ws: WebSocket) -> None:
    await ws.accept()
    await ws.send_json({"params": ws.path_params, "route": ws.scope["route"].name})
    await ws.close()


async def http_page(request: Request) -> PlainTextResponse:
    return PlainTextResponse("http")


def receive_json(client: TestClient, url: str) -> Any:
    with client.websocket_connect(url) as session:
        return session.receive_json()


def refused(client: TestClient, url: str, **kwargs: Any) -> WebSocketDisconnect:
    with pytest.raises(WebSocketDisconnect) as info, client.websocket_connect(url, **kwargs):
        pass  # pragma: no cover - the handshake fails
    return info.value


def test_static_and_parameterised_routes_share_paths_with_http() -> None:
    app = BaseApp(
        routes=[
            Route("/feed", http_page),
            WebSocketRoute("/feed", echo_params, name="feed"),
            WebSocketRoute("/rooms/{room}/{n:int}", echo_params, name="room"),
            Route("/rooms/{room}/{n:int}", http_page),
        ]
    )
    client = TestClient(app)
    assert receive_json(client, "/feed") == {"params": {}, "route": "feed"}
    assert receive_json(client, "/rooms/blue/3") == {
        "params": {"room": "blue", "n": 3},
        "route": "room",
    }
    assert client.get("/feed").text == "http"
    assert client.get("/rooms/blue/3").text == "http"
    # An HTTP request never lands on a WebSocket route, and vice versa.
    assert client.get("/only-ws").status_code == 404


def test_unknown_path_closes_with_1000() -> None:
    client = TestClient(BaseApp(routes=[Route("/http", http_page)]))
    assert refused(client, "/nope").code == 1000
    assert refused(client, "/http").code == 1000


def test_fallback_route_with_unusual_template() -> None:
    # ``/{name}.{ext}`` is not table-representable: the router walks it in order.
    app = BaseApp(routes=[WebSocketRoute("/files/{name}.{ext}", echo_params)])
    assert receive_json(TestClient(app), "/files/a.txt")["params"] == {"name": "a", "ext": "txt"}


def test_mount_and_host_dispatch_websockets() -> None:
    inner = Router([WebSocketRoute("/live/{id:int}", echo_params, name="live")])
    app = BaseApp(
        routes=[
            Host("api.example.org", app=Router([WebSocketRoute("/ws", echo_params, name="h")])),
            Mount("/v1/{tenant}", app=inner, name="v1"),
        ]
    )
    client = TestClient(app)
    assert receive_json(client, "/v1/acme/live/7") == {
        "params": {"tenant": "acme", "id": 7},
        "route": "live",
    }
    assert receive_json(client, "ws://api.example.org/ws")["route"] == "h"
    assert refused(client, "/ws").code == 1000


def test_url_path_for_websocket_routes() -> None:
    inner = Router([WebSocketRoute("/live/{id:int}", echo_params, name="live")])
    app = BaseApp(
        routes=[WebSocketRoute("/ws/{room}", echo_params), Mount("/v1", app=inner, name="v1")]
    )
    url = app.url_path_for("echo_params", room="r1")
    assert (url, url.protocol) == ("/ws/r1", "websocket")
    assert app.url_path_for("v1:live", id=3) == "/v1/live/3"
    assert str(url.make_absolute_url("https://example.org/")) == "wss://example.org/ws/r1"
    with pytest.raises(NoMatchFound):
        app.url_path_for("echo_params")


def test_decorators_and_add_methods() -> None:
    app = BaseApp()

    @app.websocket_route("/deco", name="deco")
    async def deco(ws: WebSocket) -> None:
        await echo_params(ws)

    app.add_websocket_route("/added", echo_params, name="added")
    router = Router()
    router.add_websocket_route("/r", echo_params)

    @router.websocket_route("/r2")
    async def r2(ws: WebSocket) -> None:
        await echo_params(ws)

    app.mount("/sub", router)
    client = TestClient(app)
    assert receive_json(client, "/deco")["route"] == "deco"
    assert receive_json(client, "/added")["route"] == "added"
    assert receive_json(client, "/sub/r")["route"] == "echo_params"
    assert receive_json(client, "/sub/r2")["route"] == "r2"


def test_route_equality_repr_and_validation() -> None:
    route = WebSocketRoute("/ws", echo_params)
    assert route == WebSocketRoute("/ws", echo_params)
    assert route != WebSocketRoute("/other", echo_params)
    assert repr(route) == "WebSocketRoute(path='/ws', name='echo_params')"
    with pytest.raises(ValueError, match="must start with '/'"):
        WebSocketRoute("ws", echo_params)


def test_route_used_as_a_standalone_app() -> None:
    route = WebSocketRoute("/ws/{x}", echo_params)
    client = TestClient(route)
    assert receive_json(client, "/ws/1")["params"] == {"x": "1"}
    assert refused(client, "/other").code == 1000


def test_subclass_with_custom_matches_is_kept_out_of_the_table() -> None:
    class Anywhere(WebSocketRoute):
        def matches(self, scope: Any) -> Any:
            match, child = super().matches({**scope, "path": "/fixed"})
            return match, child

    app = BaseApp(routes=[Anywhere("/fixed", echo_params, name="any")])
    assert receive_json(TestClient(app), "/whatever")["route"] == "any"


def test_asgi_app_endpoint_and_route_middleware() -> None:
    calls: list[str] = []

    class Tag:
        def __init__(self, app: Any, label: str) -> None:
            self.app, self.label = app, label

        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            calls.append(self.label)
            await self.app(scope, receive, send)

    class RawApp:  # Not a function: called as an ASGI app, not as a session.
        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            await receive()
            await send({"type": "websocket.accept"})
            await send({"type": "websocket.send", "text": "raw"})
            await send({"type": "websocket.close", "code": 1000})

    route = WebSocketRoute("/raw", RawApp(), middleware=[Middleware(Tag, "route-mw")])
    with TestClient(BaseApp(routes=[route])).websocket_connect("/raw") as session:
        assert session.receive_text() == "raw"
    assert calls == ["route-mw"]


# -- exceptions on WebSocket scopes --------------------------------------------


def exc_app(**handlers: Any) -> BaseApp:
    async def http_before(ws: WebSocket) -> None:
        raise HTTPException(403, "no entry", headers={"x-why": "token"})

    async def http_after(ws: WebSocket) -> None:
        await ws.accept()
        raise HTTPException(403, "no entry " + "é" * 100)

    async def ws_before(ws: WebSocket) -> None:
        raise WebSocketException(4001, "bad")

    async def ws_after(ws: WebSocket) -> None:
        await ws.accept()
        await ws.receive_text()
        raise WebSocketException(4002)

    async def closed_then_raise(ws: WebSocket) -> None:
        await ws.accept()
        await ws.close()
        raise HTTPException(400)

    async def custom(ws: WebSocket) -> None:
        await ws.accept()
        raise KeyError("k")

    routes = [
        WebSocketRoute("/http-before", http_before),
        WebSocketRoute("/http-after", http_after),
        WebSocketRoute("/ws-before", ws_before),
        WebSocketRoute("/ws-after", ws_after),
        WebSocketRoute("/closed", closed_then_raise),
        WebSocketRoute("/custom", custom),
    ]
    return BaseApp(routes=routes, exception_handlers=handlers.get("handlers"))


def test_http_exception_before_accept_is_a_denial_response() -> None:
    error = refused(TestClient(exc_app()), "/http-before")
    assert isinstance(error, WebSocketDenialResponse)
    assert (error.status_code, error.text, error.headers["x-why"]) == (403, "no entry", "token")


def test_http_exception_without_denial_support_closes_1008() -> None:
    sent: list[dict[str, Any]] = []
    messages = [{"type": "websocket.connect"}]

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "websocket", "path": "/http-before", "root_path": "", "headers": []}
    scope.update(query_string=b"", scheme="ws", extensions={})
    asyncio.run(exc_app()(scope, receive, send))
    assert sent == [{"type": "websocket.close", "code": 1008, "reason": "no entry"}]


def test_http_exception_after_accept_closes_1008_with_a_cut_reason() -> None:
    with TestClient(exc_app()).websocket_connect("/http-after") as session:
        message = session.receive()
    assert message["code"] == 1008
    reason = message["reason"]
    assert reason.startswith("no entry é") and len(reason.encode()) <= 123


def test_websocket_exception_closes_with_its_code() -> None:
    client = TestClient(exc_app())
    error = refused(client, "/ws-before")
    assert (error.code, error.reason) == (4001, "bad")
    with client.websocket_connect("/ws-after") as session:
        session.send_text("go")
        assert session.receive() == {"type": "websocket.close", "code": 4002, "reason": ""}


def test_handled_exception_after_close_is_an_error() -> None:
    with (
        pytest.raises(RuntimeError, match="already closed or denied"),
        TestClient(exc_app()).websocket_connect("/closed") as session,
    ):
        session.receive()
        session.receive()


def test_custom_handlers_get_the_websocket() -> None:
    seen: list[Any] = []

    async def on_key_error(ws: WebSocket, exc: Exception) -> None:
        seen.append(ws.application_state.name)
        await ws.send_text("handled")
        await ws.close(4500)

    def on_403(ws: WebSocket, exc: Exception) -> JSONResponse:
        return JSONResponse({"status": 403}, status_code=403)

    client = TestClient(exc_app(handlers={KeyError: on_key_error, 403: on_403}))
    with client.websocket_connect("/custom") as session:
        assert session.receive_text() == "handled"
        assert session.receive()["code"] == 4500
    assert seen == ["CONNECTED"]
    error = refused(client, "/http-before")
    assert isinstance(error, WebSocketDenialResponse)
    assert error.json() == {"status": 403}


def test_unhandled_errors_reach_the_test() -> None:
    async def boom(ws: WebSocket) -> None:
        raise ZeroDivisionError

    client = TestClient(BaseApp(routes=[WebSocketRoute("/boom", boom)]))
    with pytest.raises(ZeroDivisionError):
        client.websocket_connect("/boom").__enter__()


def test_handler_that_closes_and_returns_a_response_closes_once() -> None:
    async def endpoint(ws: WebSocket) -> None:
        raise ValueError("bad")

    async def on_value_error(ws: WebSocket, exc: Exception) -> PlainTextResponse:
        await ws.close(4100, "closed by handler")
        return PlainTextResponse("unused", status_code=400)

    app = BaseApp(
        routes=[WebSocketRoute("/ws", endpoint)], exception_handlers={ValueError: on_value_error}
    )
    sent: list[dict[str, Any]] = []
    messages = [{"type": "websocket.connect"}]

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "websocket", "path": "/ws", "root_path": "", "headers": []}
    scope.update(query_string=b"", scheme="ws", extensions={"websocket.http.response": {}})
    asyncio.run(app(scope, receive, send))
    assert sent == [{"type": "websocket.close", "code": 4100, "reason": "closed by handler"}]
