"""Every rule of ``zephyr._native``, one row each: native path or ASGI fallback.

Each row builds an app and serves ``GET /plain`` through ``app.native_http``
(as zephyr's server does) with a ``respond`` that records its calls. A whole
response that reached ``respond`` took the native path; one that arrived as
ASGI events fell back. Both must carry the same answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from pydantic import BaseModel

from zephyr import FastAPI
from zephyr._api.routing import APIRoute
from zephyr._app import BaseApp
from zephyr.middleware import Middleware
from zephyr.middleware.errors import ServerErrorMiddleware
from zephyr.requests import Request
from zephyr.responses import PlainTextResponse, Response, StreamingResponse
from zephyr.routing import Mount, Route, Router
from zephyr.types import ASGIApp, Receive, Scope, Send


async def plain(request: Request) -> Response:
    return PlainTextResponse("Hello")


def passthrough(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        await app(scope, receive, send)

    return middleware


def toolkit(*routes: Any, app_class: type[BaseApp] = BaseApp, **kwargs: Any) -> BaseApp:
    return app_class(routes=list(routes) or [Route("/plain", plain)], **kwargs)


def api(route_class: type[APIRoute] = APIRoute, **kwargs: Any) -> FastAPI:
    app = FastAPI(**kwargs)
    app.router.route_class = route_class

    @app.get("/plain", response_class=PlainTextResponse)
    async def endpoint() -> PlainTextResponse:
        return PlainTextResponse("Hello")

    return app


class CallOnly(BaseApp):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await super().__call__(scope, receive, send)


class CallAndNative(BaseApp):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await super().__call__(scope, receive, send)

    async def native_http(self, scope: Scope, receive: Receive, send: Send, respond: Any) -> None:
        await super().native_http(scope, receive, send, respond)


class LoggingErrors(ServerErrorMiddleware):
    pass


class OwnStack(BaseApp):
    def build_middleware_stack(self) -> ASGIApp:
        stack = super().build_middleware_stack()
        assert isinstance(stack, ServerErrorMiddleware)
        return LoggingErrors(stack.app)


def with_router(router_class: type[Router], **kwargs: Any) -> BaseApp:
    app = BaseApp()
    app.router = router_class([Route("/plain", plain)], **kwargs)
    return app


class MatchRouter(Router):
    def match(self, scope: Scope) -> Any:
        return super().match(scope)


class AppRouter(Router):
    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        await super().app(scope, receive, send)


class CallRouter(Router):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await super().__call__(scope, receive, send)


class HandleRoute(Route):
    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await super().handle(scope, receive, send)


class HandleAPIRoute(APIRoute):
    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await super().handle(scope, receive, send)


class HandlerAPIRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        return super().get_route_handler()


def replaced_route_app() -> BaseApp:
    app = toolkit()
    route = app.routes[0]
    assert isinstance(route, Route)
    route.app = passthrough(route.app)
    return app


class OwnCall(PlainTextResponse):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await super().__call__(scope, receive, send)


async def own_call(request: Request) -> Response:
    return OwnCall("Hello")


async def streamed(request: Request) -> Response:
    async def body() -> Any:
        yield b"Hello"

    return StreamingResponse(body(), media_type="text/plain")


class AsgiEndpoint:
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await PlainTextResponse("Hello")(scope, receive, send)


# (rule of zephyr._native, what varies, app factory, method, native expected)
ROWS: list[tuple[str, str, Callable[[], Any], str, bool]] = [
    ("1", "default toolkit app", toolkit, "GET", True),
    ("1", "default API app", api, "GET", True),
    ("1", "user middleware", lambda: toolkit(middleware=[Middleware(passthrough)]), "GET", False),
    (
        "1",
        "API app with middleware",
        lambda: api(middleware=[Middleware(passthrough)]),
        "GET",
        False,
    ),
    ("1", "__call__ redefined alone", lambda: toolkit(app_class=CallOnly), "GET", False),
    (
        "1",
        "__call__ and native_http redefined",
        lambda: toolkit(app_class=CallAndNative),
        "GET",
        True,
    ),
    ("1", "stack layer subclassed", lambda: toolkit(app_class=OwnStack), "GET", False),
    ("2", "router match redefined", lambda: with_router(MatchRouter), "GET", False),
    ("2", "router app redefined", lambda: with_router(AppRouter), "GET", False),
    ("2", "router __call__ redefined", lambda: with_router(CallRouter), "GET", False),
    (
        "2",
        "router middleware",
        lambda: with_router(Router, middleware=[Middleware(passthrough)]),
        "GET",
        False,
    ),
    (
        "3",
        "route middleware",
        lambda: toolkit(Route("/plain", plain, middleware=[Middleware(passthrough)])),
        "GET",
        False,
    ),
    ("3", "route handle redefined", lambda: toolkit(HandleRoute("/plain", plain)), "GET", False),
    ("3", "ASGI endpoint", lambda: toolkit(Route("/plain", AsgiEndpoint())), "GET", False),
    (
        "3",
        "mounted app",
        lambda: toolkit(Mount("/", routes=[Route("/plain", plain)])),
        "GET",
        False,
    ),
    ("4", "API route handle redefined", lambda: api(HandleAPIRoute), "GET", False),
    ("4", "API route get_route_handler redefined", lambda: api(HandlerAPIRoute), "GET", False),
    ("5", "route app replaced after build", replaced_route_app, "GET", False),
    ("5", "partial match (wrong method)", toolkit, "POST", False),
    ("6", "response __call__ redefined", lambda: toolkit(Route("/plain", own_call)), "GET", False),
    ("6", "streaming response", lambda: toolkit(Route("/plain", streamed)), "GET", False),
]


def serve(app: Any, method: str) -> tuple[list[tuple[int, bytes]], list[dict[str, Any]]]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": "/plain",
        "raw_path": b"/plain",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"x")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    responded: list[tuple[int, bytes]] = []
    sent: list[dict[str, Any]] = []

    requests = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive() -> dict[str, Any]:
        if requests:
            return requests.pop()
        await asyncio.Event().wait()  # the client stays connected
        raise AssertionError("unreachable")  # pragma: no cover

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    def respond(status: int, headers: Any, body: Any) -> None:
        responded.append((status, bytes(body)))

    asyncio.run(app.native_http(scope, receive, send, respond))
    return responded, sent


@pytest.mark.parametrize(
    ("rule", "case", "factory", "method", "native"), ROWS, ids=[f"{r[0]}: {r[1]}" for r in ROWS]
)
def test_native_path_or_fallback(
    rule: str, case: str, factory: Callable[[], Any], method: str, native: bool
) -> None:
    responded, sent = serve(factory(), method)
    expected = (405, b"Method Not Allowed") if method == "POST" else (200, b"Hello")
    if native:
        assert responded == [expected] and sent == []
    else:
        assert responded == []
        assert sent[0]["status"] == expected[0]
        body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
        assert body == expected[1]


class Item(BaseModel):
    name: str


@pytest.mark.parametrize("max_body_size", [None, 1024], ids=["default body cap", "route limit"])
def test_body_routes_take_the_native_path(max_body_size: int | None) -> None:
    # A route that reads a JSON body is wrapped (the default cap on a body read
    # whole, or the route's own max_body_size); the wrapper must still count as
    # the route's own app (rule 5), so the whole response reaches ``respond``.
    app = FastAPI()

    @app.post("/items", max_body_size=max_body_size)
    async def create(item: Item) -> Item:
        return item

    body = b'{"name": "widget"}'
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/items",
        "raw_path": b"/items",
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"host", b"x"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    responded: list[tuple[int, bytes]] = []
    sent: list[dict[str, Any]] = []
    requests = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> dict[str, Any]:
        return requests.pop()

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)  # pragma: no cover  (the native path sends nothing)

    def respond(status: int, headers: Any, content: Any) -> None:
        responded.append((status, bytes(content)))

    asyncio.run(app.native_http(scope, receive, send, respond))
    assert responded == [(200, b'{"name":"widget"}')] and sent == []
