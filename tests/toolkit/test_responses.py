"""Tests for zephyr.responses, driven with fake ASGI channels."""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from zephyr.background import BackgroundTask
from zephyr.requests import ClientDisconnect
from zephyr.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)


def run_app(app: Any, scope: dict[str, Any], channel: Any) -> None:
    asyncio.run(asyncio.wait_for(app(scope, channel.receive, channel.send), timeout=10))


def std_json(content: Any) -> bytes:
    return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()


class TestResponse:
    def test_bytes_body_and_headers(self, make_scope, channel) -> None:
        ch = channel()
        run_app(Response(b"hi", status_code=201, headers={"X-A": "1"}), make_scope(), ch)
        assert ch.sent == [
            {
                "type": "http.response.start",
                "status": 201,
                "headers": [(b"x-a", b"1"), (b"content-length", b"2")],
            },
            {"type": "http.response.body", "body": b"hi"},
        ]

    def test_text_media_type_gets_charset(self) -> None:
        assert Response("é", media_type="text/plain").raw_headers == [
            (b"content-length", b"2"),
            (b"content-type", b"text/plain; charset=utf-8"),
        ]
        kept = Response("x", media_type="text/plain; charset=latin-1")
        assert kept.headers["content-type"] == "text/plain; charset=latin-1"
        assert Response("x", media_type="application/json").headers["content-type"] == (
            "application/json"
        )

    def test_no_content_length_for_1xx_204_304(self) -> None:
        assert Response(b"", status_code=204).raw_headers == []
        assert "content-length" not in Response(b"x", status_code=304).headers
        assert "content-length" not in Response(b"x", status_code=101).headers

    def test_explicit_headers_win(self) -> None:
        r = Response(
            "x", media_type="text/html", headers={"Content-Length": "9", "content-type": "a/b"}
        )
        assert r.raw_headers == [(b"content-length", b"9"), (b"content-type", b"a/b")]

    def test_empty_and_memoryview(self) -> None:
        assert Response().body == b""
        assert Response().headers["content-length"] == "0"
        assert bytes(Response(memoryview(b"abc")).body) == b"abc"

    def test_headers_write_through(self) -> None:
        r = Response("x")
        r.headers["X-New"] = "1"
        assert (b"x-new", b"1") in r.raw_headers
        assert r.headers is r.headers

    def test_cookies(self) -> None:
        r = Response()
        r.set_cookie("a", "b", max_age=5, httponly=True)
        r.delete_cookie("old", path="/p")
        cookies = r.headers.getlist("set-cookie")
        assert cookies[0] == "a=b; HttpOnly; Max-Age=5; Path=/; SameSite=lax"
        assert cookies[1].startswith('old=""; expires=')
        assert "Max-Age=0" in cookies[1]
        assert "Path=/p" in cookies[1]
        with pytest.raises(AssertionError):
            r.set_cookie("a", samesite="weird")  # type: ignore[arg-type]

    def test_background_runs_after_body(self, make_scope, channel) -> None:
        ch = channel()
        order: list[str] = []

        async def task() -> None:
            order.append(f"task after {len(ch.sent)} messages")

        run_app(Response("x", background=BackgroundTask(task)), make_scope(), ch)
        assert order == ["task after 2 messages"]

    def test_websocket_denial_prefix(self, channel) -> None:
        ch = channel()
        run_app(Response("no", status_code=403), {"type": "websocket"}, ch)
        assert [m["type"] for m in ch.sent] == [
            "websocket.http.response.start",
            "websocket.http.response.body",
        ]

    def test_html_and_plain_text(self) -> None:
        assert HTMLResponse("<p>").headers["content-type"] == "text/html; charset=utf-8"
        assert PlainTextResponse("t").headers["content-type"] == "text/plain; charset=utf-8"


class TestJSONResponse:
    @pytest.mark.parametrize(
        "content",
        [
            None,
            0,
            -1.5,
            1e-7,
            [1.5e-7, 2.5e-10, 1e100, 1e16, 0.1],
            "héllo wörld ✓ 😀",
            {"nested": {"list": [1, "two", None, True, False], "emoji": "🎉"}, "é": "ü"},
            ['quote" backslash\\ newline\n tab\t ctrl\x01 \u2028 \x7f'],
            {"re-run": "one-two", "1e-5": "x"},
            2**70,
            "NaN Infinity in a string",
        ],
    )
    def test_byte_for_byte_like_json_dumps(self, content: Any) -> None:
        response = JSONResponse(content)
        assert response.body == std_json(content)
        assert response.headers["content-length"] == str(len(response.body))
        assert response.headers["content-type"] == "application/json"

    @pytest.mark.parametrize("bad", [float("nan"), float("inf"), {"x": [float("-inf")]}])
    def test_nan_rejected(self, bad: Any) -> None:
        with pytest.raises(ValueError):
            JSONResponse(bad)

    def test_unserializable_raises(self) -> None:
        with pytest.raises(TypeError):
            JSONResponse({"x": object()})

    def test_status_and_headers(self) -> None:
        r = JSONResponse({"a": 1}, status_code=201, headers={"x": "y"})
        assert r.status_code == 201
        assert r.headers["x"] == "y"


