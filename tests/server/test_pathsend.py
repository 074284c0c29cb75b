"""The server's http.response.pathsend and zephyr.sendfile support.

Framing is checked through the fake transport (the chunked-read fallback, fed
whole and byte by byte); zero-copy sendfile, TLS fallback, backpressure and
disconnects on real sockets with asyncio's loop and uvloop.
"""

from __future__ import annotations

import asyncio
import functools
import os
import socket
import ssl
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import trustme
import uvloop

from tests.server.conftest import MakeConn
from tests.server.sockets import serve
from zephyr.server import _sendfile
from zephyr.server.state import ServerState

DATA = bytes(i % 253 for i in range(300_000))
GET = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
HEAD = b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n"


@pytest.fixture
def data_file(tmp_path: Path) -> str:
    path = tmp_path / "data.bin"
    path.write_bytes(DATA)
    return str(path)


def run_async(test: Callable[..., Awaitable[None]]) -> Callable[..., None]:
    """Run an async test function on a fresh event loop, bounded in time."""

    @functools.wraps(test)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        asyncio.run(asyncio.wait_for(test(*args, **kwargs), timeout=15))

    return wrapper


async def wait_responses(conn: Any, count: int) -> None:
    def ready() -> bool:
        try:
            return len(conn.responses()) >= count
        except (AssertionError, ValueError):  # a response still partly written
            return False

    await conn.wait_for(ready)


def file_app(*messages: dict[str, Any], headers: Any = ()) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        app.scopes.append(scope)  # type: ignore[attr-defined]
        await send({"type": "http.response.start", "status": 200, "headers": list(headers)})
        for message in messages:
            await send(dict(message))

    app.scopes = []  # type: ignore[attr-defined]
    return app


# -- framing over the fake transport (fallback path) -----------------------------


@run_async
async def test_pathsend_sets_content_length(make_conn: MakeConn, data_file: str) -> None:
    app = file_app({"type": "http.response.pathsend", "path": data_file})
    conn = make_conn(app)
    conn.feed(GET + GET)  # keep-alive: the second request is served too
    await wait_responses(conn, 2)
    for response in conn.responses():
        assert response.status == 200
        assert response.header(b"content-length") == b"300000"
        assert response.body == DATA
    assert app.scopes[0]["extensions"]["http.response.pathsend"] == {}
    assert "zephyr.sendfile" in app.scopes[0]["extensions"]
    assert app.scopes[0]["extensions"] is not app.scopes[1]["extensions"]


@run_async
async def test_slice_with_offset_and_count(make_conn: MakeConn, data_file: str) -> None:
    message = {"type": "zephyr.sendfile", "path": data_file, "offset": 1000, "count": 5000}
    conn = make_conn(file_app(message))
    conn.feed(GET)
    await wait_responses(conn, 1)
    (response,) = conn.responses()
    assert response.header(b"content-length") == b"5000"
    assert response.body == DATA[1000:6000]


@run_async
async def test_count_clamped_to_file_end(make_conn: MakeConn, data_file: str) -> None:
    message = {"type": "zephyr.sendfile", "path": data_file, "offset": 299_990, "count": 10**9}
    conn = make_conn(file_app(message))
    conn.feed(GET)
    await wait_responses(conn, 1)
    assert conn.responses()[0].body == DATA[299_990:]


@run_async
async def test_slices_and_bodies_mix_chunked(make_conn: MakeConn, data_file: str) -> None:
    conn = make_conn(
        file_app(
            {"type": "http.response.body", "body": b"<", "more_body": True},
            {"type": "zephyr.sendfile", "path": data_file, "count": 10, "more_body": True},
            {
                "type": "zephyr.sendfile",
                "path": data_file,
                "offset": 20,
                "count": 5,
                "more_body": True,
            },
            {"type": "http.response.body", "body": b">"},
        )
    )
    conn.feed(GET)
    await wait_responses(conn, 1)
    (response,) = conn.responses()
    assert response.chunked
    assert response.body == b"<" + DATA[:10] + DATA[20:25] + b">"


