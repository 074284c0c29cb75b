"""The in-memory transport and request loop shared by the in-process server probes.

``_server_probe`` and ``_log_probe`` drive one ``HttpProtocol`` without
sockets: request bytes go to ``data_received`` and the event loop runs until
the response is written. Both use this transport and this loop, so their
figures measure the same thing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import uvloop

from zephyr.server.protocol import HttpProtocol

__all__ = ["ProbeTransport", "best_of", "connect", "serve"]

_INFO = {"peername": ("127.0.0.1", 50000), "sockname": ("127.0.0.1", 8000)}


class ProbeTransport(asyncio.Transport):
    """Counts writes; a probe only needs to know a response went out."""

    def __init__(self) -> None:
        super().__init__()
        self.written = 0
        self.closed = False
        self.reading = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return _INFO.get(name, default)

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


def connect(proto: HttpProtocol) -> ProbeTransport:
    """Connect ``proto`` to a fresh probe transport.

    Args:
        proto: A protocol not yet connected.

    Returns:
        The transport, whose ``written`` count tells a response went out.
    """
    transport = ProbeTransport()
    proto.connection_made(transport)
    return transport


async def serve(proto: HttpProtocol, transport: ProbeTransport, data: bytes, count: int) -> None:
    """Send one request ``count`` times, each once the previous one is answered.

    Args:
        proto: A protocol connected to ``transport`` (see :func:`connect`).
        transport: Its probe transport.
        data: One keep-alive request's bytes.
        count: How many times to send it.

    Raises:
        RuntimeError: When the protocol closed the connection.
    """
    feed = proto.data_received
    for _ in range(count):
        before = transport.written
        feed(data)
        while transport.written == before or proto.cycle is not None:
            await asyncio.sleep(0)
    if transport.closed:
        raise RuntimeError("the probe's connection was closed")


def best_of(cases: Sequence[str], rounds: int, measure: Callable[[str], Awaitable[float]]) -> None:
    """Measure every case ``rounds`` times, interleaved, on uvloop; print the best of each.

    Args:
        cases: The case names, measured in this order each round.
        rounds: How many rounds.
        measure: Returns one case's cost in µs per request.
    """
    best: dict[str, float] = {}

    async def run() -> None:
        for _ in range(rounds):
            for case in cases:
                cost = await measure(case)
                best[case] = min(best.get(case, cost), cost)

    uvloop.run(run())
    width = max(map(len, cases)) + 2
    for case in cases:
        print(f"{case:{width}s} {best[case]:6.2f} µs/request")
