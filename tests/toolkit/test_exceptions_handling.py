"""Exception handling: handlers by class/status, defaults, 500 and the debug page."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.toolkit._asgi import acall, scope_for
from zephyr.applications import BaseApp as Zephyr
from zephyr.exceptions import HTTPException
from zephyr.middleware.errors import ServerErrorMiddleware
from zephyr.middleware.exceptions import ExceptionMiddleware
from zephyr.responses import JSONResponse, PlainTextResponse, StreamingResponse
from zephyr.routing import Route
from zephyr.testclient import TestClient


class AppError(Exception):
    pass


class SubError(AppError):
    pass


async def raise_http(request):  # type: ignore[no-untyped-def]
    code = int(request.query_params.get("code", "400"))
    raise HTTPException(code, detail="<b>bad</b>", headers={"X-Why": "test"})


async def raise_sub(request):  # type: ignore[no-untyped-def]
    raise SubError("sub")


async def crash(request):  # type: ignore[no-untyped-def]
    raise RuntimeError("secret <script>alert(1)</script> internals")


async def crash_streaming(request):  # type: ignore[no-untyped-def]
    async def gen():  # type: ignore[no-untyped-def]
        yield b"partial"
        raise RuntimeError("mid-stream")

    return StreamingResponse(gen())


routes = [
    Route("/http", raise_http),
    Route("/sub", raise_sub),
    Route("/crash", crash),
    Route("/stream-crash", crash_streaming),
]


def test_default_http_exception_handler() -> None:
    client = TestClient(Zephyr(routes=routes))
    response = client.get("/http?code=418")
    assert response.status_code == 418
    assert response.text == "<b>bad</b>"
    assert response.headers["x-why"] == "test"
    assert response.headers["content-type"].startswith("text/plain")
    for code in (204, 304):
        response = client.get(f"/http?code={code}")
        assert response.status_code == code
        assert response.content == b""


def test_not_found_and_method_not_allowed_in_app() -> None:
    client = TestClient(Zephyr(routes=routes))
    assert client.get("/nope").status_code == 404
    assert client.get("/nope").text == "Not Found"
    response = client.post("/http")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"


def test_handlers_by_class_mro_and_status() -> None:
    async def on_app_error(request, exc):  # type: ignore[no-untyped-def]
        return JSONResponse({"error": type(exc).__name__}, status_code=409)

    def on_418(request, exc):  # type: ignore[no-untyped-def]  # sync: thread pool
        return PlainTextResponse(f"teapot {exc.status_code}", status_code=418)

    app = Zephyr(routes=routes, exception_handlers={AppError: on_app_error, 418: on_418})
    client = TestClient(app)
    response = client.get("/sub")
    assert (response.status_code, response.json()) == (409, {"error": "SubError"})
    assert client.get("/http?code=418").text == "teapot 418"
    assert client.get("/http?code=400").text == "<b>bad</b>"  # default still applies


def test_exception_handler_decorator_overrides_http_exception() -> None:
    app = Zephyr(routes=routes)

    @app.exception_handler(HTTPException)
    async def as_json(request, exc):  # type: ignore[no-untyped-def]
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)

    response = TestClient(app).get("/nope")
    assert response.json() == {"detail": "Not Found"}


def test_500_hides_internals_and_reraises() -> None:
    app = Zephyr(routes=routes)
    with pytest.raises(RuntimeError, match="secret"):
        TestClient(app).get("/crash")
    response = TestClient(app, raise_server_exceptions=False).get("/crash")
    assert response.status_code == 500
    assert response.text == "Internal Server Error"
    assert "secret" not in response.text


def test_custom_500_handler() -> None:
    async def on_500(request, exc):  # type: ignore[no-untyped-def]
        return PlainTextResponse("custom 500", status_code=500)

    app = Zephyr(routes=routes, exception_handlers={500: on_500})
    response = TestClient(app, raise_server_exceptions=False).get("/crash")
    assert response.text == "custom 500"
    app = Zephyr(routes=routes, exception_handlers={Exception: on_500})
    assert TestClient(app, raise_server_exceptions=False).get("/crash").text == "custom 500"


def test_debug_page_only_in_debug_and_escaped() -> None:
    client = TestClient(Zephyr(debug=True, routes=routes), raise_server_exceptions=False)
    html_page = client.get("/crash", headers={"accept": "text/html"})
    assert html_page.status_code == 500
    assert html_page.headers["content-type"].startswith("text/html")
    assert "RuntimeError" in html_page.text
    assert "&lt;script&gt;" in html_page.text
    assert "<script>" not in html_page.text
    assert "crash" in html_page.text  # the frame's function name
    plain = client.get("/crash")
    assert plain.headers["content-type"].startswith("text/plain")
    assert "Traceback" in plain.text and "secret" in plain.text
    app = Zephyr(routes=routes)
    app.debug = True
    assert "Traceback" in TestClient(app, raise_server_exceptions=False).get("/crash").text
    app.debug = False
    assert TestClient(app, raise_server_exceptions=False).get("/crash").text == (
        "Internal Server Error"
    )


def test_error_after_response_started_is_reraised_without_second_response() -> None:
    app = ServerErrorMiddleware(Zephyr(routes=routes))
    messages: list[Any] = []

    async def receive() -> Any:
        await asyncio.sleep(30)

    async def send(message: Any) -> None:
        messages.append(message)

    with pytest.raises(RuntimeError, match="mid-stream"):
        asyncio.run(asyncio.wait_for(app(scope_for("/stream-crash"), receive, send), 10))
    starts = [m["status"] for m in messages if m["type"] == "http.response.start"]
    assert starts == [200]  # no second (500) response after the stream began


def test_handled_exception_after_start_is_runtime_error() -> None:
    async def late(request):  # type: ignore[no-untyped-def]
        async def gen():  # type: ignore[no-untyped-def]
            yield b"x"
            raise HTTPException(400)

        return StreamingResponse(gen())

    app = Zephyr(routes=[Route("/late", late)])
    with pytest.raises(RuntimeError, match="response already started"):
        TestClient(app).get("/late")


def test_exception_middleware_standalone_add_handler() -> None:
    async def on_key(request, exc):  # type: ignore[no-untyped-def]
        return PlainTextResponse("key", status_code=422)

    async def boom(scope, receive, send):  # type: ignore[no-untyped-def]
        raise KeyError("k")

    mw = ExceptionMiddleware(boom)
    mw.add_exception_handler(KeyError, on_key)
    result = asyncio.run(acall(mw, scope_for("/")))
    assert (result.status, result.body) == (422, b"key")
    with pytest.raises(KeyError):
        asyncio.run(acall(ExceptionMiddleware(boom), scope_for("/")))
