"""Read and write flow control for one HTTP connection."""

from __future__ import annotations

import asyncio

__all__ = ["FlowControl"]


class FlowControl:
    """Track whether a transport's reading and writing are paused.

    Reading is paused by the protocol when the application is behind (unread
    body bytes above the high-water mark, or pipelined requests queued).
    Writing is paused by the transport (``pause_writing``) when its send
    buffer is above its high-water mark; ``drain()`` lets ``send()`` wait for
    ``resume_writing``.

    Args:
        transport: The connection's transport.
    """

    __slots__ = ("_drain_waiter", "_transport", "read_paused", "write_paused")

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport
        self.read_paused = False
        self.write_paused = False
        self._drain_waiter: asyncio.Future[None] | None = None

    def pause_reading(self) -> None:
        """Stop reading from the socket (idempotent)."""
        if not self.read_paused:
            self.read_paused = True
            self._transport.pause_reading()

    def resume_reading(self) -> None:
        """Start reading from the socket again (idempotent)."""
        if self.read_paused:
            self.read_paused = False
            self._transport.resume_reading()

    def pause_writing(self) -> None:
        """Note that the transport's write buffer is above high water."""
        self.write_paused = True

    def resume_writing(self) -> None:
        """Note that the write buffer drained; wake any ``drain()`` waiter."""
        self.write_paused = False
        waiter = self._drain_waiter
        if waiter is not None:
            self._drain_waiter = None
            if not waiter.done():
                waiter.set_result(None)

    async def drain(self) -> None:
        """Wait until writing is resumed (or the connection is lost).

        Returns at once when writing is not paused.
        """
        if not self.write_paused:
            return
        waiter = self._drain_waiter
        if waiter is None:
            waiter = asyncio.get_running_loop().create_future()
            self._drain_waiter = waiter
        await asyncio.shield(waiter)
