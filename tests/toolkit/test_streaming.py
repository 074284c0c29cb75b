"""Streaming on real sockets (backpressure, disconnects) and JSON Lines path operations."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from pydantic import BaseModel

from tests.server.sockets import serve
from zephyr import Depends
from zephyr.applications import Zephyr
from zephyr.background import BackgroundTask
from zephyr.responses import StreamingResponse
from zephyr.server.state import ServerState
from zephyr.testclient import TestClient

CHUNK = 64 * 1024
GET = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"


async def until_stable(read: Callable[[], int], quiet: float = 0.3) -> int:
    """Wait until ``read()`` is non-zero and hasn't changed for ``quiet`` seconds."""
    last = -1
    while True:
        value = read()
        if value == last and value:
            return value
        last = value
        await asyncio.sleep(quiet)


async def wait_until(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.02)


def open_stalled_client(port: int) -> socket.socket:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
    sock.connect(("127.0.0.1", port))
    sock.sendall(GET)
    return sock


@pytest.mark.parametrize("kind", ["async", "sync"])
def test_slow_reader_bounds_buffering_then_disconnect_closes_generator(kind: str) -> None:
    produced = 0
    closed = threading.Event()
    total_chunks = 2000  # 125 MiB if nothing held the generator back

    async def agen() -> AsyncIterator[bytes]:
        nonlocal produced
        try:
            for _ in range(total_chunks):
                produced += 1
                yield b"x" * CHUNK
        finally:
            closed.set()

    def sgen() -> Iterator[bytes]:
        nonlocal produced
        try:
            for _ in range(total_chunks):
                produced += 1
                yield b"x" * CHUNK
        finally:
            closed.set()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await StreamingResponse(agen() if kind == "async" else sgen())(scope, receive, send)

    async def test(port: int, state: ServerState) -> None:
        sock = open_stalled_client(port)
        try:
            stalled_at = await until_stable(lambda: produced)
            # Kernel buffers + the transport's high-water mark + a chunk or two:
            # a few MiB at most, nowhere near the 125 MiB the generator offers.
            assert stalled_at * CHUNK < 16 * 1024 * 1024
            assert stalled_at < total_chunks
            # Reading some lets it advance again.
            got = 0
            while got < 4 * 1024 * 1024:
                got += len(await asyncio.to_thread(sock.recv, 1024 * 1024))
            await wait_until(lambda: produced > stalled_at)
            assert not closed.is_set()
        finally:
            sock.close()
        await wait_until(closed.is_set)
        await wait_until(lambda: not state.tasks)
        assert produced < total_chunks

    serve(app, test)


def test_disconnect_mid_stream_runs_cleanup_and_background() -> None:
    events: list[str] = []

    async def ticks() -> AsyncIterator[str]:
        try:
            while True:
                yield "tick\n"
                await asyncio.sleep(0.01)
        finally:
            events.append("finally")

    async def app(scope: Any, receive: Any, send: Any) -> None:
        response = StreamingResponse(ticks(), background=BackgroundTask(events.append, "bg"))
        await response(scope, receive, send)

    async def test(port: int, state: ServerState) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(GET)
        head = await reader.readuntil(b"\r\n\r\n")
        assert b"transfer-encoding: chunked" in head
        assert b"tick" in await reader.read(100)
        writer.close()
        await wait_until(lambda: "finally" in events and not state.tasks)

    serve(app, test)
    assert events[0] == "finally"


# -- JSON Lines path operations ------------------------------------------------------


class Item(BaseModel):
    name: str
    price: float


