"""``max_body_size`` and ``form_limits`` next to FastAPI, and zephyr's default buffered cap.

Each scenario builds the same app on fastapi (the oracle) and on zephyr and
compares status, content type and body; bodies are sent whole (with a
``Content-Length``) and as a chunked stream without one.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.api.conftest import load_app
from zephyr import FastAPI, Request
from zephyr.server.config import Config
from zephyr.server.server import Server
from zephyr.testclient import TestClient

SOURCE = """
from typing import Annotated

from fastapi import APIRouter, Body, FastAPI, File, Form, Request, UploadFile


def build(app_limit=None, router_limit=None, include_limit=None, route_limit=None, forms=None):
    app = FastAPI(max_body_size=app_limit, form_limits=forms)
    router = APIRouter(max_body_size=router_limit)

    @router.post("/echo", max_body_size=route_limit)
    async def echo(request: Request):
        return len(await request.body())

    @router.post("/json", max_body_size=route_limit)
    def json_body(x: Annotated[dict, Body()]):
        return len(x)

    @router.post("/stream", max_body_size=route_limit)
    async def stream(request: Request):
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
        return size

    @router.post("/form")
    def form(a: Annotated[str, Form()] = "", b: Annotated[str, Form()] = ""):
        return [a, b]

    @router.post("/upload", form_limits={"max_files": 1})
    async def upload(f: Annotated[list[UploadFile], File()]):
        return len(f)

    @router.post("/manual-form")
    async def manual_form(request: Request):
        return sorted((await request.form()).keys())

    app.include_router(router, prefix="/r", max_body_size=include_limit)
    return app


def with_middleware(app_limit, route_limit):
    app = FastAPI(max_body_size=app_limit)

    @app.post("/echo", max_body_size=route_limit)
    async def echo(request: Request):
        return len(await request.body())

    @app.middleware("http")
    async def read_first(request, call_next):
        await request.body()
        return await call_next(request)

    return app


def mounted(parent_limit, child_limit):
    child = FastAPI(max_body_size=child_limit)

    @child.post("/echo")
    async def echo(request: Request):
        return len(await request.body())

    parent = FastAPI(max_body_size=parent_limit)
    parent.mount("/child", child)
    return parent


def mounted_reader(parent_limit):
    child = FastAPI()

    @child.post("/echo")
    async def echo(request: Request):
        return len(await request.body())

    @child.middleware("http")
    async def read_first(request, call_next):
        await request.body()
        return await call_next(request)

    parent = FastAPI(max_body_size=parent_limit)
    parent.mount("/child", child)
    return parent
