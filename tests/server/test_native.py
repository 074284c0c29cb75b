"""The native server -> app path (``native_http`` + ``respond``) against plain ASGI.

Every request is served twice through ``HttpProtocol`` and a fake transport,
fed whole and byte by byte: once by a zephyr app (the server finds its
``native_http``) and once by the same app behind a pass-through ASGI wrapper
(the server sees a plain ASGI app). The bytes on the wire, apart from the
``Date`` header, and the app's side effects must be the same.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, Any

import pytest
from pydantic import BaseModel

from zephyr import BackgroundTasks, Depends, FastAPI, HTTPException, Request, Response
from zephyr._app import BaseApp
from zephyr.middleware import Middleware
from zephyr.responses import JSONResponse, PlainTextResponse, StreamingResponse
from zephyr.routing import APIRoute, Route, Router
from zephyr.server._cycle import RequestResponseCycle

from .conftest import MakeConn

events: list[str] = []


class Item(BaseModel):
    name: str
    price: float


class Teapot(Exception):
    pass


async def teardown_dep() -> AsyncIterator[str]:
    events.append("dep:start")
    try:
        yield "dep"
    finally:
        events.append("dep:end")


def build_app() -> FastAPI:
    app = FastAPI()

    @app.exception_handler(Teapot)
    async def teapot(request: Request, exc: Teapot) -> Response:
        return PlainTextResponse("short and stout", status_code=418)

    @app.get("/plain", response_class=PlainTextResponse)
    async def plain() -> PlainTextResponse:
        return PlainTextResponse("Hello")

    @app.get("/json")
    async def json_() -> dict[str, str]:
        return {"message": "hi"}

    @app.get("/items/{item_id}")
    def read_item(item_id: int, q: str | None = None) -> dict[str, Any]:
        return {"item_id": item_id, "q": q}

    @app.post("/items", status_code=201)
    async def create(item: Item) -> Item:
        return item

    @app.get("/empty", status_code=204)
    async def empty() -> None:
        return None

    @app.get("/cookie")
    async def cookie(response: Response) -> dict[str, bool]:
        response.set_cookie("session", "abc")
        response.headers["x-extra"] = "1"
        return {"ok": True}

    @app.get("/background")
    async def background(tasks: BackgroundTasks) -> dict[str, bool]:
        tasks.add_task(events.append, "background")
        return {"queued": True}

    @app.get("/teardown")
    async def teardown(value: Annotated[str, Depends(teardown_dep)]) -> dict[str, str]:
        events.append("endpoint")
        return {"value": value}

    @app.get("/http-error")
    async def http_error() -> None:
        raise HTTPException(status_code=409, detail="taken", headers={"x-why": "dup"})

    @app.get("/handled")
    async def handled() -> None:
        raise Teapot()

    @app.get("/crash")
    async def crash() -> None:
        raise ValueError("boom")

    @app.get("/bad-header")
    async def bad_header() -> Response:
        return Response("x", headers={"x-split": "a\r\nb"})

    @app.get("/stream")
    async def stream() -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            yield b"one,"
            yield b"two"

        return StreamingResponse(chunks(), media_type="text/plain")

    @app.get("/memoryview")
    async def view() -> Response:
        return Response(memoryview(b"viewed"), media_type="text/plain")

    @app.get("/slash/")
    async def slash() -> str:
        return "slash"

    async def legacy(request: Request) -> JSONResponse:
        return JSONResponse({"path": request.url.path})

    app.router.routes.append(Route("/legacy", legacy))
    return app


JSON_POST = b"POST /items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
REQUESTS = [
    b"GET /plain HTTP/1.1\r\nHost: x\r\n\r\n",
    b"HEAD /plain HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /json HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /items/42?q=abc HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /items/abc HTTP/1.1\r\nHost: x\r\n\r\n",
    JSON_POST + b'Content-Length: 31\r\n\r\n{"name":"widget","price":"9.5"}',
    JSON_POST + b'Content-Length: 4\r\n\r\n{"na',
    b"GET /empty HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /cookie HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /background HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /teardown HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /http-error HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /handled HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /stream HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /memoryview HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n",
    b"DELETE /plain HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /slash HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /legacy HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /plain HTTP/1.0\r\n\r\n",
    b"GET /json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
]
FAILING = [
    b"GET /crash HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /bad-header HTTP/1.1\r\nHost: x\r\n\r\n",
]


def asgi_only(app: Any) -> Callable[[Any, Any, Any], Awaitable[None]]:
    """The same app as a plain ASGI callable: the server cannot see ``native_http``."""

    async def wrapper(scope: Any, receive: Any, send: Any) -> None:
        await app(scope, receive, send)

    return wrapper


@pytest.fixture
def respond_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count whole responses the server received through ``respond``."""
    calls: list[int] = []
    original = RequestResponseCycle.respond

    def spy(self: RequestResponseCycle, status: int, headers: Any, body: Any) -> None:
        calls.append(status)
        original(self, status, headers, body)

    monkeypatch.setattr(RequestResponseCycle, "respond", spy)
    return calls


