"""Lingering close: drain what the client still sends after an early answer, then close.

When the server answers before the request body has arrived (413, 400, an
app that responds without reading), closing at once makes the kernel answer
the client's next bytes with a reset, and many clients (any that send the
whole body before reading) then never see the response. The connection is
handed to a :class:`Linger` instead: the answer is complete (a FIN follows
it where the transport can half-close), incoming bytes are discarded, and
the connection closes when the client closes, after ``seconds``, or once
more than ``max_bytes`` arrived, whichever comes first.
"""

from __future__ import annotations

import asyncio
import contextlib

__all__ = ["Linger"]


class Linger(asyncio.Protocol):
    """Discard a connection's remaining input for a bounded time and byte count.

    Args:
        owner: The protocol the connection belonged to; its
            ``connection_lost`` is called when the connection ends.
        transport: The connection; its protocol is switched to this one.
        loop: The event loop (for the time bound).
        seconds: Longest time to keep draining, seconds.
        max_bytes: Most bytes to discard before closing anyway.
    """

    def __init__(
        self,
        owner: asyncio.BaseProtocol,
        transport: asyncio.Transport,
        loop: asyncio.AbstractEventLoop,
        seconds: float,
        max_bytes: int,
    ) -> None:
        self.owner = owner
        self.transport = transport
        self.left = max_bytes
        self.discarded = 0
        self.timer = loop.call_later(seconds, self.stop)

    def start(self) -> None:
        """Take over the connection: half-close the write side and read again."""
        self.transport.set_protocol(self)
        # A FIN tells a client that reads concurrently that the answer is all
        # there is; TLS transports cannot half-close and skip it.
        with contextlib.suppress(NotImplementedError, OSError, RuntimeError):
            if self.transport.can_write_eof():
                self.transport.write_eof()
        if not self.transport.is_reading():
            self.transport.resume_reading()

    def data_received(self, data: bytes) -> None:
        """Discard ``data``; close once more than ``max_bytes`` arrived."""
        self.discarded += len(data)
        self.left -= len(data)
        if self.left < 0:
            self.stop()

    def eof_received(self) -> bool | None:
        """The client is done sending: the connection closes."""
        return None

    def stop(self) -> None:
        """Close the connection now."""
        if not self.transport.is_closing():
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        """Stop the clock and let the owner clean up."""
        self.timer.cancel()
        self.owner.connection_lost(exc)