class TestRedirect:
    def test_location_quoted(self) -> None:
        r = RedirectResponse("/a b?x=é&y=1#frag")
        assert r.status_code == 307
        assert r.headers["location"] == "/a%20b?x=%C3%A9&y=1#frag"
        assert r.body == b""

    def test_custom_status_and_already_escaped(self) -> None:
        r = RedirectResponse("https://h/%20x", status_code=302, headers={"x": "1"})
        assert r.status_code == 302
        assert r.headers["location"] == "https://h/%20x"
        assert r.headers["x"] == "1"


class TestStreaming:
    def test_async_iterator(self, make_scope, channel) -> None:
        async def gen() -> AsyncIterator[str | bytes]:
            yield "a"
            yield b"b"

        ch = channel()
        run_app(StreamingResponse(gen(), media_type="text/plain"), make_scope(), ch)
        assert ch.start["headers"] == [(b"content-type", b"text/plain; charset=utf-8")]
        assert [m.get("body") for m in ch.sent[1:]] == [b"a", b"b", b""]
        assert [m.get("more_body") for m in ch.sent[1:]] == [True, True, False]

    def test_sync_iterator_runs_in_thread(self, make_scope, channel) -> None:
        threads: list[bool] = []

        def gen() -> Iterator[bytes]:
            for chunk in (b"x", b"y"):
                threads.append(threading.current_thread() is threading.main_thread())
                yield chunk

        ch = channel()
        run_app(StreamingResponse(gen()), make_scope(), ch)
        assert ch.body == b"xy"
        assert threads == [False, False]

    def test_stops_on_disconnect_and_runs_finally(self, make_scope, channel) -> None:
        cleanup: list[str] = []
        produced = 0

        async def endless() -> AsyncIterator[bytes]:
            nonlocal produced
            try:
                while True:
                    produced += 1
                    yield b"chunk"
                    await asyncio.sleep(0.01)
            finally:
                cleanup.append("closed")

        class Gate:
            def __init__(self) -> None:
                self.sent: list[dict[str, Any]] = []

            async def receive(self) -> dict[str, Any]:
                await asyncio.sleep(0.05)
                return {"type": "http.disconnect"}

            async def send(self, message: dict[str, Any]) -> None:
                self.sent.append(message)

        gate = Gate()
        ran: list[str] = []
        response = StreamingResponse(endless(), background=BackgroundTask(ran.append, "bg"))
        run_app(response, make_scope(), gate)
        assert cleanup == ["closed"]
        assert ran == ["bg"]  # like Starlette, the background task still runs
        assert 1 <= produced < 100
        assert not any(m.get("more_body") is False for m in gate.sent)

    def test_sync_generator_closed_on_disconnect(self, make_scope) -> None:
        closed: list[bool] = []
        started = threading.Event()

        def endless() -> Iterator[bytes]:
            try:
                while True:
                    started.set()
                    yield b"x"
            finally:
                closed.append(True)

        class DisconnectOnceStarted:
            async def receive(self) -> dict[str, Any]:
                while not started.is_set():
                    await asyncio.sleep(0.001)
                return {"type": "http.disconnect"}

            async def send(self, message: dict[str, Any]) -> None:
                await asyncio.sleep(0)

        run_app(StreamingResponse(endless()), make_scope(), DisconnectOnceStarted())
        # The worker thread may still be inside next(); the close then runs after it.
        for _ in range(200):
            if closed:
                break
            time.sleep(0.01)
        assert closed == [True]

    def test_iterator_error_propagates(self, make_scope, channel) -> None:
        async def broken() -> AsyncIterator[bytes]:
            yield b"ok"
            raise RuntimeError("stream broke")

        with pytest.raises(RuntimeError, match="stream broke"):
            run_app(StreamingResponse(broken()), make_scope(), channel())

    def test_send_oserror_is_a_client_disconnect(self, make_scope) -> None:
        closed: list[str] = []

        class Broken:
            async def receive(self) -> dict[str, Any]:
                await asyncio.sleep(10)
                return {}

            async def send(self, message: dict[str, Any]) -> None:
                if message["type"] == "http.response.body":
                    raise OSError("client gone")

        async def gen() -> AsyncIterator[bytes]:
            try:
                while True:
                    yield b"x"
            finally:
                closed.append("closed")

        with pytest.raises(ClientDisconnect) as info:
            run_app(StreamingResponse(gen()), make_scope(), Broken())
        assert isinstance(info.value.__cause__, OSError)
        assert closed == ["closed"]

    def test_a_failing_receive_does_not_stop_the_stream(self, make_scope) -> None:
        sent: list[bytes] = []

        class NoReceive:
            async def receive(self) -> dict[str, Any]:
                raise NotImplementedError

            async def send(self, message: dict[str, Any]) -> None:
                if message["type"] == "http.response.body":
                    sent.append(message["body"])

        async def gen() -> AsyncIterator[bytes]:
            for part in (b"a", b"b", b"c"):
                await asyncio.sleep(0)
                yield part

        run_app(StreamingResponse(gen()), make_scope(), NoReceive())
        assert b"".join(sent) == b"abc"

    def test_websocket_denial_streams_and_runs_background(self) -> None:
        sent: list[dict[str, Any]] = []
        ran: list[str] = []

        class Denial:
            async def receive(self) -> dict[str, Any]:
                raise AssertionError("a denial response does not read")

            async def send(self, message: dict[str, Any]) -> None:
                sent.append(message)

        async def gen() -> AsyncIterator[bytes]:
            yield b"no"

        response = StreamingResponse(gen(), background=BackgroundTask(ran.append, "bg"))
        run_app(response, {"type": "websocket", "path": "/"}, Denial())
        assert [m["type"] for m in sent] == [
            "websocket.http.response.start",
            "websocket.http.response.body",
            "websocket.http.response.body",
        ]
        assert b"".join(m["body"] for m in sent[1:]) == b"no"
        assert ran == ["bg"]

    def test_background_after_stream(self, make_scope, channel) -> None:
        ran: list[str] = []

        async def gen() -> AsyncIterator[bytes]:
            yield b"x"

        ch = channel()
        run_app(
            StreamingResponse(gen(), background=BackgroundTask(ran.append, "bg")), make_scope(), ch
        )
        assert ran == ["bg"]
        assert ch.body == b"x"


