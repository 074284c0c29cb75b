"""``max_body_size`` on the toolkit's app, Router, Mount and Route (the nearest level wins)."""

from __future__ import annotations

from typing import Any

import pytest

from zephyr.applications import BaseApp
from zephyr.middleware import Middleware
from zephyr.middleware.base import BaseHTTPMiddleware
from zephyr.requests import Request
from zephyr.responses import PlainTextResponse, Response
from zephyr.routing import Mount, Route, Router
from zephyr.testclient import TestClient
from zephyr.types import Receive, Scope, Send


async def echo(request: Request) -> Response:
    return Response(await request.body())


async def ignore_body(request: Request) -> PlainTextResponse:
    return PlainTextResponse("not read")


def chunks(data: bytes) -> Any:
    """A body without Content-Length (sent chunked): only counting can stop it."""

    def generate() -> Any:
        yield data

    return generate()


def test_app_limit_counts_and_checks_the_declared_length() -> None:
    app = BaseApp(
        routes=[Route("/", echo, methods=["POST"]), Route("/skip", ignore_body, methods=["POST"])],
        max_body_size=5,
    )
    client = TestClient(app)
    assert client.post("/", content=b"12345").content == b"12345"
    over = client.post("/", content=b"123456")
    assert (over.status_code, over.text) == (413, "Content Too Large")
    assert client.post("/", content=chunks(b"123456")).status_code == 413
    assert client.post("/skip", content=b"123456").status_code == 413  # never read


@pytest.mark.parametrize(("route_limit", "status"), [(10, 200), (3, 413)])
def test_route_replaces_the_app_limit(route_limit: int, status: int) -> None:
    app = BaseApp(
        routes=[
            Route("/", echo, methods=["POST"], max_body_size=route_limit),
            Route("/plain", echo, methods=["POST"]),
        ],
        max_body_size=5,
    )
    client = TestClient(app)
    assert client.post("/", content=b"1234").status_code == (200 if route_limit >= 4 else 413)
    assert client.post("/", content=b"12345678").status_code == status
    assert client.post("/plain", content=b"12345678").status_code == 413


def test_mount_and_router_limits() -> None:
    app = BaseApp(
        routes=[Mount("/up", routes=[Route("/", echo, methods=["POST"])], max_body_size=10)],
        max_body_size=5,
    )
    assert TestClient(app).post("/up/", content=b"12345678").content == b"12345678"
    router = Router([Route("/", echo, methods=["POST"])], max_body_size=5)
    client = TestClient(router)
    assert client.post("/", content=b"12345").status_code == 200
    assert client.post("/", content=b"123456").status_code == 413


def test_app_limit_applies_to_middleware_reading_the_body() -> None:
    class ReadsFirst:
        def __init__(self, app: Any) -> None:
            self.app = app

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            await receive()
            await self.app(scope, receive, send)  # pragma: no cover

    app = BaseApp(
        routes=[Route("/", echo, methods=["POST"])],
        middleware=[Middleware(ReadsFirst)],
        max_body_size=5,
    )
    assert TestClient(app).post("/", content=chunks(b"123456")).status_code == 413


def test_stricter_route_refuses_what_middleware_already_read() -> None:
    async def read_first(request: Request, call_next: Any) -> Response:
        await request.body()
        return await call_next(request)

    app = BaseApp(
        routes=[Route("/", echo, methods=["POST"], max_body_size=5)],
        middleware=[Middleware(BaseHTTPMiddleware, dispatch=read_first)],
        max_body_size=10,
    )
    assert TestClient(app).post("/", content=b"123456").status_code == 413


def test_route_limit_survives_a_scope_copy_above_it() -> None:
    class Copies:
        def __init__(self, app: Any) -> None:
            self.app = app

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            await self.app(dict(scope), receive, send)

    app = BaseApp(
        routes=[Route("/", echo, methods=["POST"], max_body_size=10)],
        middleware=[Middleware(Copies)],
        max_body_size=5,
    )
    assert TestClient(app).post("/", content=b"12345678").status_code == 200


def test_no_limit_anywhere_reads_any_size() -> None:
    app = BaseApp(routes=[Route("/", echo, methods=["POST"])])
    assert TestClient(app).post("/", content=b"x" * 100_000).status_code == 200


def test_bad_limit_is_refused() -> None:
    with pytest.raises(ValueError):
        Route("/", echo, max_body_size=-1)