@run_async
async def test_declared_length_is_honoured(make_conn: MakeConn, data_file: str) -> None:
    app = file_app(
        {"type": "zephyr.sendfile", "path": data_file, "count": 3, "more_body": True},
        {"type": "zephyr.sendfile", "path": data_file, "offset": 3, "count": 3},
        headers=[(b"content-length", b"6")],
    )
    conn = make_conn(app)
    conn.feed(GET)
    await wait_responses(conn, 1)
    assert conn.responses()[0].body == DATA[:6]


@run_async
async def test_head_sends_no_file(make_conn: MakeConn, data_file: str) -> None:
    conn = make_conn(file_app({"type": "http.response.pathsend", "path": data_file}))
    conn.feed(HEAD)
    await conn.wait_for(lambda: bool(conn.transport.writes))
    await conn.settle()
    (response,) = conn.responses(head_methods=(0,))
    assert response.header(b"content-length") == b"300000"
    assert conn.transport.data.endswith(b"\r\n\r\n")


@pytest.mark.parametrize(
    "message",
    [
        {"type": "http.response.pathsend", "path": "relative/file.bin"},
        {"type": "http.response.pathsend", "path": b"/bytes/path"},
        {"type": "http.response.pathsend", "path": "/no/such/file/anywhere"},
        {"type": "zephyr.sendfile", "path": "DATA", "offset": -1},
    ],
)
@run_async
async def test_bad_messages_close_without_a_partial_response(
    make_conn: MakeConn, data_file: str, message: dict[str, Any]
) -> None:
    if message["path"] == "DATA":
        message = {**message, "path": data_file}
    conn = make_conn(file_app(message))
    conn.feed(GET)
    await conn.wait_closed()
    assert conn.transport.data == b""


@run_async
async def test_longer_than_declared_length_aborts(make_conn: MakeConn, data_file: str) -> None:
    app = file_app(
        {"type": "http.response.pathsend", "path": data_file}, headers=[(b"content-length", b"5")]
    )
    conn = make_conn(app)
    conn.feed(GET)
    await conn.wait_closed()
    assert (
        b"\r\n\r\n" not in conn.transport.data
        or len(conn.transport.data.split(b"\r\n\r\n")[1]) == 0
    )


@run_async
async def test_file_shrinking_mid_send_aborts(make_conn: MakeConn, tmp_path: Path) -> None:
    path = tmp_path / "shrinks.bin"
    path.write_bytes(DATA)
    real_read_at = _sendfile._read_at

    def read_then_truncate(file: Any, offset: int, size: int) -> bytes:
        chunk = real_read_at(file, offset, size)
        os.truncate(path, 0)
        return chunk

    conn = make_conn(file_app({"type": "http.response.pathsend", "path": str(path)}))
    _sendfile._read_at = read_then_truncate  # type: ignore[assignment]
    try:
        conn.feed(GET)
        await conn.wait_closed()
    finally:
        _sendfile._read_at = real_read_at  # type: ignore[assignment]
    head, _, body = conn.transport.data.partition(b"\r\n\r\n")
    assert b"content-length: 300000" in head
    assert len(body) == _sendfile.READ_CHUNK  # the first chunk, then the connection closed


@run_async
async def test_disconnect_stops_fallback(make_conn: MakeConn, data_file: str) -> None:
    conn = make_conn(file_app({"type": "http.response.pathsend", "path": data_file}))
    reads = 0
    real_read_at = _sendfile._read_at

    def counting(file: Any, offset: int, size: int) -> bytes:
        nonlocal reads
        reads += 1
        conn.lose()  # the client goes away while the first chunk is read
        return real_read_at(file, offset, size)

    _sendfile._read_at = counting  # type: ignore[assignment]
    try:
        conn.feed(GET)
        await conn.wait_for(lambda: not conn.state.tasks)
    finally:
        _sendfile._read_at = real_read_at  # type: ignore[assignment]
    assert reads == 1