"""


@pytest.fixture(scope="module")
def sources() -> tuple[Any, Any]:
    pytest.importorskip("fastapi")
    return load_app(SOURCE, "fastapi", "limits_oracle"), load_app(SOURCE, "zephyr", "limits_zephyr")


async def _send(app: Any, path: str, body: bytes, chunked: bool, content_type: str) -> Any:
    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 3):
            yield body[start : start + 3]

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        content: Any = chunks() if chunked else body
        headers = {"content-type": content_type}
        response = await client.post(path, content=content, headers=headers)
    return response.status_code, response.headers.get("content-type"), response.content


def both(
    sources: tuple[Any, Any],
    factory: str,
    args: tuple[Any, ...],
    path: str,
    body: bytes,
    content_type: str = "application/octet-stream",
) -> None:
    theirs, ours = (getattr(module, factory)(*args) for module in sources)
    for chunked in (False, True):
        expected = asyncio.run(_send(theirs, path, body, chunked, content_type))
        got = asyncio.run(_send(ours, path, body, chunked, content_type))
        assert got == expected, (factory, args, path, chunked)


JSON_BODY = b'{"a": "123456"}'  # 15 bytes


@pytest.mark.parametrize(
    "limits",
    [
        (None, None, None, None),
        (10, None, None, None),
        (10, 20, None, None),
        (20, 10, None, None),
        (10, 10, 20, None),
        (20, 20, 10, None),
        (10, 10, 10, 20),
        (20, 20, 20, 10),
        (20, 20, 20, 0),
        (None, None, 0, None),
        (15, None, None, None),
    ],
)
@pytest.mark.parametrize("path", ["/r/echo", "/r/json", "/r/stream"])
def test_nearest_limit_wins(
    sources: tuple[Any, Any], limits: tuple[int | None, ...], path: str
) -> None:
    both(sources, "build", limits, path, JSON_BODY, "application/json")


@pytest.mark.parametrize(
    ("forms", "path", "body", "content_type"),
    [
        ({"max_fields": 1}, "/r/form", b"a=1&b=2", "application/x-www-form-urlencoded"),
        ({"max_part_size": 2}, "/r/form", b"a=123", "application/x-www-form-urlencoded"),
        ({"max_part_size": 2}, "/r/form", b"a=12", "application/x-www-form-urlencoded"),
        ({"max_part_size": 3}, "/r/form", b"a=12", "application/x-www-form-urlencoded"),
        ({"max_fields": 0}, "/r/manual-form", b"a=1", "application/x-www-form-urlencoded"),
        (
            {"max_part_size": 2},
            "/r/form",
            b'--B\r\nContent-Disposition: form-data; name="a"\r\n\r\n123\r\n--B--\r\n',
            "multipart/form-data; boundary=B",
        ),
        (
            {"max_files": 5},
            "/r/upload",
            b'--B\r\nContent-Disposition: form-data; name="f"; filename="1"\r\n\r\nx\r\n'
            b'--B\r\nContent-Disposition: form-data; name="f"; filename="2"\r\n\r\ny\r\n--B--\r\n',
            "multipart/form-data; boundary=B",
        ),
    ],
)
def test_form_limits(
    sources: tuple[Any, Any], forms: dict[str, int], path: str, body: bytes, content_type: str
) -> None:
    both(sources, "build", (None, None, None, None, forms), path, body, content_type)


@pytest.mark.parametrize("limits", [(5, 10), (10, 5), (10, None), (None, 5)])
def test_middleware_reading_the_body(sources: tuple[Any, Any], limits: tuple[Any, ...]) -> None:
    both(sources, "with_middleware", limits, "/echo", b"123456")
    both(sources, "with_middleware", limits, "/echo", b"12345")


@pytest.mark.parametrize("limits", [(5, 10), (10, 5), (None, None)])
def test_mounted_apps_inherit(sources: tuple[Any, Any], limits: tuple[Any, ...]) -> None:
    both(sources, "mounted", limits, "/child/echo", b"123456")


@pytest.mark.parametrize("limit", [5, None])
def test_middleware_of_a_mounted_app_reads_under_the_parent_limit(
    sources: tuple[Any, Any], limit: int | None
) -> None:
    both(sources, "mounted_reader", (limit,), "/child/echo", b"123456")
    both(sources, "mounted_reader", (limit,), "/child/echo", b"12345")


def test_mounted_app_without_a_limit_of_its_own(sources: tuple[Any, Any]) -> None:
    # Same status; a route that sets no limit of its own answers the inherited
    # one when it reads (JSON detail), not before (FastAPI's plain text).
    theirs, ours = (module.mounted(5, None) for module in sources)
    for chunked in (False, True):
        expected = asyncio.run(_send(theirs, "/child/echo", b"123456", chunked, "text/plain"))
        got = asyncio.run(_send(ours, "/child/echo", b"123456", chunked, "text/plain"))
        assert got[0] == expected[0] == 413
        assert b"Content Too Large" in got[2]


@pytest.mark.parametrize("value", [-1, True, 1.5, "5"])
def test_invalid_settings_fail_at_registration(sources: tuple[Any, Any], value: Any) -> None:
    for module in sources:
        with pytest.raises(ValueError, match="non-negative integer"):
            module.build(route_limit=value)
    for forms in ({"max_parts": 1}, {"max_fields": -1}, {"max_files": False}):
        for module in sources:
            with pytest.raises(ValueError):
                module.build(forms=forms)


def test_settings_are_readable(sources: tuple[Any, Any]) -> None:
    for module in sources:
        app = module.build(app_limit=7, forms={"max_fields": 3})
        assert app.max_body_size == 7
        app.post("/own", form_limits={"max_files": 1})(len)
        assert app.routes[-1].max_body_size == 7  # resolved from the app
        assert app.routes[-1].form_limits == {"max_files": 1}  # only its own


# -- zephyr's default cap on bodies read whole (no FastAPI counterpart) ---------------


def test_default_buffered_cap_names_the_limit() -> None:
    def count(x: dict[str, Any]) -> int:
        return len(x)

    small = FastAPI(max_buffered_body_size=10)
    small.post("/json")(count)
    response = TestClient(small).post("/json", json={"a": "x" * 10})
    assert response.status_code == 413
    assert response.json() == {
        "detail": "Content Too Large: the body is over max_buffered_body_size (10 bytes)"
    }
    # An explicit max_body_size replaces the default cap; None removes it.
    explicit = FastAPI(max_buffered_body_size=10, max_body_size=100)
    explicit.post("/json")(count)
    assert TestClient(explicit).post("/json", json={"a": "x" * 10}).json() == 1
    unlimited = FastAPI(max_buffered_body_size=None)
    unlimited.post("/json")(count)
    assert TestClient(unlimited).post("/json", json={"a": "x" * 100}).json() == 1


def test_default_buffered_cap_is_16_mib() -> None:
    app = FastAPI()

    @app.post("/json")
    def count(x: dict[str, Any]) -> int:
        return len(x)

    body = b'{"a": "' + b"x" * (16 * 1024 * 1024) + b'"}'
    response = TestClient(app).post(
        "/json", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert "16777216 bytes" in response.json()["detail"]


# -- a real socket: the limit stops reading and the connection stays usable -----------


@pytest.fixture
def server() -> Iterator[int]:
    app = FastAPI()

    @app.post("/echo", max_body_size=1000)
    async def echo(request: Request) -> int:
        return len(await request.body())

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    instance = Server(Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=instance.run, args=([sock],), daemon=True)
    thread.start()
    port = sock.getsockname()[1]
    deadline = time.monotonic() + 10
    while not instance.started and time.monotonic() < deadline:
        time.sleep(0.01)
    yield port
    instance.should_exit = True
    thread.join(10)
    sock.close()


def _chunked(total: int) -> Callable[[], Iterator[bytes]]:
    def gen() -> Iterator[bytes]:
        for _ in range(total // 100):
            yield b"x" * 100

    return gen


def test_over_a_real_socket(server: int) -> None:
    with httpx.Client(base_url=f"http://127.0.0.1:{server}", timeout=10) as client:
        assert client.post("/echo", content=b"x" * 1000).json() == 1000
        declared = client.post("/echo", content=b"x" * 1001)
        assert (declared.status_code, declared.text) == (413, "Content Too Large")
        streamed = client.post("/echo", content=_chunked(5000)())
        assert streamed.status_code == 413
        assert streamed.json() == {"detail": "Content Too Large"}
        assert client.post("/echo", content=b"ok").json() == 2
