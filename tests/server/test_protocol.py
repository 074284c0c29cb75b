"""HttpProtocol driven through a fake transport; every input fed whole and byte by byte."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any

import pytest

from zephyr.server.state import ServerState

from .conftest import MakeConn


def run(coro: Awaitable[None]) -> None:
    async def bounded() -> None:
        await asyncio.wait_for(coro, timeout=10)

    asyncio.run(bounded())


async def hello(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [(b"x-app", b"1")]})
    await send({"type": "http.response.body", "body": b"hello"})


async def echo(scope: Any, receive: Any, send: Any) -> None:
    body = b""
    while True:
        message = await receive()
        assert message["type"] == "http.request"
        body += message["body"]
        if not message["more_body"]:
            break
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})


GET = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"


# -- basics ---------------------------------------------------------------------


def test_simple_get_one_write(make_conn: MakeConn) -> None:
    async def main() -> None:
        conn = make_conn(hello)
        conn.feed(GET)
        await conn.settle()
        [resp] = conn.responses()
        assert resp.status == 200
        assert resp.body == b"hello"
        assert resp.header(b"content-length") == b"5"
        assert resp.header(b"x-app") == b"1"
        assert resp.header(b"server") == b"zephyr"
        assert resp.header(b"date") is not None
        assert resp.header(b"connection") is None
        assert len(conn.transport.writes) == 1  # head and body coalesced
        assert not conn.transport.closed
        assert conn.state.total_requests == 1
        assert not conn.state.tasks

    run(main())


def test_scope_fields(make_conn: MakeConn) -> None:
    seen: list[dict[str, Any]] = []
    states: list[dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope)
        states.append(dict(scope["state"]))
        scope["state"]["mutated"] = True
        await hello(scope, receive, send)

    async def main() -> None:
        app_state = {"db": "conn"}
        conn = make_conn(app, app_state=app_state, root_path="/api")
        conn.feed(
            b"GET /a%20b/%C3%A9?x=1&y=%20 HTTP/1.1\r\nHost: x\r\nX-Mixed-Case: V a l\r\n"
            b"Accept: */*\r\n\r\nGET /plain HTTP/1.0\r\n\r\n"
        )
        await conn.settle()
        first, second = seen
        assert first["type"] == "http"
        assert first["asgi"] == {"version": "3.0", "spec_version": "2.4"}
        assert first["http_version"] == "1.1"
        assert first["method"] == "GET"
        assert first["scheme"] == "http"
        assert first["root_path"] == "/api"
        assert first["path"] == "/api/a b/é"
        assert first["raw_path"] == b"/api/a%20b/%C3%A9"
        assert first["query_string"] == b"x=1&y=%20"
        assert first["headers"] == [
            (b"host", b"x"),
            (b"x-mixed-case", b"V a l"),
            (b"accept", b"*/*"),
        ]
        assert first["client"] == ("127.0.0.1", 50000)
        assert first["server"] == ("127.0.0.1", 8000)
        assert first["state"] == {"db": "conn", "mutated": True}
        assert app_state == {"db": "conn"}  # shallow copy per request
        assert states == [{"db": "conn"}, {"db": "conn"}]
        assert second["http_version"] == "1.0"
        assert second["path"] == "/api/plain"
        assert second["query_string"] == b""

    run(main())


def test_scope_https_unix_and_no_peer(make_conn: MakeConn) -> None:
    seen: list[dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope)
        await hello(scope, receive, send)

    async def main() -> None:
        extra = {"peername": None, "sockname": "/tmp/z.sock", "sslcontext": object()}
        conn = make_conn(app, extra=extra)
        conn.feed(GET)
        await conn.settle()
        assert seen[0]["scheme"] == "https"
        assert seen[0]["client"] is None
        assert seen[0]["server"] == ("/tmp/z.sock", None)

    run(main())


def test_absolute_form_and_asterisk_targets(make_conn: MakeConn) -> None:
    seen: list[dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope)
        await hello(scope, receive, send)

    async def main() -> None:
        conn = make_conn(app)
        conn.feed(b"GET http://example.com/p%41?q=1 HTTP/1.1\r\nHost: x\r\n\r\n")
        conn.feed(b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n")
        await conn.settle()
        assert seen[0]["path"] == "/pA"
        assert seen[0]["raw_path"] == b"/p%41"
        assert seen[0]["query_string"] == b"q=1"
        assert seen[1]["path"] == "*"

    run(main())


def test_keep_alive_reuse(make_conn: MakeConn) -> None:
    async def main() -> None:
        conn = make_conn(hello)
        for _ in range(3):
            conn.feed(GET)
            await conn.settle()
        assert [r.status for r in conn.responses()] == [200, 200, 200]
        assert not conn.transport.closed
        assert conn.state.total_requests == 3

    run(main())


def test_http10_closes_unless_keep_alive(make_conn: MakeConn) -> None:
    async def main() -> None:
        conn = make_conn(hello)
        conn.feed(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        await conn.settle()
        [resp] = conn.responses()
        assert resp.header(b"connection") == b"keep-alive"
        assert not conn.transport.closed
        conn.feed(b"GET / HTTP/1.0\r\n\r\n")
        await conn.wait_closed()
        assert conn.responses()[1].header(b"connection") == b"close"

    run(main())


def test_connection_close_request(make_conn: MakeConn) -> None:
    async def main() -> None:
        conn = make_conn(hello)
        conn.feed(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        await conn.wait_closed()
        assert conn.responses()[0].header(b"connection") == b"close"

    run(main())


def test_pipelining_in_order(make_conn: MakeConn) -> None:
    order: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        order.append("start " + scope["path"])
        message = await receive()
        if scope["path"] == "/1":
            await asyncio.sleep(0.01)  # the slow one must still answer first
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": scope["path"].encode() + message["body"]})
        order.append("end " + scope["path"])

    async def main() -> None:
        conn = make_conn(app)
        conn.feed(
            b"GET /1 HTTP/1.1\r\nHost: x\r\n\r\n"
            b"POST /2 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
            b"GET /3 HTTP/1.1\r\nHost: x\r\n\r\n"
        )
        await conn.wait_for(lambda: len(order) == 6)
        await conn.settle()
        assert [r.body for r in conn.responses()] == [b"/1", b"/2abc", b"/3"]
        assert order == ["start /1", "end /1", "start /2", "end /2", "start /3", "end /3"]
        assert conn.transport.pauses >= 1  # stopped reading while requests queued
        assert conn.transport.reading
        assert not conn.transport.closed

    run(main())


def test_chunked_request_body(make_conn: MakeConn) -> None:
    async def main() -> None:
        conn = make_conn(echo)
        conn.feed(
            b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"5\r\nhello\r\n1;ext=1\r\n \r\n6\r\nworld!\r\n0\r\n\r\n"
        )
        await conn.settle()
        [resp] = conn.responses()
        assert resp.body == b"hello world!"

    run(main())


def test_content_length_body_more_body_flags(make_conn: MakeConn) -> None:
    messages: list[dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            messages.append(message)
            if not message["more_body"]:
                break
        await hello(scope, receive, send)

    async def main() -> None:
        conn = make_conn(app)
        conn.feed(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789")
        await conn.settle()
        assert b"".join(m["body"] for m in messages) == b"0123456789"
        assert messages[-1]["more_body"] is False
        assert all(m["type"] == "http.request" for m in messages)

    run(main())


def test_chunked_response(make_conn: MakeConn) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ab", "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": True})
        await send({"type": "http.response.body", "body": b"cd", "more_body": True})
        await send({"type": "http.response.body", "body": b""})

    async def main() -> None:
        conn = make_conn(app)
        conn.feed(GET + GET)
        await conn.settle()
        first, second = conn.responses()
        assert first.chunked and first.body == b"abcd"
        assert first.header(b"content-length") is None
        assert second.body == b"abcd"

    run(main())


def test_declared_content_length_streaming(make_conn: MakeConn) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send(
            {"type": "http.response.start", "status": 200, "headers": [(b"Content-Length", b"4")]}
        )
        await send({"type": "http.response.body", "body": b"ab", "more_body": True})
        await send({"type": "http.response.body", "body": b"cd"})

    async def main() -> None:
        conn = make_conn(app)
        conn.feed(GET)
        await conn.settle()
        [resp] = conn.responses()
        assert resp.body == b"abcd" and not resp.chunked
        assert resp.header_count(b"content-length") == 1

    run(main())


def test_http10_streaming_response_is_close_delimited(make_conn: MakeConn) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ab", "more_body": True})
        await send({"type": "http.response.body", "body": b"cd"})

    async def main() -> None:
        conn = make_conn(app)
        conn.feed(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        await conn.wait_closed()
        [resp] = conn.responses()
        assert resp.body == b"abcd"
        assert resp.header(b"transfer-encoding") is None
        assert resp.header(b"connection") == b"close"

    run(main())


def test_head_sends_no_body(make_conn: MakeConn) -> None:
    async def main() -> None:
        conn = make_conn(hello)
        conn.feed(b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n" + GET)
        await conn.settle()
        head, get = conn.responses(head_methods=(0,))
        assert head.header(b"content-length") == b"5"
        assert head.body == b""
        assert get.body == b"hello"
        assert conn.transport.data.count(b"hello") == 1

    run(main())


def test_no_body_statuses(make_conn: MakeConn) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def main() -> None:
        conn = make_conn(app)
        conn.feed(GET)
        await conn.settle()
        [resp] = conn.responses()
        assert resp.status == 204
        assert resp.header(b"content-length") is None
        assert resp.header(b"transfer-encoding") is None

    run(main())


# -- Expect: 100-continue -----------------------------------------------------------

EXPECT = b"POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"


def test_100_continue_sent_when_body_read(make_conn: MakeConn) -> None:
    async def main() -> None:
        conn = make_conn(echo)
        conn.feed(EXPECT)
        await conn.settle()
        assert conn.transport.data == b"HTTP/1.1 100 Continue\r\n\r\n"
        conn.feed(b"hello")
        await conn.settle()
        [resp] = conn.responses()
        assert resp.body == b"hello"
        assert not conn.transport.closed

    run(main())


def test_100_continue_not_sent_when_body_unread(make_conn: MakeConn) -> None:
    async def main() -> None:
        conn = make_conn(hello)
        conn.feed(EXPECT)
        await conn.wait_closed()
        assert b"100 Continue" not in conn.transport.data
        [resp] = conn.responses()
        assert resp.status == 200
        assert resp.header(b"connection") == b"close"

    run(main())


# -- strict framing -------------------------------------------------------------------

_POST = b"POST / HTTP/1.1\r\nHost: x\r\n"
BAD_REQUESTS = {
    "cl_and_te": _POST + b"Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
    "te_and_cl": _POST + b"Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
    "cl_plus": _POST + b"Content-Length: +5\r\n\r\nhello",
    "cl_minus": _POST + b"Content-Length: -5\r\n\r\n",
    "cl_empty": _POST + b"Content-Length: \r\n\r\n",
    "cl_alpha": _POST + b"Content-Length: 5x\r\n\r\nhello",
    "cl_list": _POST + b"Content-Length: 5, 5\r\n\r\nhello",
    "cl_too_long": _POST + b"Content-Length: 1234567890123456789012\r\n\r\n",
    "cl_dup_equal": _POST + b"Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
    "cl_dup_differ": _POST + b"Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
    "te_gzip_chunked": _POST + b"Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
    "te_split_gzip": (
        _POST + b"Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
    ),
    "te_gzip": _POST + b"Transfer-Encoding: gzip\r\n\r\n",
    "te_chunked_gzip": _POST + b"Transfer-Encoding: chunked, gzip\r\n\r\n",
    "te_http10": b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "bare_lf": b"GET / HTTP/1.1\nHost: x\n\n",
    "bare_lf_in_header": b"GET / HTTP/1.1\r\nHost: x\nX: y\r\n\r\n",
    "bare_cr_in_header": b"GET / HTTP/1.1\r\nHost: x\rX: y\r\n\r\n",
    "obs_fold": b"GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n",
    "nul_in_value": b"GET / HTTP/1.1\r\nHost: x\r\nX: a\x00b\r\n\r\n",
    "space_in_name": b"GET / HTTP/1.1\r\nHost: x\r\nX Y: a\r\n\r\n",
    "space_before_colon": b"GET / HTTP/1.1\r\nHost: x\r\nX : a\r\n\r\n",
    "bad_name_char": b"GET / HTTP/1.1\r\nHost: x\r\nX(: a\r\n\r\n",
    "empty_name": b"GET / HTTP/1.1\r\nHost: x\r\n: a\r\n\r\n",
    "bad_method_char": b"G@T / HTTP/1.1\r\nHost: x\r\n\r\n",
    "unknown_method": b"FOO / HTTP/1.1\r\nHost: x\r\n\r\n",
    "version_1_2": b"GET / HTTP/1.2\r\n\r\n",
    "version_2_0": b"GET / HTTP/2.0\r\n\r\n",
    "http_0_9": b"GET /\r\n\r\n",
    "bad_protocol": b"GET / HTTX/1.1\r\n\r\n",
    "ctl_in_target": b"GET /a\x01 HTTP/1.1\r\nHost: x\r\n\r\n",
    "bad_chunk_size": _POST + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n",
}


@pytest.mark.parametrize("raw", BAD_REQUESTS.values(), ids=BAD_REQUESTS.keys())
def test_strict_framing_rejected_with_400(make_conn: MakeConn, raw: bytes) -> None:
    called: list[bool] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        called.append(True)
        # Reads the body first: a request task started eagerly (3.12+) would
        # otherwise answer before the bad chunk is fed.
        await receive()
        await hello(scope, receive, send)

    async def main() -> None:
        conn = make_conn(app)
        conn.feed(raw)
        await conn.wait_closed()
        await conn.settle()
        [resp] = conn.responses()
        assert resp.status == 400
        assert resp.body.startswith(b"Bad Request")
        assert b"Traceback" not in resp.body
        assert resp.header(b"content-type") == b"text/plain; charset=utf-8"
        assert resp.header(b"connection") == b"close"
        assert resp.header(b"date") is not None
        assert resp.header(b"server") == b"zephyr"
        # A bad chunk arrives after the app started; otherwise it never runs.
        assert not called or raw.endswith(b"zz\r\n")

    run(main())


def test_error_after_valid_pipelined_request_answers_first(make_conn: MakeConn) -> None:
    async def main() -> None:
        conn = make_conn(hello)
        conn.feed(GET + b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: x\r\n\r\n")
        await conn.wait_closed()
        assert [r.status for r in conn.responses()] == [200, 400]

    run(main())


def test_upgrade_request_served_as_http(make_conn: MakeConn) -> None:
    async def main() -> None:
        conn = make_conn(hello)
        conn.feed(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n" + GET)
        await conn.settle()
        assert [r.status for r in conn.responses()] == [200, 200]

    run(main())


# -- limits --------------------------------------------------------------------------


def test_request_line_too_long_414(make_conn: MakeConn) -> None:
    async def main() -> None:
        conn = make_conn(hello, max_request_line_size=64)
        conn.feed(b"GET /" + b"a" * 100 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        await conn.wait_closed()
        [resp] = conn.responses()
        assert resp.status == 414
        assert resp.body == b"Request line too long: more than 64 bytes"

    run(main())


def test_request_line_at_limit_ok(make_conn: MakeConn) -> None:
    async def main() -> None:
        conn = make_conn(hello, max_request_line_size=64)
        conn.feed(b"GET /" + b"a" * 63 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        await conn.settle()
        assert conn.responses()[0].status == 200

    run(main())


def test_too_many_headers_431(make_conn: MakeConn) -> None:
    async def main() -> None:
        conn = make_conn(hello, max_header_count=5)
        headers = b"".join(b"X-%d: v\r\n" % i for i in range(6))
        conn.feed(b"GET / HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n")
        await conn.wait_closed()
        [resp] = conn.responses()
        assert resp.status == 431
        assert resp.body == b"Request header fields too large: more than 5 headers"

    run(main())


def test_headers_too_large_431(make_conn: MakeConn) -> None:
    async def main() -> None:
        conn = make_conn(hello, max_header_size=200)
        conn.feed(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"v" * 300 + b"\r\n\r\n")
        await conn.wait_closed()
        [resp] = conn.responses()
        assert resp.status == 431
        assert resp.body == b"Request header fields too large: more than 200 bytes"

    run(main())


def test_unterminated_giant_header_431(make_conn: MakeConn) -> None:
    async def main() -> None:
        conn = make_conn(hello, max_header_size=200, max_request_line_size=100)
        conn.feed(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"v" * 5000)  # never ends
        await conn.wait_closed()
        [resp] = conn.responses()
        assert resp.status == 431

    run(main())


def test_body_too_large_from_content_length_413(make_conn: MakeConn) -> None:
    called: list[bool] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        called.append(True)

    async def main() -> None:
        conn = make_conn(app, max_body_size=10)
        conn.feed(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n")
        await conn.wait_closed()
        [resp] = conn.responses()
        assert resp.status == 413
        assert resp.body == b"Request body too large: more than 10 bytes"
        assert not called

    run(main())


def test_body_too_large_chunked_before_response_413(make_conn: MakeConn) -> None:
    received: list[dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            received.append(message)
            if message["type"] == "http.disconnect" or not message["more_body"]:
                break
        await hello(scope, receive, send)  # after disconnect: a no-op

    async def main() -> None:
        conn = make_conn(app, max_body_size=10)
        conn.feed(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        conn.feed(b"8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n")
        await conn.wait_closed()
        await conn.settle()
        [resp] = conn.responses()
        assert resp.status == 413
        assert received[-1] == {"type": "http.disconnect"}

    run(main())


def test_body_too_large_chunked_after_response_started(make_conn: MakeConn) -> None:
    received: list[dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        while True:
            message = await receive()
            received.append(message)
            if message["type"] == "http.disconnect":
                break
        await send({"type": "http.response.body", "body": b"late"})

    async def main() -> None:
        conn = make_conn(app, max_body_size=10)
        conn.feed(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        await conn.settle()
        conn.feed(b"8\r\n12345678\r\n8\r\n12345678\r\n")
        await conn.wait_closed()
        await conn.settle()
        assert received[-1] == {"type": "http.disconnect"}
        assert b"late" not in conn.transport.data
        assert b" 413 " not in conn.transport.data

    run(main())


def test_concurrency_limit_503(make_conn: MakeConn) -> None:
    called: list[bool] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        called.append(True)
        await hello(scope, receive, send)

    async def main() -> None:
        state = ServerState()
        conn = make_conn(app, state=state, limit_concurrency=1)
        blocker: asyncio.Task[None] = asyncio.ensure_future(asyncio.sleep(10))
        state.tasks.add(blocker)
        conn.feed(GET)
        await conn.wait_closed()
        [resp] = conn.responses()
        assert resp.status == 503
        assert b"concurrency limit of 1" in resp.body
        assert not called
        state.tasks.clear()
        blocker.cancel()
        other = make_conn(app, state=state, limit_concurrency=1)
        other.feed(GET)
        await other.settle()
        assert other.responses()[0].status == 200

    run(main())


# -- timeouts ---------------------------------------------------------------------------


def test_header_timeout_408(make_conn: MakeConn) -> None:
    async def main() -> None:
        conn = make_conn(hello, timeout_request_header=0.05)
        conn.feed(b"GET / HTTP/1.1\r\nHost:")
        await conn.wait_closed()
        [resp] = conn.responses()
        assert resp.status == 408
        assert b"0.05" in resp.body

    run(main())


def test_header_timeout_on_keep_alive_connection(make_conn: MakeConn) -> None:
    async def main() -> None:
        conn = make_conn(hello, timeout_request_header=0.05, timeout_keep_alive=5)
        conn.feed(GET)
        await conn.settle()
        conn.feed(b"GET / HTT")
        await conn.wait_closed()
        assert [r.status for r in conn.responses()] == [200, 408]

    run(main())


def test_fresh_connection_silent_close(make_conn: MakeConn) -> None:
    async def main() -> None:
        conn = make_conn(hello, timeout_request_header=0.05)
        await conn.wait_closed()
        assert conn.transport.data == b""

    run(main())


def test_keep_alive_idle_timeout_closes(make_conn: MakeConn) -> None:
    async def main() -> None:
        conn = make_conn(hello, timeout_keep_alive=0.05, timeout_request_header=5)
        conn.feed(GET)
        await conn.settle()
        assert not conn.transport.closed
        loop = asyncio.get_running_loop()
        start = loop.time()
        await conn.wait_closed()
        assert loop.time() - start < 1.0
        assert len(conn.responses()) == 1  # closed quietly, no 408

    run(main())


def test_activity_pushes_keep_alive_deadline(make_conn: MakeConn) -> None:
    async def main() -> None:
        conn = make_conn(hello, timeout_keep_alive=0.15, timeout_request_header=5)
        for _ in range(3):
            conn.feed(GET)
            await asyncio.sleep(0.08)
            assert not conn.transport.closed
        await conn.wait_closed()
        assert len(conn.responses()) == 3

    run(main())


# -- response splitting and app failures ------------------------------------------------

SPLITTING = [
    (b"x-ok", b"a\r\nSet-Cookie: evil=1"),
    (b"x-ok", b"a\nb"),
    (b"x-ok", b"a\rb"),
    (b"x-ok", b"a\x00b"),
    (b"x-bad\r\nevil", b"1"),
    (b"x bad", b"1"),
    (b"x:bad", b"1"),
    (b"", b"1"),
    ("x-str", b"1"),
]


@pytest.mark.parametrize("header", SPLITTING, ids=[repr(h[0]) + repr(h[1]) for h in SPLITTING])
def test_response_splitting_refused(make_conn: MakeConn, header: tuple[Any, bytes]) -> None:
    errors: list[BaseException] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        try:
            await send({"type": "http.response.start", "status": 200, "headers": [header]})
        except RuntimeError as exc:
            errors.append(exc)
            raise

    async def main() -> None:
        conn = make_conn(app)
        conn.feed(GET)
        await conn.wait_closed()
        assert errors
        assert b"evil" not in conn.transport.data
        assert b"x-ok" not in conn.transport.data
        [resp] = conn.responses()
        assert resp.status == 500

    run(main())


def test_exception_before_start_500(make_conn: MakeConn, caplog: pytest.LogCaptureFixture) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise ValueError("secret detail")

    async def main() -> None:
        conn = make_conn(app)
        conn.feed(GET)
        await conn.wait_closed()
        [resp] = conn.responses()
        assert resp.status == 500
        assert resp.body == b"Internal Server Error"
        assert b"secret" not in conn.transport.data
        assert resp.header(b"connection") == b"close"

    with caplog.at_level(logging.ERROR, logger="zephyr.error"):
        run(main())
    records = [r for r in caplog.records if r.name == "zephyr.error"]
    assert records and records[0].exc_info and records[0].exc_info[0] is ValueError


def test_exception_after_start_closes(
    make_conn: MakeConn, caplog: pytest.LogCaptureFixture
) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"partial", "more_body": True})
        raise ValueError("boom")

    async def main() -> None:
        conn = make_conn(app)
        conn.feed(GET + GET)
        await conn.wait_closed()
        assert conn.transport.data.count(b"HTTP/1.1 ") == 1
        assert b" 500 " not in conn.transport.data

    with caplog.at_level(logging.ERROR, logger="zephyr.error"):
        run(main())
    assert any(r.name == "zephyr.error" for r in caplog.records)


def test_app_returns_without_response_500(
    make_conn: MakeConn, caplog: pytest.LogCaptureFixture
) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        return None

    async def main() -> None:
        conn = make_conn(app)
        conn.feed(GET)
        await conn.wait_closed()
        assert conn.responses()[0].status == 500

    with caplog.at_level(logging.ERROR, logger="zephyr.error"):
        run(main())
    assert any("without starting a response" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    "messages",
    [
        [{"type": "http.response.body", "body": b"x"}],
        [{"type": "http.response.start", "status": 200}, {"type": "http.response.start"}],
        [
            {"type": "http.response.start", "status": 200},
            {"type": "http.response.body", "body": b"x"},
            {"type": "http.response.body", "body": b"y"},
        ],
        [{"type": "http.response.start", "status": "200"}],
        [
            {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1")]},
            {"type": "http.response.body", "body": b"toolong"},
        ],
        [
            {"type": "http.response.start", "status": 200},
            {"type": "http.response.body", "body": "text"},
        ],
    ],
    ids=["body_first", "start_twice", "after_complete", "bad_status", "longer_than_cl", "str_body"],
)
def test_send_misuse_raises(make_conn: MakeConn, messages: list[dict[str, Any]]) -> None:
    errors: list[BaseException] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        try:
            for message in messages:
                await send(message)
        except RuntimeError as exc:
            errors.append(exc)

    async def main() -> None:
        conn = make_conn(app)
        conn.feed(GET)
        await conn.settle()
        await asyncio.sleep(0.01)
        assert len(errors) == 1

    run(main())


def test_shorter_than_content_length_closes(make_conn: MakeConn) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send(
            {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"9")]}
        )
        await send({"type": "http.response.body", "body": b"abc"})

    async def main() -> None:
        conn = make_conn(app)
        conn.feed(GET)
        await conn.wait_closed()

    run(main())


# -- disconnects and flow control --------------------------------------------------------


def test_disconnect_mid_body(make_conn: MakeConn) -> None:
    received: list[dict[str, Any]] = []
    sent: list[bool] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            received.append(message)
            if message["type"] == "http.disconnect":
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"x"})
        sent.append(True)  # the no-op send returned normally

    async def main() -> None:
        conn = make_conn(app)
        conn.feed(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc")
        await conn.settle()
        conn.lose()
        await conn.wait_for(lambda: bool(sent))
        assert received[0]["body"] == b"abc" if conn.feed_mode == "whole" else True
        assert received[-1] == {"type": "http.disconnect"}
        assert conn.transport.writes == []
        assert conn.proto not in conn.state.connections
        await conn.wait_for(lambda: not conn.state.tasks)

    run(main())


def test_receive_after_response_is_disconnect(make_conn: MakeConn) -> None:
    after: list[dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await hello(scope, receive, send)
        after.append(await receive())

    async def main() -> None:
        conn = make_conn(app)
        conn.feed(GET)
        await conn.wait_for(lambda: bool(after))
        assert after == [{"type": "http.disconnect"}]

    run(main())


def test_pause_reading_when_body_unread(make_conn: MakeConn) -> None:
    gate = asyncio.Event

    async def main() -> None:
        ready = gate()

        async def app(scope: Any, receive: Any, send: Any) -> None:
            await ready.wait()
            await echo(scope, receive, send)

        conn = make_conn(app, read_buffer_high_water=16)
        conn.feed(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 40\r\n\r\n" + b"x" * 20)
        await conn.settle()
        assert not conn.transport.reading
        ready.set()
        await conn.settle()
        assert conn.transport.reading  # drained by receive()
        conn.feed(b"y" * 20)
        await conn.settle()
        assert conn.responses()[0].body == b"x" * 20 + b"y" * 20

    run(main())


def test_drain_waits_while_writing_paused(make_conn: MakeConn) -> None:
    progress: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        progress.append("start")
        await send({"type": "http.response.body", "body": b"a", "more_body": True})
        progress.append("first")
        await send({"type": "http.response.body", "body": b"b"})
        progress.append("done")

    async def main() -> None:
        conn = make_conn(app, high_water_mark=1000, low_water_mark=10)
        assert conn.transport.limits == (1000, 10)
        conn.proto.pause_writing()
        conn.feed(GET)
        await conn.settle()
        assert progress == ["start"]  # blocked in drain after the first chunk
        conn.proto.resume_writing()
        await conn.settle()
        assert progress == ["start", "first", "done"]
        assert conn.responses()[0].body == b"ab"

    run(main())


def test_drain_released_by_disconnect(make_conn: MakeConn) -> None:
    progress: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"a", "more_body": True})
        progress.append("released")
        await send({"type": "http.response.body", "body": b"b"})
        progress.append("done")

    async def main() -> None:
        conn = make_conn(app)
        conn.proto.pause_writing()
        conn.feed(GET)
        await conn.settle()
        assert progress == []
        conn.lose()
        await conn.settle()
        assert progress == ["released", "done"]

    run(main())


# -- headers, logging, shutdown ---------------------------------------------------------


def test_date_header_refreshes(make_conn: MakeConn, monkeypatch: pytest.MonkeyPatch) -> None:
    from zephyr.server import _date

    now = [1_700_000_000.2]
    monkeypatch.setattr(_date.time, "time", lambda: now[0])

    async def main() -> None:
        conn = make_conn(hello)
        conn.feed(GET)
        await conn.settle()
        now[0] += 0.5  # same second: cached value
        conn.feed(GET)
        await conn.settle()
        now[0] += 1.0
        conn.feed(GET)
        await conn.settle()
        dates = [r.header(b"date") for r in conn.responses()]
        assert dates[0] == b"Tue, 14 Nov 2023 22:13:20 GMT"
        assert dates[1] == dates[0]
        assert dates[2] == b"Tue, 14 Nov 2023 22:13:21 GMT"

    run(main())


def test_server_and_default_headers(make_conn: MakeConn) -> None:
    async def main() -> None:
        state = ServerState(default_headers=[(b"x-default", b"d")])
        conn = make_conn(hello, state=state)
        conn.feed(GET)
        await conn.settle()
        resp = conn.responses()[0]
        assert resp.header(b"server") == b"zephyr"
        assert resp.header(b"x-default") == b"d"
        quiet = make_conn(hello, server_header=False)
        quiet.feed(GET)
        await quiet.settle()
        assert quiet.responses()[0].header(b"server") is None

    run(main())


@pytest.mark.parametrize(
    ("status", "shown"), [(201, "201 Created"), (404, "404 Not Found"), (599, "599")]
)
def test_access_log_shows_the_reason_phrase(
    make_conn: MakeConn, caplog: pytest.LogCaptureFixture, status: int, shown: str
) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def main() -> None:
        conn = make_conn(app, access_log=True)
        conn.feed(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        await conn.settle()

    with caplog.at_level(logging.INFO, logger="zephyr.access"):
        run(main())
    [record] = [r for r in caplog.records if r.name == "zephyr.access"]
    assert record.getMessage() == f'127.0.0.1:50000 - "GET / HTTP/1.1" {shown}'
    assert record.status_code == status  # type: ignore[attr-defined]


def test_access_log_record(make_conn: MakeConn, caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> None:
        conn = make_conn(hello, access_log=True)
        conn.feed(b"GET /a%1b[31mred?q=%07 HTTP/1.1\r\nHost: x\r\n\r\n")
        await conn.settle()

    with caplog.at_level(logging.INFO, logger="zephyr.access"):
        run(main())
    [record] = [r for r in caplog.records if r.name == "zephyr.access"]
    message = record.getMessage()
    assert "\x1b" not in message and "\x07" not in message
    assert message == '127.0.0.1:50000 - "GET /a\\x1b[31mred?q=%07 HTTP/1.1" 200 OK'
    extra: Any = record
    assert extra.client_addr == "127.0.0.1:50000"
    assert extra.method == "GET"
    assert extra.path == "/a\\x1b[31mred?q=%07"
    assert extra.http_version == "1.1"
    assert extra.status_code == 200
    assert extra.response_bytes == 5
    assert isinstance(extra.duration_ms, float) and extra.duration_ms >= 0


def test_access_log_off_when_logger_disabled(
    make_conn: MakeConn, caplog: pytest.LogCaptureFixture
) -> None:
    async def main() -> None:
        conn = make_conn(hello, access_log=True)
        assert conn.proto.access_log is False
        conn.feed(GET)
        await conn.settle()

    with caplog.at_level(logging.WARNING, logger="zephyr.access"):
        run(main())
    assert not [r for r in caplog.records if r.name == "zephyr.access"]


def test_shutdown_idle_closes_now(make_conn: MakeConn) -> None:
    async def main() -> None:
        conn = make_conn(hello)
        assert conn.proto in conn.state.connections
        conn.feed(GET)
        await conn.settle()
        conn.proto.shutdown()
        assert conn.transport.closed

    run(main())


def test_shutdown_in_flight_finishes_with_close(make_conn: MakeConn) -> None:
    async def main() -> None:
        release = asyncio.Event()

        async def app(scope: Any, receive: Any, send: Any) -> None:
            await release.wait()
            await hello(scope, receive, send)

        conn = make_conn(app)
        conn.feed(GET)
        await conn.settle()
        conn.proto.shutdown()
        assert not conn.transport.closed
        release.set()
        await conn.wait_closed()
        [resp] = conn.responses()
        assert resp.body == b"hello"
        assert resp.header(b"connection") == b"close"

    run(main())


def test_should_exit_stops_keep_alive(make_conn: MakeConn) -> None:
    async def main() -> None:
        conn = make_conn(hello)
        conn.state.should_exit = True
        conn.feed(GET)
        await conn.wait_closed()
        assert conn.responses()[0].header(b"connection") == b"close"

    run(main())
