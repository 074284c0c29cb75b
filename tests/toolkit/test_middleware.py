"""BaseHTTPMiddleware / @app.middleware("http") and middleware ordering."""

from __future__ import annotations

import asyncio
import contextvars
from typing import Any

import pytest

from tests.toolkit._asgi import acall, scope_for
from zephyr.applications import BaseApp as Zephyr
from zephyr.background import BackgroundTask
from zephyr.middleware import Middleware
from zephyr.middleware.base import BaseHTTPMiddleware
from zephyr.responses import PlainTextResponse, Response, StreamingResponse
from zephyr.routing import Route
from zephyr.testclient import TestClient
from zephyr.types import Receive, Scope, Send

events: list[str] = []
var: contextvars.ContextVar[str] = contextvars.ContextVar("var", default="unset")


async def hello(request):  # type: ignore[no-untyped-def]
    return PlainTextResponse(f"hello {var.get()}", headers={"x-down": "1"})


async def echo_body(request):  # type: ignore[no-untyped-def]
    return Response(await request.body())


async def stream(request):  # type: ignore[no-untyped-def]
    async def gen():  # type: ignore[no-untyped-def]
        for i in range(3):
            events.append(f"chunk{i}")
            yield f"c{i};".encode()
            await asyncio.sleep(0.01)

    return StreamingResponse(gen(), media_type="text/plain")


async def fail(request):  # type: ignore[no-untyped-def]
    raise ValueError("downstream")


async def with_background(request):  # type: ignore[no-untyped-def]
    async def later() -> None:
        events.append("background")

    return PlainTextResponse("bg", background=BackgroundTask(later))


routes = [
    Route("/", hello),
    Route("/echo", echo_body, methods=["POST"]),
    Route("/stream", stream),
    Route("/fail", fail),
    Route("/bg", with_background),
]


def test_decorator_reads_and_modifies_headers() -> None:
    app = Zephyr(routes=routes)

    @app.middleware("http")
    async def add_header(request, call_next):  # type: ignore[no-untyped-def]
        var.set("from-mw")
        response = await call_next(request)
        response.headers["x-mw"] = response.headers["x-down"] + "+mw"
        return response

    response = TestClient(app).get("/")
    assert response.text == "hello from-mw"  # downstream runs in the same context
    assert response.headers["x-mw"] == "1+mw"
    assert response.headers["content-length"] == str(len("hello from-mw"))


def test_replace_response_and_short_circuit() -> None:
    class Deny(BaseHTTPMiddleware):
        async def dispatch(self, request, call_next):  # type: ignore[no-untyped-def]
            if request.url.path == "/":
                return PlainTextResponse("denied", status_code=403)
            response = await call_next(request)
            return PlainTextResponse(f"replaced {response.status_code}")

    client = TestClient(Zephyr(routes=routes, middleware=[Middleware(Deny)]))
    assert (client.get("/").status_code, client.get("/").text) == (403, "denied")
    assert client.get("/nope").text == "replaced 404"


def test_body_read_in_middleware_is_replayed() -> None:
    app = Zephyr(routes=routes)
    seen: list[bytes] = []

    @app.middleware("http")
    async def read_body(request, call_next):  # type: ignore[no-untyped-def]
        seen.append(await request.body())
        return await call_next(request)

    response = TestClient(app).post("/echo", content=b"payload" * 1000)
    assert response.content == b"payload" * 1000
    assert seen == [b"payload" * 1000]


def test_body_not_read_passes_through() -> None:
    app = Zephyr(routes=routes)

    @app.middleware("http")
    async def passthrough(request, call_next):  # type: ignore[no-untyped-def]
        return await call_next(request)

    assert TestClient(app).post("/echo", content=b"abc").content == b"abc"


def test_downstream_exception_reaches_middleware() -> None:
    app = Zephyr(routes=routes)
    caught: list[str] = []

    @app.middleware("http")
    async def catcher(request, call_next):  # type: ignore[no-untyped-def]
        try:
            return await call_next(request)
        except ValueError as exc:
            caught.append(str(exc))
            return PlainTextResponse("recovered", status_code=503)

    response = TestClient(app).get("/fail")
    assert (response.status_code, response.text) == (503, "recovered")
    assert caught == ["downstream"]


def test_uncaught_downstream_exception_becomes_500() -> None:
    app = Zephyr(routes=routes)

    @app.middleware("http")
    async def passthrough(request, call_next):  # type: ignore[no-untyped-def]
        return await call_next(request)

    with pytest.raises(ValueError):
        TestClient(app).get("/fail")
    assert TestClient(app, raise_server_exceptions=False).get("/fail").status_code == 500


