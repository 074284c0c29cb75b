"""Tests for zephyr.testclient.TestClient (and httpx's ASGITransport against zephyr responses)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from zephyr.background import BackgroundTask
from zephyr.requests import Request
from zephyr.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from zephyr.testclient import TestClient


async def echo_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Echo request details as JSON; a few paths exercise special behaviour."""
    assert scope["type"] == "http"
    request = Request(scope, receive)
    if scope["path"] == "/boom":
        raise ValueError("app exploded")
    if scope["path"] == "/stream":

        async def gen() -> AsyncIterator[bytes]:
            for i in range(3):
                yield f"part{i};".encode()

        await StreamingResponse(gen(), media_type="text/plain")(scope, receive, send)
        return
    if scope["path"] == "/redirect":
        response: Response = Response(status_code=302, headers={"location": "/target"})
        await response(scope, receive, send)
        return
    if scope["path"] == "/cookie":
        response = PlainTextResponse("set")
        response.set_cookie("session", "abc")
        await response(scope, receive, send)
        return
    body = await request.body()
    await JSONResponse(
        {
            "method": request.method,
            "path": scope["path"],
            "root_path": scope["root_path"],
            "query": scope["query_string"].decode(),
            "body": body.decode(),
            "headers": {k: v for k, v in request.headers.items() if k.startswith("x-")},
            "ua": request.headers.get("user-agent"),
            "cookies": request.cookies,
            "client": list(scope["client"]),
            "state": scope["state"],
        }
    )(scope, receive, send)


def test_basic_request() -> None:
    client = TestClient(echo_app)
    response = client.get("/path%20x?a=1&b=2", headers={"X-Token": "t"})
    assert response.status_code == 200
    data = response.json()
    assert data["path"] == "/path x"
    assert data["query"] == "a=1&b=2"
    assert data["headers"] == {"x-token": "t"}
    assert data["ua"] == "testclient"
    assert data["client"] == ["testclient", 50000]
    assert response.headers["content-type"] == "application/json"


def test_request_bodies() -> None:
    client = TestClient(echo_app)
    assert client.post("/", content=b"raw").json()["body"] == "raw"
    assert client.post("/", json={"k": "v"}).json()["body"] == '{"k":"v"}'
    assert client.post("/", data={"a": "1"}).json()["body"] == "a=1"
    streamed = client.post("/", content=iter([b"chunk1-", b"chunk2"]))
    assert streamed.json()["body"] == "chunk1-chunk2"


def test_request_body_arrives_in_chunks() -> None:
    messages: list[dict[str, Any]] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            messages.append(message)
            if not message.get("more_body"):
                break
        await PlainTextResponse("ok")(scope, receive, send)

    TestClient(app).post("/", content=iter([b"a", b"b"]))
    assert [(m["body"], m["more_body"]) for m in messages] == [(b"a", True), (b"b", False)]


def test_options() -> None:
    client = TestClient(
        echo_app,
        base_url="http://example.org",
        root_path="/api",
        headers={"X-Default": "d"},
        cookies={"c": "1"},
        client=("1.2.3.4", 9),
    )
    data = client.get("/x").json()
    assert data["root_path"] == "/api"
    assert data["headers"]["x-default"] == "d"
    assert data["cookies"] == {"c": "1"}
    assert data["client"] == ["1.2.3.4", 9]


def test_streaming_response() -> None:
    response = TestClient(echo_app).get("/stream")
    assert response.text == "part0;part1;part2;"
    with TestClient(echo_app).stream("GET", "/stream") as streamed:
        assert b"".join(streamed.iter_bytes()) == b"part0;part1;part2;"


def test_redirects_and_cookies() -> None:
    client = TestClient(echo_app)
    followed = client.get("/redirect")
    assert followed.json()["path"] == "/target"
    assert followed.history[0].status_code == 302
    no_follow = TestClient(echo_app, follow_redirects=False).get("/redirect")
    assert no_follow.status_code == 302
    client.get("/cookie")
    assert client.get("/").json()["cookies"] == {"session": "abc"}


def test_head_has_no_body() -> None:
    response = TestClient(echo_app).head("/")
    assert response.status_code == 200
    assert response.content == b""
    assert int(response.headers["content-length"]) > 0


def test_exception_propagates() -> None:
    client = TestClient(echo_app)
    with pytest.raises(ValueError, match="app exploded"):
        client.get("/boom")


def test_raise_server_exceptions_false_gives_500() -> None:
    response = TestClient(echo_app, raise_server_exceptions=False).get("/boom")
    assert response.status_code == 500
    assert response.content == b""


def test_app_without_response_is_an_error() -> None:
    async def silent(scope: dict[str, Any], receive: Any, send: Any) -> None:
        pass

    with pytest.raises(AssertionError, match="did not receive any response"):
        TestClient(silent).get("/")
    assert TestClient(silent, raise_server_exceptions=False).get("/").status_code == 500


def test_background_task_runs_before_call_returns() -> None:
    ran: list[str] = []
    app = PlainTextResponse("x", background=BackgroundTask(ran.append, "done"))
    assert TestClient(app).get("/").text == "x"
    assert ran == ["done"]


def make_lifespan_app(events: list[str], fail: bool = False) -> Any:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    if fail:
                        raise RuntimeError("startup broke")
                    scope["state"]["db"] = "connected"
                    events.append(f"startup on {threading.current_thread().name}")
                    await send({"type": "lifespan.startup.complete"})
                else:
                    events.append("shutdown")
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        await echo_app(scope, receive, send)

    return app