class TestFileResponse:
    @pytest.fixture
    def file(self, tmp_path: Path) -> Path:
        path = tmp_path / "data.txt"
        path.write_bytes(b"0123456789" * 20_000)  # 200 kB: several chunks
        return path

    def test_full_send(self, file: Path, make_scope, channel) -> None:
        ch = channel()
        run_app(FileResponse(file), make_scope(), ch)
        headers = dict(ch.start["headers"])
        assert headers[b"content-type"] == b"text/plain; charset=utf-8"
        assert headers[b"content-length"] == b"200000"
        assert headers[b"last-modified"].endswith(b" GMT")
        assert headers[b"etag"].startswith(b'"')
        assert ch.body == file.read_bytes()
        bodies = [m for m in ch.sent if m["type"] == "http.response.body"]
        assert len(bodies) > 1
        assert bodies[-1]["more_body"] is False

    def test_head_sends_no_body(self, file: Path, make_scope, channel) -> None:
        ch = channel()
        run_app(FileResponse(file), make_scope(method="HEAD"), ch)
        assert dict(ch.start["headers"])[b"content-length"] == b"200000"
        assert ch.body == b""
        ch = channel()
        run_app(FileResponse(file, method="HEAD"), make_scope(), ch)
        assert ch.body == b""

    def test_filename_and_media_type(self, file: Path) -> None:
        r = FileResponse(file, filename="report.json")
        assert r.headers["content-type"] == "application/json"
        assert r.headers["content-disposition"] == 'attachment; filename="report.json"'
        r = FileResponse(file, filename="résumé.pdf", content_disposition_type="inline")
        assert r.headers["content-disposition"] == "inline; filename*=utf-8''r%C3%A9sum%C3%A9.pdf"
        assert r.headers["content-type"] == "application/pdf"

    def test_stat_result_given(self, file: Path) -> None:
        r = FileResponse(file, stat_result=os.stat(file))
        assert r.headers["content-length"] == "200000"

    def test_missing_file(self, tmp_path: Path, make_scope, channel) -> None:
        with pytest.raises(RuntimeError, match="does not exist"):
            run_app(FileResponse(tmp_path / "nope"), make_scope(), channel())

    def test_directory_rejected(self, tmp_path: Path, make_scope, channel) -> None:
        with pytest.raises(RuntimeError, match="is not a file"):
            run_app(FileResponse(tmp_path), make_scope(), channel())

    def test_empty_file(self, tmp_path: Path, make_scope, channel) -> None:
        empty = tmp_path / "empty.bin"
        empty.write_bytes(b"")
        ch = channel()
        run_app(FileResponse(empty), make_scope(), ch)
        assert dict(ch.start["headers"])[b"content-length"] == b"0"
        assert ch.sent[-1] == {"type": "http.response.body", "body": b"", "more_body": False}


def test_typed_and_strided_memoryviews_send_their_bytes() -> None:
    from zephyr.responses import Response
    from zephyr.testclient import TestClient as Client

    typed = Client(Response(memoryview(b"01234567").cast("I"))).get("/")
    assert typed.content == b"01234567" and typed.headers["content-length"] == "8"
    strided = Client(Response(memoryview(b"01234567")[::2])).get("/")
    assert strided.content == b"0246" and strided.headers["content-length"] == "4"
