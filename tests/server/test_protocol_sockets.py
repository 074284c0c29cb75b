"""HttpProtocol on real sockets (127.0.0.1, ephemeral ports) with httpx and h11 clients."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import h11
import httpx

from tests.server.sockets import serve
from zephyr.server.state import ServerState


async def app(scope: Any, receive: Any, send: Any) -> None:
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    client = scope["client"]
    payload = f"{scope['method']} {scope['path']} {len(body)} {client[1]}".encode()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": payload})


def test_httpx_keep_alive_reuse() -> None:
    async def test(port: int, state: ServerState) -> None:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            first = await client.get("/a")
            second = await client.post("/b", content=b"x" * 100_000)
            chunks = (b"part" for _ in range(3))
            third = await client.post("/c", content=_agen(chunks))
        assert first.status_code == 200
        assert first.headers["server"] == "zephyr"
        method, path, size, port_a = first.text.split()
        assert (method, path, size) == ("GET", "/a", "0")
        assert second.text.split()[:3] == ["POST", "/b", "100000"]
        assert third.text.split()[:3] == ["POST", "/c", "12"]
        # Same client port: the connection was reused.
        assert second.text.split()[3] == port_a == third.text.split()[3]
        assert state.total_requests == 3

    serve(app, test, timeout=10)


async def _agen(chunks: Any) -> Any:
    for chunk in chunks:
        yield chunk


def test_pipelining_over_raw_socket() -> None:
    async def test(port: int, state: ServerState) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            b"GET /1 HTTP/1.1\r\nHost: x\r\n\r\n"
            b"POST /2 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
            b"GET /3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        await writer.drain()
        data = await reader.read()  # server closes after the third
        writer.close()
        conn = h11.Connection(h11.CLIENT)
        bodies = []
        for _ in range(3):
            conn.send(h11.Request(method="GET", target="/", headers=[("Host", "x")]))
            conn.send(h11.EndOfMessage())
            conn.receive_data(data)
            data = b""
            body = b""
            while True:
                event = conn.next_event()
                if isinstance(event, h11.Response):
                    assert event.status_code == 200
                elif isinstance(event, h11.Data):
                    body += event.data
                elif isinstance(event, h11.EndOfMessage):
                    break
            bodies.append(body.split()[:3])
            if conn.our_state is h11.DONE and conn.their_state is h11.DONE:
                conn.start_next_cycle()
        assert bodies == [[b"GET", b"/1", b"0"], [b"POST", b"/2", b"3"], [b"GET", b"/3", b"0"]]

    serve(app, test, timeout=10)


def test_bad_request_over_socket_closes() -> None:
    async def test(port: int, state: ServerState) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx"
        )
        data = await reader.read()
        writer.close()
        assert data.startswith(b"HTTP/1.1 400 Bad Request\r\n")
        assert b"connection: close" in data

    serve(app, test, timeout=10)


def test_client_disconnect_releases_connection() -> None:
    async def test(port: int, state: ServerState) -> None:
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
        await asyncio.sleep(0.05)
        sock.close()
        for _ in range(200):
            if not state.connections and not state.tasks:
                break
            await asyncio.sleep(0.01)
        assert not state.connections
        assert not state.tasks

    serve(app, test, timeout=10)
