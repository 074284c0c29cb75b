"""Write a slice of a file to a connection: zero-copy ``sendfile(2)`` or chunked reads.

Backs the ASGI ``http.response.pathsend`` extension and zephyr's own
``zephyr.sendfile`` (a slice: ``offset`` and ``count``). uvloop has no
``loop.sendfile``, so on a plain TCP transport the socket is driven
directly: once the transport's own buffer is empty, ``os.sendfile`` runs in
the thread pool (a cold page-cache read may block on disk) on a duplicate of
the socket's descriptor, and waits for writability between calls. The kernel
socket buffer is then the only buffer: a client that stops reading stops the
copy. TLS transports, transports without a socket, and platforms without
``os.sendfile`` get chunked reads written through the transport, respecting
``pause_writing``.
"""

from __future__ import annotations

import asyncio
import os
from typing import IO, TYPE_CHECKING

from zephyr.concurrency import run_in_threadpool

if TYPE_CHECKING:
    from collections.abc import Callable

    from zephyr.server._flow import FlowControl

__all__ = ["FileGone", "open_file", "send_file_slice"]

READ_CHUNK = 256 * 1024
"""Bytes read per chunk on the fallback path (bounded memory per connection)."""
_SENDFILE_MAX = 8 * 1024 * 1024
"""Most bytes asked of one ``sendfile`` call (keeps each thread-pool hop short)."""


class FileGone(Exception):
    """The peer went away, or the file ended early, while a slice was being sent."""


def _open(path: str) -> tuple[IO[bytes], int]:
    file = open(path, "rb")  # noqa: SIM115 - closed by the caller
    try:
        size = os.fstat(file.fileno()).st_size
    except BaseException:
        file.close()
        raise
    return file, size


async def open_file(path: str) -> tuple[IO[bytes], int]:
    """Open ``path`` for reading in the thread pool.

    Args:
        path: Absolute file path.

    Returns:
        The open binary file (the caller closes it) and its size in bytes.

    Raises:
        OSError: The file cannot be opened.
    """
    return await run_in_threadpool(_open, path)


def _zero_copy_fd(transport: asyncio.Transport) -> int | None:
    if not hasattr(os, "sendfile") or transport.get_extra_info("sslcontext") is not None:
        return None
    sock = transport.get_extra_info("socket")
    if sock is None:
        return None
    try:
        fileno = sock.fileno()
    except (OSError, ValueError):
        return None
    return fileno if fileno >= 0 else None


async def send_file_slice(
    transport: asyncio.Transport,
    flow: FlowControl,
    file: IO[bytes],
    offset: int,
    count: int,
    is_gone: Callable[[], bool],
) -> None:
    """Write ``count`` bytes of ``file`` from ``offset`` to the connection.

    Args:
        transport: The connection's transport (the caller wrote the head already).
        flow: The connection's flow control (``drain`` waits on pause_writing).
        file: An open binary file.
        offset: First byte to send.
        count: Number of bytes to send.
        is_gone: Returns True once the client has disconnected.

    Raises:
        FileGone: The client disconnected, or the file has fewer bytes than asked.
    """
    if count <= 0:
        return
    fileno = _zero_copy_fd(transport)
    if fileno is None:
        await _send_by_reads(transport, flow, file, offset, count, is_gone)
    else:
        await _send_zero_copy(transport, flow, fileno, file, offset, count, is_gone)


def _read_at(file: IO[bytes], offset: int, size: int) -> bytes:
    file.seek(offset)
    return file.read(size)


async def _send_by_reads(
    transport: asyncio.Transport,
    flow: FlowControl,
    file: IO[bytes],
    offset: int,
    count: int,
    is_gone: Callable[[], bool],
) -> None:
    end = offset + count
    while offset < end:
        chunk = await run_in_threadpool(_read_at, file, offset, min(READ_CHUNK, end - offset))
        if is_gone():
            raise FileGone("client disconnected")
        if not chunk:
            raise FileGone("file shorter than the requested slice")
        transport.write(chunk)
        offset += len(chunk)
        if flow.write_paused:
            await flow.drain()


async def _writable(loop: asyncio.AbstractEventLoop, flow: FlowControl, fd: int) -> None:
    # The socket not being writable is the same condition as a paused
    # transport: reuse FlowControl so connection_lost (which resumes writing)
    # wakes this wait too.
    flow.pause_writing()
    loop.add_writer(fd, flow.resume_writing)
    try:
        await flow.drain()
    finally:
        loop.remove_writer(fd)
        if flow.write_paused:
            # Cancelled while waiting: don't leave the connection marked paused.
            flow.resume_writing()


async def _send_zero_copy(
    transport: asyncio.Transport,
    flow: FlowControl,
    sock_fd: int,
    file: IO[bytes],
    offset: int,
    count: int,
    is_gone: Callable[[], bool],
) -> None:
    loop = asyncio.get_running_loop()
    # A duplicate descriptor: event loops refuse add_writer on a transport's
    # own fd. It shares the (non-blocking) open file description.
    fd = os.dup(sock_fd)
    try:
        # Whatever the transport still buffers (the head) must leave first.
        while transport.get_write_buffer_size() and not is_gone():
            await _writable(loop, flow, fd)
            await asyncio.sleep(0)
        end = offset + count
        in_fd = file.fileno()
        while offset < end:
            if is_gone():
                raise FileGone("client disconnected")
            size = min(_SENDFILE_MAX, end - offset)
            try:
                sent = await run_in_threadpool(os.sendfile, fd, in_fd, offset, size)
            except BlockingIOError:
                await _writable(loop, flow, fd)
                continue
            except OSError as exc:  # EPIPE, ECONNRESET: the peer is gone
                raise FileGone(str(exc)) from exc
            if sent == 0:
                raise FileGone("file shorter than the requested slice")
            offset += sent
    finally:
        os.close(fd)
