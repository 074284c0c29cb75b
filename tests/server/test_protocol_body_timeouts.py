"""Request body timeouts: a stalled or trickling body gets 408; a steady upload is unaffected.

Fake-transport protocol tests with short timeouts; every input is fed whole
and byte by byte.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from .conftest import MakeConn


def run(coro: Awaitable[None]) -> None:
    async def bounded() -> None:
        await asyncio.wait_for(coro, timeout=10)

    asyncio.run(bounded())


def reader(seen: list[Any], delay: float = 0.0) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        if delay:
            await asyncio.sleep(delay)  # the app asks for the body late
        body = b""
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                seen.append("disconnect")
                return
            body += message["body"]
            if not message["more_body"]:
                break
        seen.append(body)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"%d" % len(body)})

    return app


def head(length: int, extra: bytes = b"") -> bytes:
    return b"POST / HTTP/1.1\r\nHost: x\r\n%bContent-Length: %d\r\n\r\n" % (extra, length)


def test_stalled_body_408(make_conn: MakeConn) -> None:
    async def main() -> None:
        seen: list[Any] = []
        conn = make_conn(reader(seen), timeout_body_read=0.3, timeout_body_min_rate=None)
        conn.feed(head(10) + b"01234")
        await conn.wait_closed(timeout=3)
        [resp] = conn.responses()
        assert resp.status == 408
        assert resp.body == b"Request Timeout: no request body data for 0.3 s"
        await conn.wait_for(lambda: seen == ["disconnect"])  # the app was told

    run(main())


def test_stalled_chunked_body_408(make_conn: MakeConn) -> None:
    async def main() -> None:
        seen: list[Any] = []
        conn = make_conn(reader(seen), timeout_body_read=0.3, timeout_body_min_rate=None)
        conn.feed(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab")
        await conn.wait_closed(timeout=3)
        assert [r.status for r in conn.responses()] == [408]

    run(main())


def test_trickling_body_408(make_conn: MakeConn) -> None:
    async def main() -> None:
        seen: list[Any] = []
        conn = make_conn(
            reader(seen), timeout_body_read=5, timeout_body_min_rate=1000, timeout_body_grace=0.3
        )
        conn.feed(head(1000))
        for _ in range(30):  # 10 bytes every 50 ms: 200 bytes/s, under 1000
            if conn.transport.closed:
                break
            conn.feed(b"x" * 10)
            await asyncio.sleep(0.05)
        await conn.wait_closed(timeout=3)
        [resp] = conn.responses()
        assert resp.status == 408
        assert resp.body == b"Request Timeout: request body slower than 1000 bytes/s"

    run(main())


def test_steady_upload_unaffected(make_conn: MakeConn) -> None:
    async def main() -> None:
        seen: list[Any] = []
        conn = make_conn(
            reader(seen), timeout_body_read=0.3, timeout_body_min_rate=1000, timeout_body_grace=0.2
        )
        conn.feed(head(24 * 200))
        for _ in range(24):  # 200 bytes every 40 ms: 5000 bytes/s for about 1 s
            conn.feed(b"y" * 200)
            await asyncio.sleep(0.04)
        await conn.wait_for(lambda: len(conn.responses()) == 1)
        [resp] = conn.responses()
        assert (resp.status, resp.body) == (200, b"4800")
        assert not conn.transport.closed

    run(main())


def test_time_the_server_is_not_reading_does_not_count(make_conn: MakeConn) -> None:
    async def main() -> None:
        seen: list[Any] = []
        # The app waits 0.8 s before reading; the body fills the read buffer,
        # so the server pauses reading and the client cannot send.
        conn = make_conn(
            reader(seen, delay=0.8),
            timeout_body_read=0.3,
            timeout_body_min_rate=1000,
            timeout_body_grace=0.2,
            read_buffer_high_water=16,
        )
        conn.feed(head(64) + b"z" * 32)
        await asyncio.sleep(0.1)
        assert not conn.transport.reading
        await conn.wait_for(lambda: conn.transport.reading, timeout=3)
        conn.feed(b"z" * 32)
        await conn.wait_for(lambda: len(conn.responses()) == 1)
        assert conn.responses()[0].body == b"64"

    run(main())


def test_expect_continue_waits_for_the_app(make_conn: MakeConn) -> None:
    async def main() -> None:
        seen: list[Any] = []
        conn = make_conn(reader(seen, delay=0.6), timeout_body_read=0.2, timeout_body_min_rate=None)
        conn.feed(head(3, b"Expect: 100-continue\r\n"))
        await conn.wait_for(lambda: b"100 Continue" in conn.transport.data, timeout=3)
        conn.feed(b"abc")
        await conn.wait_for(lambda: b"HTTP/1.1 200" in conn.transport.data)
        await conn.settle()
        assert conn.responses()[0].body == b"3"

    run(main())


def test_timeouts_off(make_conn: MakeConn) -> None:
    async def main() -> None:
        seen: list[Any] = []
        conn = make_conn(reader(seen), timeout_body_read=None, timeout_body_min_rate=0)
        conn.feed(head(4) + b"ab")
        await asyncio.sleep(0.3)
        assert not conn.transport.closed and conn.proto.timer_kind == 0
        conn.feed(b"cd")
        await conn.wait_for(lambda: len(conn.responses()) == 1)

    run(main())


def test_whole_body_in_one_read_arms_no_timer(make_conn: MakeConn) -> None:
    async def main() -> None:
        seen: list[Any] = []
        conn = make_conn(reader(seen))
        if conn.feed_mode == "bytewise":
            return  # a byte-by-byte body spans reads by construction
        conn.feed(head(3) + b"abc")
        assert conn.proto.timer_kind != 3  # _TIMER_BODY
        await conn.wait_for(lambda: len(conn.responses()) == 1)

    run(main())


def test_stalled_body_of_an_upgrade_request_408(make_conn: MakeConn) -> None:
    async def main() -> None:
        seen: list[Any] = []
        conn = make_conn(reader(seen), ws="none", timeout_body_read=0.3, timeout_body_min_rate=None)
        conn.feed(head(10, b"Connection: upgrade\r\nUpgrade: h2c\r\n"))  # no body byte yet
        await conn.wait_closed(timeout=3)
        assert [r.status for r in conn.responses()] == [408]

    run(main())