def without_date(data: bytes) -> bytes:
    return b"\r\n".join(line for line in data.split(b"\r\n") if not line.startswith(b"date: "))


async def serve(make_conn: MakeConn, app: Any, request: bytes) -> tuple[bytes, list[str], bool]:
    """Serve one request; return the wire bytes (no Date), the events and whether it closed."""
    events.clear()
    conn = make_conn(app)
    conn.feed(request)
    await conn.wait_for(lambda: conn.transport.data.count(b"HTTP/1.1 ") >= 1)
    await conn.wait_for(lambda: not conn.state.tasks)
    await conn.settle()
    return without_date(conn.transport.data), list(events), conn.transport.closed


def run(coro: Awaitable[None]) -> None:
    async def bounded() -> None:
        await asyncio.wait_for(coro, timeout=10)

    asyncio.run(bounded())


@pytest.mark.parametrize("request_bytes", REQUESTS, ids=lambda r: r.split(b"\r\n")[0].decode())
def test_native_and_asgi_write_the_same_bytes(
    make_conn: MakeConn, request_bytes: bytes, respond_calls: list[int]
) -> None:
    app = build_app()

    async def main() -> None:
        native = await serve(make_conn, app, request_bytes)
        whole = len(respond_calls)
        asgi = await serve(make_conn, asgi_only(app), request_bytes)
        assert len(respond_calls) == whole, "the ASGI wrapper must not reach respond()"
        assert native == asgi

    run(main())


def test_whole_responses_go_through_respond(make_conn: MakeConn, respond_calls: list[int]) -> None:
    app = build_app()

    async def main() -> None:
        for path, status in [(b"/plain", 200), (b"/items/1", 200), (b"/legacy", 200)]:
            await serve(make_conn, app, b"GET " + path + b" HTTP/1.1\r\nHost: x\r\n\r\n")
            assert respond_calls[-1] == status
        count = len(respond_calls)
        # Streams, errors answered by handlers and 404s take the ASGI events.
        for path in (b"/stream", b"/http-error", b"/nowhere"):
            await serve(make_conn, app, b"GET " + path + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        assert len(respond_calls) == count

    run(main())


def test_side_effects_keep_their_order(make_conn: MakeConn) -> None:
    app = build_app()

    async def main() -> None:
        data, seen, _ = await serve(make_conn, app, b"GET /teardown HTTP/1.1\r\nHost: x\r\n\r\n")
        assert seen == ["dep:start", "endpoint", "dep:end"]
        assert data.endswith(b'{"value":"dep"}')
        _, seen, _ = await serve(make_conn, app, b"GET /background HTTP/1.1\r\nHost: x\r\n\r\n")
        assert seen == ["background"]

    run(main())


@pytest.mark.parametrize("request_bytes", FAILING, ids=lambda r: r.split(b" ")[1].decode())
def test_unhandled_errors_answer_500_on_both_paths(
    make_conn: MakeConn, request_bytes: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    app = build_app()

    async def main() -> None:
        with caplog.at_level(logging.ERROR, logger="zephyr.error"):
            native = await serve(make_conn, app, request_bytes)
            asgi = await serve(make_conn, asgi_only(app), request_bytes)
        assert native == asgi
        assert native[0].startswith(b"HTTP/1.1 500 ")
        assert native[0].endswith(b"Internal Server Error")
        errors = [r for r in caplog.records if r.name == "zephyr.error"]
        assert len(errors) == 2  # logged once per path

    run(main())


def asgi_middleware(app: Any) -> Any:
    async def middleware(scope: Any, receive: Any, send: Any) -> None:
        async def tagged(message: Any) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"x-mw", b"1")]
            await send(message)

        await app(scope, receive, tagged)

    return middleware


