"""Responses without content (1xx, 204, 205, 304, HEAD): no body, framing that follows, keep-alive.

RFC 9110 §15 / RFC 9112 §6.3. The rule lives in ``zephyr._nocontent``; these
tests check the server (fake transport, whole and byte by byte, and a real
socket) and the toolkit/API layer that build such responses.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Awaitable
from typing import Any

import h11
import pytest

from tests.server.sockets import serve
from zephyr import FastAPI, HTTPException
from zephyr._nocontent import has_content, reframe_headers
from zephyr.responses import JSONResponse, PlainTextResponse, Response
from zephyr.server.state import ServerState
from zephyr.testclient import TestClient

from .conftest import MakeConn

GET = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"


def run(coro: Awaitable[None]) -> None:
    async def bounded() -> None:
        await asyncio.wait_for(coro, timeout=10)

    asyncio.run(bounded())


def app_sending(status: int, headers: list[tuple[bytes, bytes]], chunks: list[bytes]) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": status, "headers": headers})
        for i, chunk in enumerate(chunks):
            await send(
                {"type": "http.response.body", "body": chunk, "more_body": i < len(chunks) - 1}
            )

    return app


@pytest.mark.parametrize(
    ("status", "headers", "chunks", "length"),
    [
        (205, [(b"content-length", b"14")], [b'{"hello":"x"}!'], b"0"),
        (205, [(b"Content-Length", b"14")], [b""], b"0"),
        (205, [(b"transfer-encoding", b"chunked")], [b"ab", b"cd"], b"0"),
        (205, [], [b"abc", b""], b"0"),
        (204, [(b"content-length", b"3")], [b"abc"], None),
        (204, [(b"transfer-encoding", b"chunked")], [b"a", b""], None),
        (304, [(b"content-length", b"3")], [b""], b"3"),
    ],
    ids=["205-length", "205-length-empty", "205-chunked", "205-streamed", "204-length",
         "204-chunked", "304-length-kept"],
)  # fmt: skip
def test_no_content_status_keeps_connection(
    make_conn: MakeConn,
    status: int,
    headers: list[tuple[bytes, bytes]],
    chunks: list[bytes],
    length: bytes | None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def main() -> None:
        conn = make_conn(app_sending(status, headers, chunks))
        conn.feed(GET + GET)
        await conn.wait_for(lambda: conn.transport.data.count(b"HTTP/1.1 ") == 2)
        await conn.settle()
        # h11 is the client here: it reads the two responses off one connection.
        client = h11.Connection(h11.CLIENT)
        client.send(h11.Request(method="GET", target="/", headers=[("Host", "x")]))
        client.send(h11.EndOfMessage())
        client.receive_data(conn.transport.data)
        response = client.next_event()
        assert isinstance(response, h11.Response)
        assert response.status_code == status
        assert dict(response.headers).get(b"content-length") == length
        assert b"transfer-encoding" not in dict(response.headers)
        assert isinstance(client.next_event(), h11.EndOfMessage)
        client.start_next_cycle()
        client.send(h11.Request(method="GET", target="/", headers=[("Host", "x")]))
        client.send(h11.EndOfMessage())
        assert isinstance(client.next_event(), h11.Response)
        assert isinstance(client.next_event(), h11.EndOfMessage)
        assert client.next_event() is h11.NEED_DATA  # nothing left over
        assert not conn.transport.closed
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]

    run(main())


def test_head_keeps_content_length(make_conn: MakeConn) -> None:
    async def main() -> None:
        conn = make_conn(app_sending(200, [], [b"hello"]))
        conn.feed(b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n" + GET)
        await conn.wait_for(lambda: len(conn.responses(head_methods=(0,))) == 2)
        head, get = conn.responses(head_methods=(0,))
        assert head.header(b"content-length") == b"5" and head.body == b""
        assert get.body == b"hello"

    run(main())


def test_rule() -> None:
    assert [s for s in (100, 101, 199, 200, 204, 205, 206, 304, 404) if not has_content(s)] == [
        100, 101, 199, 204, 205, 304,
    ]  # fmt: skip
    headers = [(b"content-length", b"9"), (b"transfer-encoding", b"chunked"), (b"x", b"1")]
    reframe_headers(headers, 205)
    assert headers == [(b"x", b"1"), (b"content-length", b"0")]
    headers = [(b"content-length", b"9"), (b"x", b"1")]
    reframe_headers(headers, 204)
    assert headers == [(b"x", b"1")]
    headers = [(b"content-length", b"9")]
    reframe_headers(headers, 304)
    assert headers == [(b"content-length", b"9")]


def test_toolkit_responses() -> None:
    plain = PlainTextResponse("hello", status_code=205)
    assert plain.body == b""
    assert (b"content-length", b"0") in plain.raw_headers
    given = Response("hello", status_code=205, headers={"content-length": "5"})
    assert given.body == b""
    assert [v for k, v in given.raw_headers if k == b"content-length"] == [b"0"]
    assert not [k for k, _ in Response(b"", status_code=204).raw_headers if k == b"content-length"]
    assert JSONResponse(None, status_code=205).headers["content-length"] == "0"


def make_api() -> FastAPI:
    app = FastAPI()

    @app.get("/reset", status_code=205)
    def reset() -> dict[str, str]:
        return {"hello": "world"}

    @app.get("/plain")
    def plain() -> PlainTextResponse:
        return PlainTextResponse("hello", status_code=205)

    @app.get("/raise")
    def raise_205() -> None:
        raise HTTPException(205)

    @app.get("/ok")
    def ok() -> dict[str, bool]:
        return {"ok": True}

    return app


@pytest.mark.parametrize("path", ["/reset", "/plain", "/raise"])
def test_api_205_through_testclient(path: str) -> None:
    with TestClient(make_api()) as client:
        response = client.get(path)
    assert response.status_code == 205
    assert response.headers["content-length"] == "0"
    assert response.content == b""


def test_api_205_keep_alive_real_server(caplog: pytest.LogCaptureFixture) -> None:
    """A status_code=205 route over one keep-alive connection of the real server."""

    async def test(port: int, state: ServerState) -> None:
        loop = asyncio.get_running_loop()
        sock = socket.create_connection(("127.0.0.1", port))
        sock.setblocking(False)
        client = h11.Connection(h11.CLIENT)
        try:
            for path in ("/reset", "/plain", "/raise", "/reset", "/ok"):
                request = h11.Request(method="GET", target=path, headers=[("Host", "x")])
                await loop.sock_sendall(
                    sock, client.send(request) + client.send(h11.EndOfMessage())
                )
                events: list[Any] = []
                while not events or not isinstance(events[-1], h11.EndOfMessage):
                    event = client.next_event()
                    if event is h11.NEED_DATA:
                        data = await loop.sock_recv(sock, 65536)
                        assert data, f"connection closed after {path}"
                        client.receive_data(data)
                    else:
                        events.append(event)
                response = events[0]
                body = b"".join(bytes(e.data) for e in events if isinstance(e, h11.Data))
                if path == "/ok":
                    assert (response.status_code, body) == (200, b'{"ok":true}')
                else:
                    assert response.status_code == 205
                    assert dict(response.headers)[b"content-length"] == b"0"
                    assert body == b""
                client.start_next_cycle()
            assert state.total_requests == 5
        finally:
            sock.close()

    with caplog.at_level(logging.ERROR):
        serve(make_api(), test, timeout=10)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
