"""Proxy headers applied inside the protocol: trusted peers only, per request."""

from __future__ import annotations

from typing import Any

from zephyr.server.proxy_headers import ProxyHeadersMiddleware

from .conftest import MakeConn
from .test_protocol import hello, run

FORWARDED = (
    b"GET / HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 203.0.113.9, 10.0.0.2\r\n"
    b"X-Forwarded-Proto: https\r\n\r\n"
)
PLAIN = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"


def _recording() -> tuple[list[dict[str, Any]], Any]:
    seen: list[dict[str, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(dict(scope))
        await hello(scope, receive, send)

    return seen, app


def test_trusted_peer_rewrites_client_and_scheme(make_conn: MakeConn) -> None:
    seen, app = _recording()

    async def main() -> None:
        proxy = ProxyHeadersMiddleware(app, "127.0.0.1, 10.0.0.0/8")
        conn = make_conn(proxy)
        conn.feed(FORWARDED + PLAIN)
        await conn.settle()
        assert [r.status for r in conn.responses()] == [200, 200]
        assert seen[0]["client"] == ("203.0.113.9", 0)
        assert seen[0]["scheme"] == "https"
        # The next request on the same connection carries no forwarding
        # headers: it must not inherit the previous request's rewrite.
        assert seen[1]["client"] == ("127.0.0.1", 50000)
        assert seen[1]["scheme"] == "http"

    run(main())


def test_untrusted_peer_headers_ignored(make_conn: MakeConn) -> None:
    seen, app = _recording()

    async def main() -> None:
        proxy = ProxyHeadersMiddleware(app, "10.0.0.1")
        conn = make_conn(proxy, extra={"peername": ("198.51.100.7", 4000)})
        conn.feed(FORWARDED)
        await conn.settle()
        assert conn.responses()[0].status == 200
        assert seen[0]["client"] == ("198.51.100.7", 4000)
        assert seen[0]["scheme"] == "http"

    run(main())


def test_unix_socket_peer_is_trusted(make_conn: MakeConn) -> None:
    seen, app = _recording()

    async def main() -> None:
        proxy = ProxyHeadersMiddleware(app, "10.0.0.1")
        conn = make_conn(proxy, extra={"peername": None, "sockname": "/tmp/z.sock"})
        conn.feed(FORWARDED)
        await conn.settle()
        # Right-most entry not in the trusted set is the client.
        assert seen[0]["client"] == ("10.0.0.2", 0)
        assert seen[0]["scheme"] == "https"

    run(main())


def test_hostile_forwarding_values_do_not_break_the_request(make_conn: MakeConn) -> None:
    seen, app = _recording()

    async def main() -> None:
        proxy = ProxyHeadersMiddleware(app, "*")
        conn = make_conn(proxy)
        junk = b", ".join([b"\xff\xfe"] * 500)
        conn.feed(
            b"GET / HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: " + junk + b"\r\n"
            b"X-Forwarded-Proto: gopher\r\n\r\n"
        )
        await conn.settle()
        assert conn.responses()[0].status == 200
        assert seen[0]["scheme"] == "http"  # unknown proto ignored

    run(main())
