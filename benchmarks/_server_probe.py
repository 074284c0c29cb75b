"""Quick probe: per-request cost of zephyr's HTTP server protocol, no sockets.

Usage: ``python -m benchmarks._server_probe [requests] [rounds]``.

One ``HttpProtocol`` is driven through an in-memory transport on one uvloop
event loop: each request's bytes are fed to ``data_received`` and the loop
runs until the response is written, so the number is the server's own cost
per request (parsing, scope, the request task, response framing) plus a raw
ASGI hello app, without the kernel's socket work. Cases: a keep-alive GET, a
POST with a 64-byte Content-Length body, and a chunked POST. Costs are CPU
time of the thread (``time.thread_time``); the best of the rounds is kept.
Not the benchmark harness: a before/after check for the protocol's hot path.
"""

from __future__ import annotations

import asyncio
import sys
import time
from typing import Any

import uvloop

from zephyr.server.config import Config
from zephyr.server.protocol import HttpProtocol
from zephyr.server.state import ServerState

CASES: list[tuple[str, bytes]] = [
    ("get", b"GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nUser-Agent: probe\r\n\r\n"),
    (
        "post-length",
        b"POST /items HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nContent-Type: application/json\r\n"
        b"Content-Length: 64\r\n\r\n" + b"x" * 64,
    ),
    (
        "post-chunked",
        b"POST /items HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"40\r\n" + b"x" * 64 + b"\r\n0\r\n\r\n",
    ),
]


async def app(scope: Any, receive: Any, send: Any) -> None:
    if scope["method"] == "POST":
        message = await receive()
        while message.get("more_body"):
            message = await receive()
    headers = [(b"content-type", b"text/plain")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"Hello, world!"})


class _Transport(asyncio.Transport):
    """Counts writes; the probe only needs to know a response went out."""

    def __init__(self) -> None:
        super().__init__()
        self.written = 0
        self.closed = False
        self.reading = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 50000), "sockname": ("127.0.0.1", 8000)}.get(
            name, default
        )

    def write(self, data: Any) -> None:
        self.written += 1

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def pause_reading(self) -> None:
        self.reading = False

    def resume_reading(self) -> None:
        self.reading = True

    def is_reading(self) -> bool:
        return self.reading

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        pass

    def get_write_buffer_size(self) -> int:
        return 0


async def _measure(data: bytes, count: int) -> float:
    proto = HttpProtocol(Config(app=app, access_log=False), app, ServerState(), {})
    transport = _Transport()
    proto.connection_made(transport)
    feed = proto.data_received
    start = time.thread_time()
    for _ in range(count):
        before = transport.written
        feed(data)
        while transport.written == before or proto.cycle is not None:
            await asyncio.sleep(0)
    elapsed = time.thread_time() - start
    assert not transport.closed, "the probe's connection was closed"
    return elapsed / count * 1e6


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    best: dict[str, float] = {}

    async def run() -> None:
        for _ in range(rounds):
            for name, data in CASES:
                cost = await _measure(data, count)
                best[name] = min(best.get(name, cost), cost)

    uvloop.run(run())
    for name, _ in CASES:
        print(f"{name:14s} {best[name]:6.2f} µs/request")


if __name__ == "__main__":
    main()
