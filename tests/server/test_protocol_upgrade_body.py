"""Upgrade and CONNECT requests with a body: the body is framed, never parsed as a request.

RFC 9112 §6.3 / RFC 9110 §7.8: a body is delimited by its Content-Length or
Transfer-Encoding whatever the Upgrade header says. llhttp stops at the head
of such a request; these tests check the server frames the body anyway.
Every input is fed whole and byte by byte (the ``make_conn`` fixture).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from .conftest import MakeConn, read_body, run


def recorder(seen: list[tuple[str, bytes]]) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        body = await read_body(receive)
        seen.append((scope["path"], body))
        payload = scope["path"].encode() + b" " + body
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": payload})

    return app


SMUGGLED = b"GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"
NEXT = b"GET /next HTTP/1.1\r\nHost: x\r\n\r\n"


def chunked(data: bytes) -> bytes:
    return b"%x\r\n%b\r\n0\r\n\r\n" % (len(data), data)


# (head lines after the request line, body) for upgrades served as plain HTTP.
UPGRADES = {
    "unknown-length": (
        b"POST / HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: x\r\n"
        b"Content-Length: %d\r\n\r\n" % len(SMUGGLED),
        SMUGGLED,
    ),
    "unknown-chunked": (
        b"POST / HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: x\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n",
        chunked(SMUGGLED),
    ),
    "h2c-length": (
        b"GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
        b"HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\nContent-Length: %d\r\n\r\n" % len(SMUGGLED),
        SMUGGLED,
    ),
    "h2c-chunked": (
        b"GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
        b"HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\nTransfer-Encoding: chunked\r\n\r\n",
        chunked(SMUGGLED),
    ),
    "websocket-off-length": (
        b"GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
        b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        b"Content-Length: %d\r\n\r\n" % len(SMUGGLED),
        SMUGGLED,
    ),
}


@pytest.mark.parametrize("case", sorted(UPGRADES))
def test_upgrade_body_is_the_body(make_conn: MakeConn, case: str) -> None:
    head, body = UPGRADES[case]

    async def main() -> None:
        seen: list[tuple[str, bytes]] = []
        conn = make_conn(recorder(seen), ws="none")
        conn.feed(head + body)
        await conn.settle()
        [resp] = conn.responses()
        assert resp.status == 200
        assert resp.body == b"/ " + SMUGGLED
        assert seen == [("/", SMUGGLED)]
        assert not conn.transport.closed
        assert conn.state.total_requests == 1

    run(main())


@pytest.mark.parametrize("case", sorted(UPGRADES))
def test_upgrade_body_then_pipelined_request(make_conn: MakeConn, case: str) -> None:
    head, body = UPGRADES[case]

    async def main() -> None:
        seen: list[tuple[str, bytes]] = []
        conn = make_conn(recorder(seen), ws="none")
        conn.feed(head + body + NEXT)
        await conn.wait_for(lambda: len(conn.responses()) == 2)
        first, second = conn.responses()
        assert (first.status, first.body) == (200, b"/ " + SMUGGLED)
        assert (second.status, second.body) == (200, b"/next ")
        assert [path for path, _ in seen] == ["/", "/next"]
        assert not conn.transport.closed

    run(main())


def test_upgrade_body_behind_a_pipelined_request(make_conn: MakeConn) -> None:
    head, body = UPGRADES["h2c-chunked"]

    async def main() -> None:
        seen: list[tuple[str, bytes]] = []
        conn = make_conn(recorder(seen), ws="none")
        conn.feed(NEXT + head + body + NEXT)
        await conn.wait_for(lambda: len(conn.responses()) == 3)
        assert [r.body for r in conn.responses()] == [b"/next ", b"/ " + SMUGGLED, b"/next "]
        assert conn.transport.reading

    run(main())


def test_upgrade_body_over_max_body_size(make_conn: MakeConn) -> None:
    head, body = UPGRADES["unknown-chunked"]

    async def main() -> None:
        seen: list[tuple[str, bytes]] = []
        conn = make_conn(recorder(seen), ws="none", max_body_size=10)
        conn.feed(head + body)
        await conn.wait_closed()
        [resp] = conn.responses()
        assert resp.status == 413
        assert not any(path == "/smuggled" for path, _ in seen)

    run(main())


def test_upgrade_without_body_still_pipelines(make_conn: MakeConn) -> None:
    async def main() -> None:
        seen: list[tuple[str, bytes]] = []
        conn = make_conn(recorder(seen), ws="none")
        head = b"GET / HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: h2c\r\n\r\n"
        conn.feed(head + NEXT)
        await conn.wait_for(lambda: len(conn.responses()) == 2)
        assert [path for path, _ in seen] == ["/", "/next"]

    run(main())


@pytest.mark.parametrize(
    "framing",
    [
        b"Content-Length: %d\r\n\r\n" % len(SMUGGLED) + SMUGGLED,
        b"Transfer-Encoding: chunked\r\n\r\n",
    ],
)
def test_connect_with_body_rejected(make_conn: MakeConn, framing: bytes) -> None:
    async def main() -> None:
        seen: list[tuple[str, bytes]] = []
        conn = make_conn(recorder(seen), allow_connect=True)
        conn.feed(b"CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n" + framing)
        await conn.wait_closed()
        [resp] = conn.responses()
        assert resp.status == 400
        assert resp.header(b"connection") == b"close"
        assert seen == []

    run(main())


def test_http10_upgrade_body_then_close(make_conn: MakeConn) -> None:
    async def main() -> None:
        seen: list[tuple[str, bytes]] = []
        conn = make_conn(recorder(seen), ws="none")
        conn.feed(
            b"POST / HTTP/1.0\r\nContent-Length: 3\r\nConnection: upgrade\r\nUpgrade: h\r\n\r\n"
            b"abc" + SMUGGLED
        )
        await conn.wait_closed()
        [resp] = conn.responses()
        assert resp.body == b"/ abc"
        assert seen == [("/", b"abc")]

    run(main())


def test_smuggling_over_a_real_socket() -> None:
    """The issue's exact bytes on one TCP connection: one answer, with the body."""
    from tests.server.sockets import serve

    seen: list[tuple[str, bytes]] = []

    async def test(port: int, state: Any) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            b"POST / HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: x\r\n"
            b"Content-Length: 35\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"
            b"GET /last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        data = await asyncio.wait_for(reader.read(), timeout=5)
        writer.close()
        assert data.count(b"HTTP/1.1 200 OK") == 2
        assert b"/ GET /smuggled HTTP/1.1" in data
        assert [path for path, _ in seen] == ["/", "/last"]

    serve(recorder(seen), test, timeout=10)
