"""Lingering close: an answer given before the request body arrived is read, not reset.

Protocol tests through the fake transport (whole and byte by byte) check the
bounds; end-to-end tests on real sockets (127.0.0.1) use httpx, which sends
the whole body before it reads the answer.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import httpx
import pytest

from tests.server.sockets import serve
from zephyr import FastAPI, Form
from zephyr.server.state import ServerState

from .conftest import MakeConn, run

MiB = 1 << 20


async def early(scope: Any, receive: Any, send: Any) -> None:
    """Answers without reading the body."""
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"early"})


async def reader(scope: Any, receive: Any, send: Any) -> None:
    while (await receive()).get("more_body"):
        pass
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"read"})


# -- protocol ---------------------------------------------------------------------


def test_413_drains_then_closes_on_client_eof(make_conn: MakeConn) -> None:
    async def main() -> None:
        conn = make_conn(reader, max_body_size=10, timeout_linger=5)
        conn.feed(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n" + b"a" * 40)
        await conn.settle()
        [resp] = conn.responses()
        assert resp.status == 413
        assert conn.transport.eof_written and not conn.transport.closed
        conn.feed(b"b" * 60)  # the rest of the body: discarded
        assert not conn.transport.closed
        assert conn.receiver().eof_received() is None  # the client is done: close
        conn.lose()
        assert conn.proto.closed and not conn.state.connections

    run(main())


def test_body_timeout_408_lingers(make_conn: MakeConn) -> None:
    """A body that stalls gets its 408, then the linger: the client's next bytes are no reset."""

    async def main() -> None:
        conn = make_conn(reader, timeout_linger=5, timeout_body_read=0.05)
        conn.feed(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n" + b"a")
        for _ in range(100):
            if conn.transport.eof_written:
                break
            await asyncio.sleep(0.05)
        [resp] = conn.responses()
        assert resp.status == 408
        assert conn.transport.eof_written and not conn.transport.closed
        conn.feed(b"b")  # the trickle goes on: discarded, not answered with a reset
        assert not conn.transport.closed
        assert conn.receiver().eof_received() is None
        conn.lose()
        assert conn.proto.closed

    run(main())


def test_linger_byte_bound(make_conn: MakeConn) -> None:
    async def main() -> None:
        conn = make_conn(reader, max_body_size=10, timeout_linger=5, linger_max_bytes=100)
        conn.feed(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n")
        await conn.settle()
        assert conn.responses()[0].status == 413
        conn.feed(b"c" * 100)
        assert not conn.transport.closed
        conn.feed(b"c")
        assert conn.transport.closed

    run(main())


def test_linger_time_bound(make_conn: MakeConn) -> None:
    async def main() -> None:
        conn = make_conn(early, timeout_linger=0.2)
        conn.feed(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nxyz")
        await conn.wait_for(lambda: conn.transport.eof_written)
        assert conn.responses()[0].body == b"early"
        assert not conn.transport.closed
        await conn.wait_closed(timeout=2)

    run(main())


def test_early_answer_with_body_complete_keeps_alive(make_conn: MakeConn) -> None:
    async def after_a_turn(scope: Any, receive: Any, send: Any) -> None:
        # Answers once the body is in, also when fed byte by byte (a request
        # task started eagerly, 3.12+, would otherwise answer after the head).
        await asyncio.sleep(0)
        await early(scope, receive, send)

    async def main() -> None:
        conn = make_conn(after_a_turn, timeout_linger=5)
        conn.feed(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nxyz")
        await conn.settle()
        assert conn.responses()[0].body == b"early"
        assert not conn.transport.eof_written and not conn.transport.closed

    run(main())


def test_early_answer_says_the_connection_closes(make_conn: MakeConn) -> None:
    """The head of an answer given before the body is in says ``connection: close``.

    The protocol drains the rest and closes; a client that believed the
    connection reusable would send its next request into the linger.
    """

    async def main() -> None:
        conn = make_conn(early, timeout_linger=5)
        conn.feed(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
        await conn.wait_for(lambda: conn.transport.eof_written)
        [resp] = conn.responses()
        assert (resp.body, resp.header(b"connection")) == (b"early", b"close")

    run(main())


def test_answer_after_the_body_keeps_the_connection(make_conn: MakeConn) -> None:
    async def main() -> None:
        conn = make_conn(reader, timeout_linger=5)
        conn.feed(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc")
        await conn.settle()
        [resp] = conn.responses()
        assert (resp.body, resp.header(b"connection")) == (b"read", None)
        assert not conn.transport.eof_written

    run(main())


def test_shutdown_ends_a_linger(make_conn: MakeConn) -> None:
    async def main() -> None:
        conn = make_conn(early, timeout_linger=5)
        conn.feed(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n")
        await conn.wait_for(lambda: conn.transport.eof_written)
        conn.proto.shutdown()
        assert conn.transport.closed

    run(main())


# -- real sockets -------------------------------------------------------------------


def test_early_413_large_upload_client_reads_it() -> None:
    """An 8 MiB upload against a 1 MiB limit: httpx sends it all, then reads the 413."""

    async def test(port: int, state: ServerState) -> None:
        async with httpx.AsyncClient(timeout=10) as client:
            response = await client.post(f"http://127.0.0.1:{port}/", content=b"u" * (8 * MiB))
        assert response.status_code == 413
        assert response.text == f"Request body too large: more than {MiB} bytes"

    serve(reader, test, timeout=20, max_body_size=MiB)


def test_early_413_chunked_upload_client_reads_it() -> None:
    async def chunks() -> Any:
        for _ in range(64):
            yield b"k" * 65536

    async def test(port: int, state: ServerState) -> None:
        async with httpx.AsyncClient(timeout=10) as client:
            response = await client.post(f"http://127.0.0.1:{port}/", content=chunks())
        assert response.status_code == 413

    serve(reader, test, timeout=20, max_body_size=MiB)


def test_early_app_answer_raw_socket() -> None:
    """The app answers without reading a 4 MiB body; a blocking client still reads it."""

    async def test(port: int, state: ServerState) -> None:
        def client() -> bytes:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                sock.sendall(
                    b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % (4 * MiB)
                )
                sock.sendall(b"v" * (4 * MiB))
                data = b""
                while chunk := sock.recv(65536):
                    data += chunk
                return data

        data = await asyncio.to_thread(client)
        assert data.startswith(b"HTTP/1.1 200 OK\r\n")
        assert data.endswith(b"early")

    serve(early, test, timeout=20)


def test_early_answer_client_moves_to_a_new_connection() -> None:
    """An answer before the body's end closes the connection; httpx, told so, opens another."""

    async def test(port: int, state: ServerState) -> None:
        async def slow() -> Any:
            yield b"s" * 10
            await asyncio.sleep(0.2)  # the answer goes out meanwhile
            yield b"s" * 10

        async with httpx.AsyncClient(timeout=10) as client:
            first = await client.post(f"http://127.0.0.1:{port}/", content=slow())
            assert (first.text, first.headers.get("connection")) == ("early", "close")
            second = await client.post(f"http://127.0.0.1:{port}/", content=b"done")
            assert second.text == "early"

    serve(early, test, timeout=20)


def _part(name: str, value: bytes, filename: str | None = None) -> bytes:
    disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
    return f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + value + b"\r\n"


BOUNDARY = "lingerboundary"
FORM_BODIES = {
    "100k-fields": _part("f", b"v") * 100_000,
    "1001-files": b"".join(_part("up", b"x", f"{i}.txt") for i in range(1001)),
    "2mib-field": _part("f", b"w" * (2 * MiB)),
}
# The answer names the limit that tripped, in FastAPI's words.
FORM_ERRORS = {
    "100k-fields": "Too many fields. Maximum number of fields is 1000.",
    "1001-files": "Too many files. Maximum number of files is 1000.",
    "2mib-field": "Part exceeded maximum size of 1024KB.",
}


@pytest.mark.parametrize("case", sorted(FORM_BODIES))
def test_multipart_over_limits_gets_its_answer(case: str) -> None:
    """Form limits (parts, files, part size) answer 400; the client reads it, no reset."""
    app = FastAPI()

    @app.post("/form")
    def form(f: str = Form("")) -> dict[str, str]:
        return {"f": f[:10]}

    body = FORM_BODIES[case] + f"--{BOUNDARY}--\r\n".encode()

    async def test(port: int, state: ServerState) -> None:
        async with httpx.AsyncClient(timeout=15) as client:
            response = await client.post(
                f"http://127.0.0.1:{port}/form",
                content=body,
                headers={"content-type": f"multipart/form-data; boundary={BOUNDARY}"},
            )
        assert response.status_code == 400, response.text
        assert response.json() == {"detail": FORM_ERRORS[case]}

    serve(app, test, timeout=30)
