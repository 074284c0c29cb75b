"""Framing checks that llhttp makes first, exercised directly.

llhttp already rejects a duplicate or non-digit ``Content-Length`` and a
request carrying both ``Content-Length`` and ``Transfer-Encoding`` before the
protocol's callbacks see the second header, so no byte stream reaches these
checks (``zephyr/server/_framing.py``). They stay as defence in depth (a
parser upgrade or a lenient parser flag must not open a request-smuggling
hole, RFC 9112 section 6.3), and these tests call the parser callbacks the
way httptools does to keep them honest.
"""

from __future__ import annotations

import asyncio

import httptools
import pytest

from zephyr.server._target import Reject

from .conftest import Conn, MakeConn

# llhttp reports a field once the next line starts, so Host is seen here
# and the last field stays with the parser.
HEAD_START = b"POST / HTTP/1.1\r\nHost: x\r\nX-Pad: 1\r\n"


async def refuse(scope: object, receive: object, send: object) -> None:
    raise AssertionError("no request reaches the app")  # pragma: no cover


def _open(make_conn: MakeConn) -> Conn:
    # The request line and one header have gone through the real parser, so
    # the protocol is inside a message, as it is when llhttp calls on_header.
    conn = make_conn(refuse)
    conn.feed(HEAD_START)
    return conn


def test_llhttp_rejects_these_before_the_protocol() -> None:
    # If this starts failing, the checks below are the only line of defence:
    # they then need end-to-end tests of their own.
    class Callbacks:
        pass

    for second in (
        b"Content-Length: 1\r\nContent-Length: 1\r\n",
        b"Content-Length: 1x\r\n",
        b"Content-Length: 1\r\nTransfer-Encoding: chunked\r\n",
    ):
        parser = httptools.HttpRequestParser(Callbacks())
        with pytest.raises(httptools.HttpParserError):
            parser.feed_data(HEAD_START + second + b"\r\n0\r\n\r\n")


@pytest.mark.parametrize("feed_mode", ["whole"], indirect=True)
@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ([(b"Content-Length", b"1"), (b"content-length", b"1")], "duplicate Content-Length"),
        ([(b"Content-Length", b"1x")], "invalid Content-Length"),
        ([(b"Content-Length", b"+1")], "invalid Content-Length"),
        ([(b"Content-Length", b"1" * 30)], "invalid Content-Length"),
    ],
)
def test_content_length_checks(
    make_conn: MakeConn, headers: list[tuple[bytes, bytes]], reason: str
) -> None:
    async def main() -> None:
        conn = _open(make_conn)
        *first, last = headers
        for name, value in first:
            conn.proto.on_header(name, value)
        with pytest.raises(Reject) as info:
            conn.proto.on_header(*last)
        assert (info.value.status, info.value.reason) == (400, f"Bad Request: {reason}")
        conn.lose()

    asyncio.run(main())


@pytest.mark.parametrize("feed_mode", ["whole"], indirect=True)
@pytest.mark.parametrize(
    "order",
    [
        [(b"Content-Length", b"1"), (b"Transfer-Encoding", b"chunked")],
        [(b"Transfer-Encoding", b"chunked"), (b"Content-Length", b"1")],
    ],
)
def test_content_length_with_transfer_encoding(
    make_conn: MakeConn, order: list[tuple[bytes, bytes]]
) -> None:
    async def main() -> None:
        conn = _open(make_conn)
        for name, value in order:
            conn.proto.on_header(name, value)
        with pytest.raises(Reject) as info:
            conn.proto.on_headers_complete()
        assert (info.value.status, info.value.reason) == (
            400,
            "Bad Request: both Content-Length and Transfer-Encoding",
        )
        conn.lose()

    asyncio.run(main())
