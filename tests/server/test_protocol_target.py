"""Request target and Host (RFC 9112 §3.2, RFC 9110 §4.2, §7.2), CONNECT, and OWS in framing fields.

Fake-transport protocol tests; every input is fed whole and byte by byte.
"""

from __future__ import annotations

from typing import Any

import pytest

from zephyr import Zephyr
from zephyr.middleware.trustedhost import TrustedHostMiddleware
from zephyr.requests import Request
from zephyr.responses import PlainTextResponse

from .conftest import MakeConn, read_body, run


def recorder(seen: list[dict[str, Any]]) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        body = await read_body(receive)
        seen.append({**scope, "body": body})
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok:" + body})

    return app


def hosts(scope: dict[str, Any]) -> list[bytes]:
    return [value for name, value in scope["headers"] if name == b"host"]


async def exchange(conn: Any, data: bytes) -> None:
    conn.feed(data)
    await conn.wait_for(lambda: b"\r\n\r\n" in conn.transport.data)
    await conn.settle()


# -- Host -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GET / HTTP/1.1\r\n\r\n",
        b"GET / HTTP/1.1\r\nX: y\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a\r\nX: y\r\nhost: b\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a b\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a/b\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: user@a\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a:8x\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a:80:80\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: [::1\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a%zz\r\n\r\n",
        b"GET / HTTP/1.0\r\nHost: a b\r\n\r\n",
    ],
    ids=["none", "none-other", "two-equal", "two-differ", "space", "slash", "userinfo",
         "bad-port", "two-ports", "open-bracket", "bad-percent", "http10-invalid"],
)  # fmt: skip
def test_bad_host_400_and_close(make_conn: MakeConn, request_bytes: bytes) -> None:
    async def main() -> None:
        seen: list[dict[str, Any]] = []
        conn = make_conn(recorder(seen))
        conn.feed(request_bytes + b"GET /next HTTP/1.1\r\nHost: a\r\n\r\n")
        await conn.wait_closed()
        [resp] = conn.responses()
        assert resp.status == 400
        assert b"Host" in resp.body
        assert resp.header(b"connection") == b"close"
        assert seen == []

    run(main())


@pytest.mark.parametrize(
    "host",
    [b"a.example", b"a.example:8080", b"127.0.0.1:80", b"[::1]", b"[::1]:8000", b"",
     b"a.example:", b"xn--bcher-kva.example", b"a%41.example", b"a.example \t"],
)  # fmt: skip
def test_valid_host_served(make_conn: MakeConn, host: bytes) -> None:
    async def main() -> None:
        seen: list[dict[str, Any]] = []
        conn = make_conn(recorder(seen))
        await exchange(conn, b"GET / HTTP/1.1\r\nHost: " + host + b"\r\n\r\n")
        [resp] = conn.responses()
        assert resp.status == 200
        assert not conn.transport.closed

    run(main())


def test_http10_without_host_is_fine(make_conn: MakeConn) -> None:
    async def main() -> None:
        seen: list[dict[str, Any]] = []
        conn = make_conn(recorder(seen))
        conn.feed(b"GET / HTTP/1.0\r\n\r\n")
        await conn.wait_closed()
        [resp] = conn.responses()
        assert resp.status == 200
        assert hosts(seen[0]) == []

    run(main())


# -- absolute-form --------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "authority", "path", "query"),
    [
        (b"http://a.example/p/q?x=1", b"a.example", "/p/q", b"x=1"),
        (b"http://a.example:8080/p", b"a.example:8080", "/p", b""),
        (b"HTTPS://a.example/p%20q", b"a.example", "/p q", b""),
        (b"http://a.example", b"a.example", "/", b""),
        (b"http://a.example?x", b"a.example", "/", b"x"),
        (b"http://[::1]:8000/v6", b"[::1]:8000", "/v6", b""),
    ],
)
def test_absolute_form_authority_wins(
    make_conn: MakeConn, target: bytes, authority: bytes, path: str, query: bytes
) -> None:
    async def main() -> None:
        seen: list[dict[str, Any]] = []
        conn = make_conn(recorder(seen))
        await exchange(conn, b"GET " + target + b" HTTP/1.1\r\nHost: other.example\r\n\r\n")
        [resp] = conn.responses()
        assert resp.status == 200
        [scope] = seen
        assert hosts(scope) == [authority]
        assert (scope["path"], scope["query_string"]) == (path, query)
        assert scope["raw_path"].startswith(b"/")

    run(main())


@pytest.mark.parametrize(
    "target",
    [b"http://user@a.example/", b"http://user:pw@a.example/p", b"http://@a.example/",
     b"ftp://a.example/", b"http:///p"],
)  # fmt: skip
def test_absolute_form_rejected(make_conn: MakeConn, target: bytes) -> None:
    async def main() -> None:
        seen: list[dict[str, Any]] = []
        conn = make_conn(recorder(seen))
        conn.feed(b"GET " + target + b" HTTP/1.1\r\nHost: a.example\r\n\r\n")
        await conn.wait_closed()
        [resp] = conn.responses()
        assert resp.status == 400
        assert seen == []

    run(main())


def test_absolute_form_seen_by_request_url_and_trusted_host(make_conn: MakeConn) -> None:
    app = Zephyr()

    @app.get("/where")
    def where(request: Request) -> PlainTextResponse:
        return PlainTextResponse(str(request.url))

    guarded = TrustedHostMiddleware(app, allowed_hosts=["a.example"])

    async def main() -> None:
        conn = make_conn(guarded)
        head = b"GET http://a.example/where HTTP/1.1\r\nHost: evil.example\r\n\r\n"
        await exchange(conn, head)
        [resp] = conn.responses()
        assert (resp.status, resp.body) == (200, b"http://a.example/where")
        conn = make_conn(guarded)
        await exchange(conn, b"GET http://evil.example/where HTTP/1.1\r\nHost: a.example\r\n\r\n")
        [resp] = conn.responses()
        assert resp.status == 400  # the middleware's answer: the target's host is checked

    run(main())