class Forwarding:
    """A wrapper that forwards unknown attributes to the app it wraps."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __getattr__(self, name: str) -> Any:
        return getattr(self.app, name)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await asgi_middleware(self.app)(scope, receive, send)


class CountingApp(FastAPI):
    calls = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        CountingApp.calls += 1
        await super().__call__(scope, receive, send)


class TimedRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        handler = super().get_route_handler()

        async def timed(request: Request) -> Response:
            response = await handler(request)
            response.headers["x-mw"] = "1"
            return response

        return timed


def _with_plain_route(app: Any) -> Any:
    @app.get("/plain", response_class=PlainTextResponse)
    async def plain() -> PlainTextResponse:
        return PlainTextResponse("Hello")

    return app


def _user_middleware() -> Any:
    return _with_plain_route(FastAPI(middleware=[Middleware(lambda app: asgi_middleware(app))]))


def _router_middleware() -> Any:
    app = BaseApp()
    app.router = Router(
        [Route("/plain", lambda request: PlainTextResponse("Hello"))],
        middleware=[Middleware(lambda app: asgi_middleware(app))],
    )
    return app


def _replaced_route_app() -> Any:
    app = _with_plain_route(FastAPI())
    route = app.router.routes[-1]
    route.app = asgi_middleware(route.app)
    return app


def _custom_route_class() -> Any:
    app = FastAPI()
    app.router.route_class = TimedRoute
    return _with_plain_route(app)


FALLBACKS: dict[str, Callable[[], Any]] = {
    "user middleware": _user_middleware,
    "router middleware": _router_middleware,
    "route app replaced": _replaced_route_app,
    "custom route class": _custom_route_class,
    "forwarding wrapper": lambda: Forwarding(_with_plain_route(FastAPI())),
}


@pytest.mark.parametrize("name", FALLBACKS)
def test_layers_the_native_path_cannot_see_get_asgi(
    make_conn: MakeConn, respond_calls: list[int], name: str
) -> None:
    app = FALLBACKS[name]()

    async def main() -> None:
        data, _, _ = await serve(make_conn, app, b"GET /plain HTTP/1.1\r\nHost: x\r\n\r\n")
        assert data.startswith(b"HTTP/1.1 200 OK\r\n")
        assert b"\r\nx-mw: 1\r\n" in data, data
        assert data.endswith(b"\r\n\r\nHello")
        assert respond_calls == []

    run(main())


def test_a_subclass_redefining_call_keeps_it(make_conn: MakeConn) -> None:
    app = _with_plain_route(CountingApp())

    async def main() -> None:
        data, _, _ = await serve(make_conn, app, b"GET /plain HTTP/1.1\r\nHost: x\r\n\r\n")
        assert data.endswith(b"Hello")
        assert CountingApp.calls == 1

    CountingApp.calls = 0
    run(main())


def test_debug_toggle_rebuilds_the_native_layers(
    make_conn: MakeConn, caplog: pytest.LogCaptureFixture
) -> None:
    app = build_app()

    async def main() -> None:
        data, _, _ = await serve(make_conn, app, b"GET /crash HTTP/1.1\r\nHost: x\r\n\r\n")
        assert data.endswith(b"\r\n\r\nInternal Server Error")
        app.debug = True
        data, _, _ = await serve(make_conn, app, b"GET /crash HTTP/1.1\r\nHost: x\r\n\r\n")
        assert b"ValueError: boom" in data

    with caplog.at_level(logging.CRITICAL, logger="zephyr.error"):
        run(main())


class NativeOnly:
    """A minimal app with a native entry that answers with ``respond`` as told."""

    def __init__(self, script: Callable[[Any, Any, Any, Any], Awaitable[None]]) -> None:
        self.script = script

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("the server must call native_http")

    async def native_http(self, scope: Any, receive: Any, send: Any, respond: Any) -> None:
        await self.script(scope, receive, send, respond)


def test_respond_frames_head_and_no_body_statuses(make_conn: MakeConn) -> None:
    async def script(scope: Any, receive: Any, send: Any, respond: Any) -> None:
        status = 204 if scope["path"] == "/none" else 200
        respond(status, [(b"content-type", b"text/plain")], b"" if status == 204 else b"abc")

    async def main() -> None:
        conn = make_conn(NativeOnly(script))
        conn.feed(
            b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n"
            b"GET /none HTTP/1.1\r\nHost: x\r\n\r\n"
            b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
        )
        await conn.wait_for(lambda: conn.transport.data.count(b"HTTP/1.1 ") == 3)
        head, none, get = conn.responses(head_methods=(0,))
        assert head.header(b"content-length") == b"3" and head.body == b""
        assert none.status == 204 and none.header(b"content-length") is None
        assert get.body == b"abc" and get.header(b"content-length") == b"3"
        assert not conn.transport.closed

    run(main())


def test_respond_refuses_bad_headers_and_a_second_start(make_conn: MakeConn) -> None:
    outcomes: list[str] = []

    async def script(scope: Any, receive: Any, send: Any, respond: Any) -> None:
        if scope["path"] == "/split":
            try:
                respond(200, [(b"x-a", b"1\r\nx-b: 2")], b"")
            except RuntimeError as exc:
                outcomes.append(str(exc))
            respond(200, [], b"fine")
            return
        await send({"type": "http.response.start", "status": 200, "headers": []})
        try:
            respond(200, [], b"again")
        except RuntimeError as exc:
            outcomes.append(str(exc))
        await send({"type": "http.response.body", "body": b"streamed"})

    async def main() -> None:
        conn = make_conn(NativeOnly(script))
        conn.feed(b"GET /split HTTP/1.1\r\nHost: x\r\n\r\nGET /twice HTTP/1.1\r\nHost: x\r\n\r\n")
        await conn.wait_for(lambda: conn.transport.data.count(b"HTTP/1.1 ") == 2)
        await conn.wait_for(lambda: not conn.state.tasks)
        first, second = conn.responses()
        assert first.body == b"fine" and first.header(b"x-a") is None
        assert second.body == b"streamed"
        assert "CR, LF and NUL are not allowed" in outcomes[0]
        assert "already started" in outcomes[1]

    run(main())


def test_respond_after_disconnect_is_a_no_op(make_conn: MakeConn) -> None:
    gone = asyncio.Event()

    async def script(scope: Any, receive: Any, send: Any, respond: Any) -> None:
        assert (await receive())["type"] == "http.request"
        assert (await receive())["type"] == "http.disconnect"
        respond(200, [], b"too late")
        gone.set()

    async def main() -> None:
        conn = make_conn(NativeOnly(script))
        conn.feed(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        await conn.settle()
        conn.lose()
        await asyncio.wait_for(gone.wait(), 2)
        assert conn.transport.data == b""

    run(main())


def test_remembered_header_lines_keep_framing_and_validation(make_conn: MakeConn) -> None:
    from zephyr.server import _response_head

    bodies = iter([b"hello", b"hi"])

    async def app(scope: Any, receive: Any, send: Any) -> None:
        headers: Any = [
            (b"content-length", b"5"),
            [b"x-list", b"pair"],
            (b"x-mutable", bytearray(b"value")),
        ]
        if scope["path"] == "/split":
            headers = [(b"x-split", b"a\r\nb")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": next(bodies)})

    async def main() -> None:
        for _ in range(2):  # refused both times: a bad pair is never remembered
            conn = make_conn(app)
            conn.feed(b"GET /split HTTP/1.1\r\nHost: x\r\n\r\n")
            await conn.wait_closed()
            assert conn.transport.data.startswith(b"HTTP/1.1 500 ")
        assert not any(name == b"x-split" for name, _ in _response_head.HEADER_LINES)
        conn = make_conn(app)
        conn.feed(b"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
        # The second response reuses the remembered content-length: 5 and still
        # fails its 2-byte body, closing the connection.
        await conn.wait_closed()
        data = conn.transport.data
        assert data.count(b"HTTP/1.1 200 OK") == 2
        assert data.count(b"\r\nx-list: pair\r\n") == 2
        assert data.count(b"\r\nx-mutable: value\r\n") == 2
        assert data.endswith(b"\r\n\r\nhi")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(logging.getLogger("zephyr.error"), "disabled", True)
        run(main())


def test_remembered_header_lines_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from zephyr.server import _response_head

    monkeypatch.setattr(_response_head, "HEADER_LINES", {})
    for n in range(_response_head.HEADER_LINES_MAX * 2 + 7):
        _response_head.remember_line((b"x-id", b"%d" % n), b"x-id: %d\r\n" % n, -1)
        assert len(_response_head.HEADER_LINES) <= _response_head.HEADER_LINES_MAX
    assert (b"x-id", b"%d" % n) in _response_head.HEADER_LINES
