"""The many-connections client: N keep-alive connections, each asking ``GET path`` at a steady pace.

Run by ``benchmarks.connections`` pinned to the core the server does not use::

    python -m benchmarks._conn_client PORT --connections 10000 --interval 2 --seconds 10

It opens the connections in batches (the server's accept queue is bounded by
the kernel's ``somaxconn``), then each connection sends one request every
``interval`` seconds (request starts spread uniformly over the first
interval) and waits for its response before the next. Latencies are kept
from the moment every connection has been opened; errors are counted from
the start. One JSON line on stdout is the result.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import math
import random
import resource
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, cast

TIMEOUT = 10.0  # seconds: a response slower than this is an error, as wrk --timeout counts it
BATCH = 250  # connections opened at once, then PAUSE seconds for the server to accept them
PAUSE = 0.1


class ResponseError(Exception):
    """The response could not be framed (no Content-Length) or the connection ended."""


class Connection(asyncio.Protocol):
    """One keep-alive connection that frames ``Content-Length`` responses."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future[int] | None = None
        self.closed = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        head_end = self.buffer.find(b"\r\n\r\n")
        if head_end < 0 or self.waiter is None or self.waiter.done():
            return
        head = bytes(self.buffer[:head_end]).lower()
        marker = head.find(b"\r\ncontent-length:")
        if marker < 0:
            self.waiter.set_exception(ResponseError("response without content-length"))
            return
        value_end = head.find(b"\r\n", marker + 2)
        length = int(head[marker + 17 : value_end if value_end >= 0 else None])
        end = head_end + 4 + length
        if len(self.buffer) >= end:
            status = int(head[9:12])
            del self.buffer[:end]
            self.waiter.set_result(status)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ResponseError("connection closed by the server"))

    async def ask(self, request: bytes) -> int:
        """Send ``request`` and return the response's status code."""
        assert self.transport is not None
        if self.closed:
            raise ResponseError("connection closed by the server")
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(request)
        return await asyncio.wait_for(self.waiter, TIMEOUT)


@dataclass
class Stats:
    """What the run saw; ``measuring`` turns on once every connection is open."""

    open: int = 0
    peak_open: int = 0
    connected: int = 0
    measuring: bool = False
    deadline: float = math.inf  # set once every connection is open
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)


async def session(port: int, request: bytes, interval: float, s: Stats) -> None:
    """One connection's life: connect, then one request per ``interval`` until ``s.deadline``."""
    loop = asyncio.get_running_loop()
    try:
        transport, conn = await asyncio.wait_for(
            loop.create_connection(Connection, "127.0.0.1", port), TIMEOUT
        )
    except (OSError, TimeoutError):
        s.errors["connect"] += 1
        return
    s.connected += 1
    s.open += 1
    s.peak_open = max(s.peak_open, s.open)
    try:
        await asyncio.sleep(random.uniform(0, interval))
        while time.monotonic() < s.deadline:
            started = time.perf_counter()
            try:
                status = await conn.ask(request)
            except TimeoutError:
                s.errors["timeout"] += 1
                return
            except ResponseError:
                s.errors["read"] += 1
                return
            took = time.perf_counter() - started
            if status != 200:
                s.errors["status"] += 1
            if s.measuring:
                s.latencies.append(took)
            await asyncio.sleep(max(0.0, interval - took))
    finally:
        s.open -= 1
        transport.close()


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)] if ordered else float("nan")


async def run(
    port: int, path: str, connections: int, interval: float, seconds: float
) -> dict[str, Any]:
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
    s = Stats()
    started = time.monotonic()
    tasks = []
    for number in range(connections):
        tasks.append(asyncio.ensure_future(session(port, request, interval, s)))
        if number % BATCH == BATCH - 1:
            await asyncio.sleep(PAUSE)
    ramp_limit = started + connections / BATCH * PAUSE * 4 + TIMEOUT
    while s.connected + s.errors["connect"] < connections and time.monotonic() < ramp_limit:
        await asyncio.sleep(0.05)
    ramp = time.monotonic() - started
    # The client's own collector pauses (its heap holds every connection's
    # objects) would show up as server latency: none while measuring.
    gc.disable()
    await asyncio.sleep(interval)  # every connection has made a request since the ramp
    s.measuring = True
    s.deadline = time.monotonic() + seconds
    measured = seconds
    await asyncio.gather(*tasks)
    return {
        "connections": connections,
        "connected": s.connected,
        "client_peak_open": s.peak_open,
        "ramp_s": round(ramp, 2),
        "interval_s": interval,
        "measured_s": measured,
        "requests": len(s.latencies),
        "rps": round(len(s.latencies) / measured) if measured else 0,
        "p50_ms": round(percentile(s.latencies, 0.50) * 1000, 3),
        "p99_ms": round(percentile(s.latencies, 0.99) * 1000, 3),
        "max_ms": round(max(s.latencies, default=float("nan")) * 1000, 3),
        "errors": dict(s.errors),
        # Near 1.0 means the client, not the server, set the pace: the run is not valid.
        "client_cpu_busy": round(_cpu_seconds() / (time.monotonic() - started), 2),
    }


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("port", type=int)
    parser.add_argument("--path", default="/io")
    parser.add_argument("--connections", type=int, default=10_000)
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between requests")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds")
    args = parser.parse_args()
    work = run(args.port, args.path, args.connections, args.interval, args.seconds)
    try:
        import uvloop
    except ImportError:  # the client works on asyncio's own loop, only slower
        result = asyncio.run(work)
    else:
        result = uvloop.run(work)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