# -- asterisk-form and authority-form ---------------------------------------------


def test_options_asterisk_served(make_conn: MakeConn) -> None:
    async def main() -> None:
        seen: list[dict[str, Any]] = []
        conn = make_conn(recorder(seen))
        await exchange(conn, b"OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n")
        assert conn.responses()[0].status == 200
        assert seen[0]["path"] == "*"

    run(main())


@pytest.mark.parametrize(
    "request_line",
    [b"GET * HTTP/1.1", b"POST * HTTP/1.1", b"CONNECT / HTTP/1.1", b"CONNECT a.example HTTP/1.1",
     b"CONNECT http://a.example:443/ HTTP/1.1", b"CONNECT user@a.example:443 HTTP/1.1",
     b"GET a.example:443 HTTP/1.1"],
)  # fmt: skip
def test_wrong_target_form_400(make_conn: MakeConn, request_line: bytes) -> None:
    async def main() -> None:
        seen: list[dict[str, Any]] = []
        conn = make_conn(recorder(seen), allow_connect=True)
        conn.feed(request_line + b"\r\nHost: a.example:443\r\n\r\n")
        await conn.wait_closed()
        [resp] = conn.responses()
        assert resp.status == 400
        assert seen == []

    run(main())


def test_connect_501_by_default(make_conn: MakeConn) -> None:
    async def main() -> None:
        seen: list[dict[str, Any]] = []
        conn = make_conn(recorder(seen))
        conn.feed(b"CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n")
        await conn.wait_closed()
        [resp] = conn.responses()
        assert resp.status == 501
        assert b"CONNECT" in resp.body and b"allow_connect" in resp.body
        assert seen == []

    run(main())


def test_connect_allowed_goes_to_app_then_closes(make_conn: MakeConn) -> None:
    async def main() -> None:
        seen: list[dict[str, Any]] = []
        conn = make_conn(recorder(seen), allow_connect=True)
        conn.feed(
            b"CONNECT a.example:443 HTTP/1.1\r\nHost: other:1\r\n\r\n"
            b"GET /tunnelled HTTP/1.1\r\nHost: a\r\n\r\n"
        )
        await conn.wait_closed()
        [resp] = conn.responses()
        assert resp.status == 200
        [scope] = seen
        assert scope["method"] == "CONNECT"
        assert hosts(scope) == [b"a.example:443"]
        assert scope["path"] == ""
        assert resp.header(b"connection") == b"close"

    run(main())


# -- optional whitespace in framing fields ----------------------------------------


@pytest.mark.parametrize(
    ("framing", "body"),
    [
        (b"Content-Length: 3 \t", b"abc"),
        (b"Content-Length: 3\t", b"abc"),
        (b"Content-Length:\t 3 ", b"abc"),
        (b"Transfer-Encoding: chunked \t", b"3\r\nabc\r\n0\r\n\r\n"),
        (b"Transfer-Encoding: chunked\t", b"3\r\nabc\r\n0\r\n\r\n"),
        (b"Transfer-Encoding: chunked\t \t", b"1\r\na\r\n2\r\nbc\r\n0\r\n\r\n"),
        (b"Transfer-Encoding: Chunked ", b"3\r\nabc\r\n0\r\n\r\n"),
    ],
)
def test_ows_around_framing_values(make_conn: MakeConn, framing: bytes, body: bytes) -> None:
    async def main() -> None:
        seen: list[dict[str, Any]] = []
        conn = make_conn(recorder(seen))
        head = b"POST /up HTTP/1.1\r\nHost: a\r\n" + framing + b"\r\n\r\n"
        # Twice, then a GET: the framing must end each body exactly.
        nxt = b"GET /next HTTP/1.1\r\nHost: a\r\n\r\n"
        conn.feed(head + body + head + body + nxt)
        await conn.wait_for(lambda: len(conn.responses()) == 3)
        assert [r.body for r in conn.responses()] == [b"ok:abc", b"ok:abc", b"ok:"]
        assert [s["path"] for s in seen] == ["/up", "/up", "/next"]
        assert not conn.transport.closed

    run(main())


@pytest.mark.parametrize(
    "framing",
    [b"Content-Length: 3 x", b"Content-Length: 3 3", b"Transfer-Encoding: chunked \t x",
     b"Transfer-Encoding: chunked,\t", b"Transfer-Encoding: \tgzip\t"],
)  # fmt: skip
def test_other_trailing_bytes_still_rejected(make_conn: MakeConn, framing: bytes) -> None:
    async def main() -> None:
        seen: list[dict[str, Any]] = []
        conn = make_conn(recorder(seen))
        conn.feed(b"POST / HTTP/1.1\r\nHost: a\r\n" + framing + b"\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
        await conn.wait_closed()
        [resp] = conn.responses()
        assert resp.status == 400
        assert seen == []

    run(main())


def test_relayed_chunked_body_over_limit(make_conn: MakeConn) -> None:
    async def main() -> None:
        seen: list[dict[str, Any]] = []
        conn = make_conn(recorder(seen), max_body_size=4)
        conn.feed(
            b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\t\r\n\r\n9\r\n123456789\r\n"
        )
        await conn.wait_closed()
        assert [r.status for r in conn.responses()] == [413]

    run(main())
