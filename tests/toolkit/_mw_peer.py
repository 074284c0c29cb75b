"""One small app built twice, on zephyr and on Starlette, for black-box parity tests."""

from __future__ import annotations

import warnings
from typing import Any

import starlette.applications
import starlette.middleware
import starlette.responses
import starlette.routing

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # the peer's own deprecation notices are not ours to fix
    import starlette.testclient

import zephyr.applications
import zephyr.middleware
import zephyr.responses
import zephyr.routing
import zephyr.testclient

BIG = "x" * 1000


def _routes(responses: Any, routing: Any) -> list[Any]:
    async def plain(request: Any) -> Any:
        return responses.PlainTextResponse("hello")

    async def big(request: Any) -> Any:
        return responses.PlainTextResponse(BIG)

    async def encoded(request: Any) -> Any:
        return responses.Response(BIG, headers={"content-encoding": "br"})

    async def events(request: Any) -> Any:
        async def gen() -> Any:
            yield "data: 1\n\n"

        return responses.StreamingResponse(gen(), media_type="text/event-stream")

    async def stream(request: Any) -> Any:
        async def gen() -> Any:
            yield "a" * 10
            yield "b" * 10

        return responses.StreamingResponse(gen(), media_type="text/plain")

    async def count(request: Any) -> Any:
        request.session["n"] = request.session.get("n", 0) + 1
        return responses.JSONResponse(request.session)

    async def read(request: Any) -> Any:
        return responses.JSONResponse(dict(request.session))

    async def clear(request: Any) -> Any:
        request.session.clear()
        return responses.JSONResponse({})

    endpoints = (plain, big, encoded, events, stream, count, read, clear)
    return [routing.Route(f"/{f.__name__}", f, methods=["GET", "POST"]) for f in endpoints]


def zephyr_client(cls: type, **options: Any) -> zephyr.testclient.TestClient:
    """A TestClient over the zephyr app with middleware ``cls(**options)``."""
    app = zephyr.applications.BaseApp(
        routes=_routes(zephyr.responses, zephyr.routing),
        middleware=[zephyr.middleware.Middleware(cls, **options)],
    )
    return zephyr.testclient.TestClient(app)


def starlette_client(cls: type, **options: Any) -> starlette.testclient.TestClient:
    """A TestClient over the same app written for Starlette."""
    app = starlette.applications.Starlette(
        routes=_routes(starlette.responses, starlette.routing),
        middleware=[starlette.middleware.Middleware(cls, **options)],
    )
    return starlette.testclient.TestClient(app)