def make_api() -> tuple[Zephyr, dict[str, Any]]:
    app = Zephyr()
    seen: dict[str, Any] = {"closed": []}

    @app.get("/items")
    async def items(count: int = 3) -> AsyncIterator[Item]:
        try:
            for i in range(count):
                yield Item(name=f"i{i}", price=i)
        finally:
            seen["closed"].append("items")

    @app.get("/dicts")
    async def dicts() -> AsyncIterator[Item]:
        yield {"name": "d", "price": "2.5"}  # type: ignore[misc]  # validated into Item

    @app.get("/sync")
    def sync_items() -> Iterator[Item]:
        seen["thread"] = threading.current_thread().name
        yield Item(name="s", price=1)
        yield Item(name="t", price=2)

    @app.get("/untyped")
    async def untyped():  # type: ignore[no-untyped-def]
        yield {"a": 1}
        yield "text"
        yield [1, 2]

    @app.get("/bad")
    async def bad() -> AsyncIterator[Item]:
        yield Item(name="ok", price=1)
        yield {"name": "missing price"}  # type: ignore[misc]

    @app.post("/created", status_code=201)
    async def created() -> AsyncIterator[int]:
        yield 1

    return app, seen


def lines(text: str) -> list[Any]:
    assert text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def test_jsonl_typed_items() -> None:
    app, seen = make_api()
    client = TestClient(app)
    response = client.get("/items", params={"count": 3})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/jsonl"
    assert response.text == (
        '{"name":"i0","price":0.0}\n{"name":"i1","price":1.0}\n{"name":"i2","price":2.0}\n'
    )
    assert seen["closed"] == ["items"]


def test_jsonl_validates_and_coerces_items() -> None:
    client = TestClient(make_api()[0])
    assert lines(client.get("/dicts").text) == [{"name": "d", "price": 2.5}]


def test_jsonl_sync_generator_runs_in_thread_pool() -> None:
    app, seen = make_api()
    client = TestClient(app)
    assert lines(client.get("/sync").text) == [
        {"name": "s", "price": 1.0},
        {"name": "t", "price": 2.0},
    ]
    assert seen["thread"] != threading.main_thread().name


def test_jsonl_untyped() -> None:
    client = TestClient(make_api()[0])
    assert lines(client.get("/untyped").text) == [{"a": 1}, "text", [1, 2]]


def test_jsonl_query_validation_still_422() -> None:
    client = TestClient(make_api()[0])
    response = client.get("/items", params={"count": "many"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "count"]


def test_jsonl_status_code() -> None:
    response = TestClient(make_api()[0]).post("/created")
    assert response.status_code == 201
    assert response.text == "1\n"


def test_jsonl_invalid_item_ends_stream_abruptly() -> None:
    app, _ = make_api()

    async def test(port: int, state: ServerState) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /bad HTTP/1.1\r\nHost: x\r\n\r\n")
        data = await asyncio.wait_for(reader.read(), timeout=10)  # until the server closes
        writer.close()
        head, _, body = data.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200")
        assert b'{"name":"ok","price":1.0}\n' in body
        assert not body.endswith(b"0\r\n\r\n")  # no last chunk: the client sees a cut

    serve(app, test)


def test_jsonl_yield_dependency_ends_after_the_stream() -> None:
    order: list[str] = []

    async def resource() -> AsyncIterator[str]:
        order.append("open")
        yield "db"
        order.append("close")

    app = Zephyr()

    @app.get("/rows")
    async def rows(db: str = Depends(resource)) -> AsyncIterator[int]:
        for i in range(3):
            order.append(f"row{i}")
            yield i

    assert TestClient(app).get("/rows").text == "0\n1\n2\n"
    assert order == ["open", "row0", "row1", "row2", "close"]


def test_jsonl_client_disconnect_closes_endpoint_generator() -> None:
    app = Zephyr()
    state = {"yielded": 0, "closed": False}

    @app.get("/forever")
    async def forever() -> AsyncIterator[int]:
        try:
            while True:
                state["yielded"] += 1
                yield state["yielded"]
        finally:
            state["closed"] = True

    async def test(port: int, server_state: ServerState) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /forever HTTP/1.1\r\nHost: x\r\n\r\n")
        await reader.readuntil(b"\r\n\r\n")
        await reader.readuntil(b"\n")
        writer.close()
        await wait_until(lambda: bool(state["closed"]) and not server_state.tasks)

    serve(app, test)
    yielded = state["yielded"]
    assert isinstance(yielded, int)
    assert yielded > 0
