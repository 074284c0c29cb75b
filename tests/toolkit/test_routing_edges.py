"""Routing edge cases: URL building, a router's own middleware, handlers inside route middleware."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from zephyr.applications import BaseApp
from zephyr.convertors import InvalidPathParam
from zephyr.exceptions import HTTPException
from zephyr.middleware import Middleware
from zephyr.requests import Request
from zephyr.responses import FileResponse, JSONResponse, PlainTextResponse, StreamingResponse
from zephyr.routing import Mount, Route, Router, WebSocketRoute
from zephyr.testclient import TestClient, WebSocketDenialResponse
from zephyr.types import Message, Receive, Scope, Send
from zephyr.websockets import WebSocket


def ok(request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


def forbidden(request: Request) -> PlainTextResponse:
    raise HTTPException(status_code=403, detail="no")


class Stamp:
    """Adds ``x-<name>: 1`` to every response start it sees."""

    def __init__(self, app: Any, name: str) -> None:
        self.app = app
        self.name = name

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def stamped(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message["headers"], (f"x-{self.name}".encode(), b"1")]
            await send(message)

        await self.app(scope, receive, stamped)


# --- url_path_for ---------------------------------------------------------------------


def test_placeholder_like_value_stays_text() -> None:
    route = Route("/{a}/{b}", ok, name="r")
    assert route.url_path_for("r", a="{b}", b="7") == "/{b}/7"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("/evil.example/x", "/%2Fevil.example/x"), ("\\evil.example/x", "/%5Cevil.example/x")],
)
def test_path_value_cannot_make_a_network_path(value: str, expected: str) -> None:
    router = Router([Route("/{rest:path}", ok, name="any")])
    assert router.url_path_for("any", rest=value) == expected
    assert router.url_path_for("any", rest="a//b") == "/a//b"  # only the start matters


@pytest.mark.parametrize("value", ["a/b", ""])
def test_bad_segment_value_is_both_value_and_assertion_error(value: str) -> None:
    route = Route("/users/{name}", ok, name="user")
    with pytest.raises(InvalidPathParam) as info:
        route.url_path_for("user", name=value)
    assert isinstance(info.value, ValueError) and isinstance(info.value, AssertionError)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/{id}/{id}", "Duplicated param name id at path /{id}/{id}"),
        ("/{a}/{b}/{a}/{b}", "Duplicated param names a, b at path /{a}/{b}/{a}/{b}"),
    ],
)
def test_duplicated_param_message(path: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        Route(path, ok)
    assert str(info.value) == message


def test_url_for_outside_an_app_names_what_is_missing() -> None:
    request = Request({"type": "http", "method": "GET", "path": "/", "headers": []})
    with pytest.raises(RuntimeError, match="inside a Starlette application or with a router"):
        request.url_for("anything")


# --- a router's middleware, route/mount middleware ------------------------------------------


def test_router_middleware_runs_when_the_router_is_the_app() -> None:
    # The test client (like zephyr's server) enters through ``native_http``.
    router = Router([Route("/", ok)], middleware=[Middleware(Stamp, name="router")])
    response = TestClient(router).get("/")
    assert response.text == "ok"
    assert response.headers["x-router"] == "1"


def test_mount_middleware_sees_the_handled_exception() -> None:
    app = BaseApp(
        routes=[
            Mount(
                "/m",
                routes=[Route("/err", forbidden), Route("/ok", ok)],
                middleware=[Middleware(Stamp, name="mounted")],
            ),
            Route("/err", forbidden),
        ],
        middleware=[Middleware(Stamp, name="outer")],
    )
    client = TestClient(app)
    inner = client.get("/m/err")
    assert inner.status_code == 403
    assert inner.headers["x-mounted"] == "1" and inner.headers["x-outer"] == "1"
    outer = client.get("/err")
    assert outer.status_code == 403 and "x-mounted" not in outer.headers
    assert client.get("/m/ok").headers["x-mounted"] == "1"


def test_route_middleware_sees_the_handled_exception() -> None:
    app = BaseApp(routes=[Route("/err", forbidden, middleware=[Middleware(Stamp, name="r")])])
    response = TestClient(app).get("/err")
    assert response.status_code == 403
    assert response.text == "no"
    assert response.headers["x-r"] == "1"


def test_unhandled_exception_still_leaves_route_middleware() -> None:
    def boom(request: Request) -> PlainTextResponse:
        raise KeyError("x")

    app = BaseApp(routes=[Route("/", boom, middleware=[Middleware(Stamp, name="r")])])
    response = TestClient(app, raise_server_exceptions=False).get("/")
    assert response.status_code == 500


def test_root_path_with_trailing_slash_redirects_to_its_root_route() -> None:
    def home(request: Request) -> JSONResponse:
        return JSONResponse({"url": str(request.url_for("home"))})

    app = BaseApp(routes=[Route("/", home, name="home")])
    client = TestClient(app, base_url="https://h.example/", root_path="/sub/")
    first = client.get("/sub/", follow_redirects=False)
    assert first.status_code == 307
    assert first.headers["location"].endswith("/sub//")
    assert client.get("/sub/").json() == {"url": "https://h.example/sub/"}


# --- WebSocket denial responses of any kind ------------------------------------------


def _denied_by(response_factory: Any) -> WebSocketDenialResponse:
    async def refuse(websocket: WebSocket) -> None:
        await websocket.send_denial_response(response_factory())

    client = TestClient(BaseApp(routes=[WebSocketRoute("/ws", refuse)]))
    with pytest.raises(WebSocketDenialResponse) as info, client.websocket_connect("/ws"):
        pass  # pragma: no cover
    return info.value


def test_denial_with_a_streaming_response() -> None:
    async def parts() -> Any:
        yield b"go "
        yield b"away"

    denial = _denied_by(lambda: StreamingResponse(parts(), status_code=403))
    assert denial.status_code == 403
    assert denial.content == b"go away"


def test_denial_with_a_file_response(tmp_path: Path) -> None:
    path = tmp_path / "why.txt"
    path.write_text("closed today")
    denial = _denied_by(lambda: FileResponse(path, status_code=401))
    assert denial.status_code == 401
    assert denial.content == b"closed today"


# --- 405: Allow lists every route of the path -----------------------------------------


def test_allow_lists_the_methods_of_every_route_on_the_path() -> None:
    app = BaseApp(
        routes=[
            Route("/a", ok, methods=["GET"]),
            Route("/a", ok, methods=["POST", "PUT"]),
            Route("/{name}", ok, methods=["DELETE", "GET"]),
        ]
    )
    client = TestClient(app)
    response = client.patch("/a")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD, POST, PUT, DELETE"
    assert client.patch("/b").headers["allow"] == "DELETE, GET, HEAD"
    assert client.put("/a").text == "ok"


def test_allow_of_a_plain_router_without_an_app() -> None:
    router = Router([Route("/a", ok, methods=["GET"]), Route("/a", ok, methods=["POST"])])
    response = TestClient(router).delete("/a")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD, POST"


def test_allow_of_api_routes_sharing_a_path() -> None:
    from zephyr import Zephyr

    api = Zephyr()

    @api.get("/items")
    def list_items() -> list[str]:
        return []

    @api.post("/items")
    def add_item() -> dict[str, str]:
        return {}

    response = TestClient(api).put("/items")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