def test_lifespan_startup_shutdown_and_state() -> None:
    events: list[str] = []
    app = make_lifespan_app(events)
    with TestClient(app) as client:
        assert len(events) == 1
        assert events[0].startswith("startup on zephyr-testclient")
        assert client.get("/").json()["state"] == {"db": "connected"}
        assert client.get("/").json()["state"] == {"db": "connected"}
        assert client.app_state == {"db": "connected"}
    assert events[-1] == "shutdown"
    # Without `with`, no lifespan runs.
    events.clear()
    assert TestClient(app).get("/").json()["state"] == {}
    assert events == []


def test_a_client_can_be_entered_again_and_used_after_the_block() -> None:
    # A module-level client used in several `with client:` blocks (as FastAPI's
    # docs do): each block runs the lifespan again, and requests keep working.
    events: list[str] = []
    app = make_lifespan_app(events)
    client = TestClient(app)
    for _ in range(2):
        with client:
            assert client.get("/").json()["state"] == {"db": "connected"}
    assert [e.split(" ")[0] for e in events] == ["startup", "shutdown", "startup", "shutdown"]
    assert client.get("/").status_code == 200


def test_one_loop_for_the_whole_with_block() -> None:
    loops: list[int] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            message = await receive()
            await send({"type": message["type"] + ".complete"})
            message = await receive()
            await send({"type": message["type"] + ".complete"})
            return
        loops.append(id(asyncio.get_running_loop()))
        await PlainTextResponse("ok")(scope, receive, send)

    with TestClient(app) as client:
        client.get("/")
        client.get("/")
    assert len(set(loops)) == 1


def test_lifespan_startup_failure_raises() -> None:
    with (
        pytest.raises(RuntimeError, match="startup broke"),
        TestClient(make_lifespan_app([], fail=True)),
    ):
        pass


def test_lifespan_startup_failed_message() -> None:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "lifespan.startup.failed", "message": "no db"})

    with pytest.raises(RuntimeError, match="no db"), TestClient(app):
        pass


def test_only_asyncio_backend() -> None:
    with pytest.raises(ValueError, match="asyncio"):
        TestClient(echo_app, backend="trio")


def test_httpx_asgi_transport_with_zephyr_response() -> None:
    async def main() -> httpx.Response:
        app = JSONResponse({"hello": "wörld"})
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return await client.get("/")

    response = asyncio.run(main())
    assert response.status_code == 200
    assert response.json() == {"hello": "wörld"}


def test_testclient_drives_the_native_entry_like_zephyrs_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from zephyr import FastAPI
    from zephyr import testclient as testclient_module

    app = FastAPI()
    seen: list[str] = []

    @app.api_route("/", methods=["GET", "HEAD"])
    async def index() -> dict[str, int]:
        return {"n": 1}

    original = app.native_http

    def spy(scope: Any, receive: Any, send: Any, respond: Any) -> Any:
        seen.append("native")
        return original(scope, receive, send, respond)

    monkeypatch.setattr(app, "native_http", spy)
    for native in (True, False):
        monkeypatch.setattr(testclient_module, "USE_NATIVE", native)
        seen.clear()
        with TestClient(app) as client:
            response = client.get("/")
            head = client.head("/")
        assert response.status_code == 200 and response.json() == {"n": 1}
        assert head.status_code == 200 and head.content == b""
        assert head.headers["content-length"] == "7"
        assert seen == (["native", "native"] if native else [])


def test_asgi2_apps_run_as_asgi3() -> None:
    from zephyr.testclient import ASGIInstance
    from zephyr.types import Receive, Scope, Send

    def app(scope: Scope) -> ASGIInstance:
        async def instance(receive: Receive, send: Send) -> None:
            body = scope["path"].encode()
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": body})

        return instance

    class Legacy:
        def __call__(self, scope: Scope) -> ASGIInstance:
            return app(scope)

    assert TestClient(app).get("/two").text == "/two"
    assert TestClient(Legacy()).get("/obj").text == "/obj"


def test_file_request_bodies_are_read_off_the_apps_event_loop() -> None:
    import io

    from zephyr.types import Receive, Scope, Send

    class Recording(io.BytesIO):
        threads: list[str] = []

        def read(self, size: int | None = -1) -> bytes:
            self.threads.append(threading.current_thread().name)
            return super().read(size)

    app_threads: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        app_threads.append(threading.current_thread().name)
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"%d" % len(body)})

    response = TestClient(app).post("/", files={"f": ("a.bin", Recording(b"z" * 70000))})
    assert int(response.text) > 70000
    assert Recording.threads and app_threads[0] not in Recording.threads


def test_client_can_be_entered_again_and_used_after_its_block() -> None:
    from zephyr.types import Receive, Scope, Send

    events: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                kind = message["type"].rpartition(".")[2]
                events.append(kind)
                await send({"type": message["type"] + ".complete"})
                if kind == "shutdown":
                    return
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    client = TestClient(app)
    with client:
        assert client.get("/").text == "ok"
    assert client.get("/").text == "ok"  # still usable, without lifespan
    with client:  # a second block runs the lifespan again
        assert client.get("/").text == "ok"
    assert events == ["startup", "shutdown", "startup", "shutdown"]