# -- real sockets: zero-copy, TLS fallback, backpressure ---------------------------

LOOPS: list[Any] = [asyncio.new_event_loop, uvloop.new_event_loop]


class SendfileSpy:
    """Counts the bytes ``os.sendfile`` moved for the server."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        self.sent = 0
        real = os.sendfile

        def spy(out_fd: int, in_fd: int, offset: int | None, count: int) -> int:
            self.calls += 1
            sent = real(out_fd, in_fd, offset, count)
            self.sent += sent
            return sent

        monkeypatch.setattr(_sendfile.os, "sendfile", spy)


@pytest.fixture
def big_file(tmp_path: Path) -> str:
    path = tmp_path / "big.bin"
    with open(path, "wb") as f:
        f.truncate(32 * 1024 * 1024)
        f.seek(12345)
        f.write(b"MARK-A")
        f.seek(32 * 1024 * 1024 - 6)
        f.write(b"MARK-Z")
    return str(path)


@pytest.mark.parametrize("loop_factory", LOOPS, ids=["asyncio", "uvloop"])
def test_zero_copy_on_plain_tcp(
    loop_factory: Any, big_file: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = SendfileSpy(monkeypatch)
    app = file_app({"type": "http.response.pathsend", "path": big_file})

    async def test(port: int, state: ServerState) -> None:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            for _ in range(2):  # the connection stays usable after a sendfile
                response = await client.get("/")
                body = response.content
                assert response.headers["content-length"] == str(32 * 1024 * 1024)
                assert len(body) == 32 * 1024 * 1024
                assert body[12345:12351] == b"MARK-A"
                assert body.endswith(b"MARK-Z")

    serve(app, test, loop_factory=loop_factory)
    assert spy.sent == 2 * 32 * 1024 * 1024
    assert spy.calls >= 2


@pytest.mark.parametrize("loop_factory", LOOPS, ids=["asyncio", "uvloop"])
def test_tls_falls_back_to_reads(
    loop_factory: Any, data_file: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = SendfileSpy(monkeypatch)
    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_context)
    client_context = ssl.create_default_context()
    ca.configure_trust(client_context)
    app = file_app({"type": "zephyr.sendfile", "path": data_file, "offset": 7, "count": 250_000})

    async def test(port: int, state: ServerState) -> None:
        async with httpx.AsyncClient(verify=client_context) as client:
            response = await client.get(f"https://127.0.0.1:{port}/")
        assert response.content == DATA[7:250_007]

    serve(app, test, loop_factory=loop_factory, ssl_context=server_context)
    assert spy.calls == 0


@pytest.mark.parametrize("loop_factory", LOOPS, ids=["asyncio", "uvloop"])
def test_non_reading_client_bounds_the_copy_then_disconnect_ends_it(
    loop_factory: Any, big_file: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = SendfileSpy(monkeypatch)
    app = file_app({"type": "http.response.pathsend", "path": big_file})

    async def test(port: int, state: ServerState) -> None:
        sock = socket.create_connection(("127.0.0.1", port))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
        sock.sendall(GET)
        # Wait until the copy stalls: the kernel buffers are full.
        last = -1
        while spy.sent != last or spy.sent == 0:
            last = spy.sent
            await asyncio.sleep(0.2)
        assert spy.sent < 16 * 1024 * 1024  # bounded by socket buffers, not the file
        sock.close()  # the client gives up: the server's copy must end
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10
        while state.tasks and loop.time() < deadline:
            await asyncio.sleep(0.02)
        assert not state.tasks

    fds_before = len(os.listdir("/proc/self/fd"))
    serve(app, test, loop_factory=loop_factory)
    assert len(os.listdir("/proc/self/fd")) <= fds_before + 2  # no leaked dup / file