def test_streaming_passes_through_incrementally() -> None:
    events.clear()

    class Observe(BaseHTTPMiddleware):
        async def dispatch(self, request, call_next):  # type: ignore[no-untyped-def]
            response = await call_next(request)
            events.append("call_next returned")
            response.headers["x-seen"] = "yes"
            return response

    app = Zephyr(routes=routes, middleware=[Middleware(Observe)])
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        await asyncio.sleep(30)
        return {"type": "http.disconnect"}  # pragma: no cover

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)
        if message["type"] == "http.response.body" and message.get("body"):
            events.append("sent " + message["body"].decode())

    asyncio.run(asyncio.wait_for(app(scope_for("/stream"), receive, send), 10))
    # call_next returns before the body is produced; chunks interleave with sends.
    assert events[:2] == ["chunk0", "call_next returned"] or events[0] == "call_next returned"
    assert events.index("sent c0;") < events.index("chunk1")
    assert events.index("sent c1;") < events.index("chunk2")
    headers = dict(sent[0]["headers"])
    assert headers[b"x-seen"] == b"yes"
    assert b"".join(m.get("body", b"") for m in sent[1:]) == b"c0;c1;c2;"
    assert sent[-1]["more_body"] is False


def test_streaming_via_testclient_and_body_iterator_rewrite() -> None:
    class Upper(BaseHTTPMiddleware):
        async def dispatch(self, request, call_next):  # type: ignore[no-untyped-def]
            response = await call_next(request)

            async def upper():  # type: ignore[no-untyped-def]
                async for chunk in response.body_iterator:
                    yield chunk.upper()

            return StreamingResponse(upper(), status_code=response.status_code)

    client = TestClient(Zephyr(routes=routes, middleware=[Middleware(Upper)]))
    assert client.get("/stream").text == "C0;C1;C2;"
    assert client.get("/").text == "HELLO UNSET"


def test_background_task_runs_after_response() -> None:
    events.clear()
    app = Zephyr(routes=routes)

    @app.middleware("http")
    async def passthrough(request, call_next):  # type: ignore[no-untyped-def]
        response = await call_next(request)
        events.append("middleware done")
        return response

    assert TestClient(app).get("/bg").text == "bg"
    assert events == ["middleware done", "background"]


def test_dropped_streaming_response_is_cancelled() -> None:
    cleanup: list[str] = []

    async def endless(request):  # type: ignore[no-untyped-def]
        async def gen():  # type: ignore[no-untyped-def]
            try:
                while True:
                    yield b"x"
                    await asyncio.sleep(0.01)
            finally:
                cleanup.append("closed")

        return StreamingResponse(gen())

    class Drop(BaseHTTPMiddleware):
        async def dispatch(self, request, call_next):  # type: ignore[no-untyped-def]
            await call_next(request)
            return PlainTextResponse("dropped")

    app = Zephyr(routes=[Route("/", endless)], middleware=[Middleware(Drop)])
    result = asyncio.run(asyncio.wait_for(acall(app, scope_for("/")), 10))
    assert result.body == b"dropped"
    assert cleanup == ["closed"]


def test_no_response_and_double_call_next_errors() -> None:
    async def silent(scope: Scope, receive: Receive, send: Send) -> None:
        return None

    async def twice(request, call_next):  # type: ignore[no-untyped-def]
        await call_next(request)
        return await call_next(request)

    async def once(request, call_next):  # type: ignore[no-untyped-def]
        return await call_next(request)

    with pytest.raises(RuntimeError, match="No response returned"):
        asyncio.run(acall(BaseHTTPMiddleware(silent, once), scope_for("/")))
    ok = Zephyr(routes=routes)
    with pytest.raises(RuntimeError, match="once"):
        asyncio.run(acall(BaseHTTPMiddleware(ok, twice), scope_for("/")))


def test_non_http_scopes_pass_through() -> None:
    seen: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["type"])

    async def never(request, call_next):  # type: ignore[no-untyped-def]
        raise AssertionError("dispatch must not run")  # pragma: no cover

    asyncio.run(BaseHTTPMiddleware(app, never)({"type": "lifespan"}, None, None))  # type: ignore[arg-type]
    assert seen == ["lifespan"]


def test_middleware_order_and_add_after_start() -> None:
    order: list[str] = []

    def tagger(name: str) -> Any:
        async def dispatch(request, call_next):  # type: ignore[no-untyped-def]
            order.append(f"{name}>")
            response = await call_next(request)
            order.append(f"<{name}")
            return response

        return dispatch

    app = Zephyr(
        routes=routes,
        middleware=[
            Middleware(BaseHTTPMiddleware, dispatch=tagger("a")),
            Middleware(BaseHTTPMiddleware, dispatch=tagger("b")),
        ],
    )
    app.add_middleware(BaseHTTPMiddleware, dispatch=tagger("added"))
    app.middleware("http")(tagger("decorated"))
    client = TestClient(app)
    assert client.get("/").status_code == 200
    assert order == ["decorated>", "added>", "a>", "b>", "<b", "<a", "<added", "<decorated"]
    with pytest.raises(RuntimeError, match="Cannot add middleware after"):
        app.add_middleware(BaseHTTPMiddleware, dispatch=tagger("late"))
    with pytest.raises(ValueError):
        app.middleware("websocket")
