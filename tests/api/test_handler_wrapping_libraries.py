"""Hooks that monitoring libraries patch: a replaced ``get_request_handler`` or app ``__call__``.

sentry-sdk replaces ``fastapi.routing.get_request_handler`` (to name each
transaction by its route) and ``starlette.applications.Starlette.__call__``
(to wrap every request in its ASGI middleware). On zephyr both names are
zephyr's own (``zephyr.routing``, ``BaseApp``); a replacement must see every
request, also when zephyr's server enters the app through its native path.
Requests here go through ``app.native_http`` as zephyr's server sends them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

import zephyr.routing
from zephyr import FastAPI
from zephyr._app import BaseApp
from zephyr.requests import Request
from zephyr.responses import Response
from zephyr.types import Receive, Scope, Send


def build() -> FastAPI:
    app = FastAPI()

    @app.get("/items/{item_id}")
    async def read(item_id: int) -> dict[str, int]:
        return {"item_id": item_id}

    return app


def serve(app: Any, path: str) -> tuple[int, bytes, bool]:
    """``GET path`` through ``native_http``: (status, body, whether ``respond`` was used)."""
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "",
        "query_string": b"", "headers": [(b"host", b"x")], "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }  # fmt: skip
    responded: list[tuple[int, bytes]] = []
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    def respond(status: int, headers: Any, body: Any) -> None:
        responded.append((status, bytes(body)))

    asyncio.run(app.native_http(scope, receive, send, respond))
    if responded:
        return responded[0][0], responded[0][1], True
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return sent[0]["status"], body, False


def test_own_handler_factory_keeps_the_native_path() -> None:
    assert serve(build(), "/items/3") == (200, b'{"item_id":3}', True)


def test_a_replaced_get_request_handler_wraps_every_route(monkeypatch: pytest.MonkeyPatch) -> None:
    original = zephyr.routing.get_request_handler
    seen: list[tuple[str, str]] = []
    given: list[dict[str, Any]] = []

    def wrapping(*args: Any, **kwargs: Any) -> Callable[[Request], Awaitable[Response]]:
        given.append(kwargs)
        handler = original(*args, **kwargs)

        async def wrapped(request: Request) -> Response:
            seen.append((request.scope["route"].path, request.url.path))
            return await handler(request)

        return wrapped

    monkeypatch.setattr(zephyr.routing, "get_request_handler", wrapping)
    app = build()
    route = app.routes[-1]
    assert given and given[-1]["dependant"] is route.dependant and given[-1]["route"] is route
    status, body, native = serve(app, "/items/4")
    assert (status, body, native) == (200, b'{"item_id":4}', False)
    assert seen == [("/items/{item_id}", "/items/4")]
    monkeypatch.undo()
    assert serve(build(), "/items/5")[2] is True  # routes built after the undo are native again


def test_a_replaced_app_call_sees_every_request(monkeypatch: pytest.MonkeyPatch) -> None:
    original = BaseApp.__call__
    seen: list[str] = []

    async def patched(self: BaseApp, scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["path"])
        await original(self, scope, receive, send)

    monkeypatch.setattr(BaseApp, "__call__", patched)
    status, body, native = serve(build(), "/items/6")
    assert (status, body, native) == (200, b'{"item_id":6}', False)
    assert seen == ["/items/6"]
