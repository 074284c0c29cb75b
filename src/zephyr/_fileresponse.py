"""``FileResponse``: a file from disk with validators, conditional and range requests.

Re-exported by :mod:`zephyr.responses`; import it from there.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import mimetypes
import os
import secrets
import stat
from collections.abc import AsyncGenerator, Coroutine, Mapping
from email.utils import formatdate
from typing import IO, Any
from urllib.parse import quote

from zephyr._ranges import MalformedRange, evaluate_preconditions, if_range_allows, parse_range
from zephyr.background import BackgroundTask
from zephyr.concurrency import run_in_threadpool
from zephyr.responses import Response
from zephyr.types import Receive, Scope, Send

__all__ = ["FileResponse"]

PATHSEND = "http.response.pathsend"
"""ASGI extension: the server sends a whole file given its path (zero-copy when it can)."""
SENDFILE = "zephyr.sendfile"
"""zephyr server extension: like pathsend, for a slice (``offset``, ``count``) of a
file, with ``more_body`` so several slices and body chunks make one response."""

_CONDITIONAL = frozenset(
    {b"if-match", b"if-none-match", b"if-modified-since", b"if-unmodified-since"}
)
_RANGE_HEADERS = frozenset({b"range", b"if-range"})
# Headers a 304 keeps (RFC 9110 section 15.4.5); the body-describing ones go.
_DROP_ON_304 = frozenset({b"content-length", b"content-type", b"content-disposition"})


def _content_disposition(disposition_type: str, filename: str) -> str:
    # RFC 6266 section 4.3: an ASCII fallback in ``filename`` plus the exact name
    # in ``filename*`` (RFC 5987 encoding) when it needs escaping.
    quoted = quote(filename)
    if quoted != filename:
        return f"{disposition_type}; filename*=utf-8''{quoted}"
    escaped = filename.replace("\\", "\\\\").replace('"', '\\"')
    return f'{disposition_type}; filename="{escaped}"'


class FileResponse(Response):
    """Send a file from disk; reads never block the event loop.

    Sends ``Content-Length``, ``Last-Modified``, a stat-based ``ETag`` and
    ``Accept-Ranges: bytes``. For a 200 response it also answers:

    * conditional requests (RFC 9110 section 13.2.2): ``If-Match`` /
      ``If-Unmodified-Since`` failing give 412; ``If-None-Match`` (weak
      comparison) / ``If-Modified-Since`` matching give 304 without a body;
    * range requests on GET and HEAD (RFC 9110 section 14), as Starlette
      answers them: one range gives 206 with ``Content-Range``; several give
      206 ``multipart/byteranges`` (overlapping and adjacent ranges merged,
      parts in file order); none satisfiable gives 416 with
      ``Content-Range: bytes */<size>``; a unit other than ``bytes``, a range
      whose start is past its end, or no range at all gives 400 (plain-text
      reason); specs that are not ranges of numbers are skipped; more than
      ``zephyr._ranges.MAX_RANGES`` (100) ranges are ignored (200, whole
      file). ``If-Range`` that doesn't match also sends the whole file.

    When the server advertises the ASGI ``http.response.pathsend`` extension
    the whole file is handed to it (zero-copy ``sendfile``); ranges use the
    ``zephyr.sendfile`` extension the same way. Otherwise the file is read in
    ``chunk_size`` pieces in the thread pool (opened through
    ``anyio.open_file`` when anyio is installed).

    Args:
        path: File path.
        status_code: Default ``200``. Other statuses skip conditional and range handling.
        headers: Extra headers.
        media_type: Default: guessed from ``filename`` or ``path``, else
            ``application/octet-stream`` (unknown bytes are not claimed to be text).
        background: Task run after sending.
        filename: Name offered for download, in ``Content-Disposition``
            (RFC 6266; non-ASCII names as ``filename*=utf-8''...``, RFC 5987).
        stat_result: A precomputed ``os.stat`` result (skips the stat call).
        content_disposition_type: ``"attachment"`` (default) or ``"inline"``.
        method: Request method override; ``"HEAD"`` sends no body. Default: from scope.

    Raises:
        RuntimeError: (when called) the path does not exist or is not a regular file.
    """

    chunk_size = 64 * 1024
    """Bytes read from disk per ``http.response.body`` message (fallback path)."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | None = None,
        filename: str | None = None,
        stat_result: os.stat_result | None = None,
        content_disposition_type: str = "attachment",
        *,
        method: str | None = None,
    ) -> None:
        self.path = path
        self.status_code = status_code
        self.filename = filename
        self.send_header_only = method is not None and method.upper() == "HEAD"
        if media_type is None:
            media_type = mimetypes.guess_type(filename or path)[0] or "application/octet-stream"
        self.media_type = media_type
        self.background = background
        self.init_headers(headers)
        self.headers.setdefault("accept-ranges", "bytes")
        if filename is not None:
            disposition = _content_disposition(content_disposition_type, filename)
            self.headers.setdefault("content-disposition", disposition)
        self.stat_result = stat_result
        if stat_result is not None:
            self.set_stat_headers(stat_result)

    def set_stat_headers(self, stat_result: os.stat_result) -> None:
        """Set Content-Length, Last-Modified (RFC 9110 section 8.8.2) and a strong ETag."""
        size = stat_result.st_size
        self.headers.setdefault("content-length", str(size))
        self.headers.setdefault("last-modified", formatdate(stat_result.st_mtime, usegmt=True))
        self.headers.setdefault("etag", f'"{stat_result.st_mtime_ns:x}-{size:x}"')

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer per the request's method, conditional and range headers, then run background."""
        stat_result = await self._stat()
        method = "HEAD" if self.send_header_only else scope.get("method", "GET").upper()
        extensions = scope.get("extensions") or {}
        sendfile = SENDFILE in extensions
        ranges = None
        if self.status_code == 200:
            wanted = _request_headers(scope)
            if wanted:
                status = self._precondition(wanted, method)
                if status is not None:
                    await self._send_empty(send, status, self._not_modified_headers(status))
                    await self._run_background()
                    return
                if method in ("GET", "HEAD") and "range" in wanted:
                    try:
                        ranges = self._ranges(wanted)
                    except MalformedRange as exc:
                        await self._send_bad_range(send, str(exc), method == "HEAD")
                        await self._run_background()
                        return
        head_only = method == "HEAD"
        size = stat_result.st_size
        if ranges is None:
            answer = self._send_full(send, head_only, PATHSEND in extensions, sendfile)
        elif not ranges:
            headers = [(b"content-range", b"bytes */%d" % size), (b"content-length", b"0")]
            answer = self._send_empty(send, 416, headers)
        elif len(ranges) == 1:
            answer = self._send_single(send, ranges[0], size, head_only, sendfile)
        else:
            answer = self._send_multipart(send, ranges, size, head_only, sendfile)
        if _reports_disconnect_by_send(scope):
            await answer
        else:
            await _until_disconnect(answer, receive)
        await self._run_background()

    async def _stat(self) -> os.stat_result:
        if self.stat_result is None:
            try:
                self.stat_result = await run_in_threadpool(os.stat, self.path)
            except FileNotFoundError:
                raise RuntimeError(f"File at path {self.path} does not exist.") from None
            if not stat.S_ISREG(self.stat_result.st_mode):
                raise RuntimeError(f"File at path {self.path} is not a file.")
            self.set_stat_headers(self.stat_result)
        return self.stat_result

    # -- decisions -------------------------------------------------------------

    def _validators(self) -> tuple[str, float]:
        etag = self.headers.get("etag") or ""
        mtime = self.stat_result.st_mtime if self.stat_result is not None else 0.0
        return etag, mtime

    def _precondition(self, wanted: dict[str, str], method: str) -> int | None:
        if not any(name.encode() in _CONDITIONAL for name in wanted):
            return None
        etag, mtime = self._validators()
        return evaluate_preconditions(wanted, method, etag, mtime)

    def _ranges(self, wanted: dict[str, str]) -> list[tuple[int, int]] | None:
        etag, mtime = self._validators()
        if not if_range_allows(wanted.get("if-range"), etag, mtime):
            return None
        size = self.stat_result.st_size if self.stat_result is not None else 0
        return parse_range(wanted["range"], size)

    def _not_modified_headers(self, status: int) -> list[tuple[bytes, bytes]]:
        if status == 304:
            return [(k, v) for k, v in self.raw_headers if k not in _DROP_ON_304]
        return [(b"content-length", b"0")]

    def _replace(
        self, values: dict[bytes, bytes], *extra: tuple[bytes, bytes]
    ) -> list[tuple[bytes, bytes]]:
        headers = [(k, v) for k, v in self.raw_headers if k not in values]
        headers += values.items()
        headers += extra
        return headers

    # -- sending ---------------------------------------------------------------

    async def _start(self, send: Send, status: int, headers: list[tuple[bytes, bytes]]) -> None:
        await send({"type": "http.response.start", "status": status, "headers": headers})

    async def _send_empty(
        self, send: Send, status: int, headers: list[tuple[bytes, bytes]]
    ) -> None:
        await self._start(send, status, headers)
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def _send_bad_range(self, send: Send, message: str, head_only: bool) -> None:
        body = message.encode("utf-8")
        headers = [
            (b"content-type", b"text/plain; charset=utf-8"),
            (b"content-length", b"%d" % len(body)),
        ]
        await self._start(send, 400, headers)
        await send({"type": "http.response.body", "body": b"" if head_only else body})

    async def _run_background(self) -> None:
        if self.background is not None:
            await self.background()

    async def _send_full(self, send: Send, head_only: bool, pathsend: bool, sendfile: bool) -> None:
        await self._start(send, self.status_code, self.raw_headers)
        if head_only:
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        elif pathsend:
            # PERF: the server sends the file with sendfile(2): no reads, no copies.
            await send({"type": PATHSEND, "path": _absolute(self.path)})
        else:
            size = self.stat_result.st_size if self.stat_result is not None else 0
            await self._send_pieces(send, [(0, size)], sendfile)

    async def _send_single(
        self, send: Send, byte_range: tuple[int, int], size: int, head_only: bool, sendfile: bool
    ) -> None:
        start, stop = byte_range
        headers = self._replace(
            {b"content-length": b"%d" % (stop - start)},
            (b"content-range", b"bytes %d-%d/%d" % (start, stop - 1, size)),
        )
        await self._start(send, 206, headers)
        if head_only:
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        else:
            await self._send_pieces(send, [byte_range], sendfile)

    async def _send_multipart(
        self,
        send: Send,
        ranges: list[tuple[int, int]],
        size: int,
        head_only: bool,
        sendfile: bool,
    ) -> None:
        boundary = secrets.token_hex(13).encode("ascii")
        content_type = self.headers.get("content-type", "text/plain").encode("latin-1")
        # Each part: its boundary line and headers, the bytes, a CRLF; then the
        # closing boundary (RFC 9110 section 14.6).
        pieces: list[bytes | tuple[int, int]] = []
        for start, stop in ranges:
            pieces.append(
                b"--%s\r\nContent-Type: %s\r\nContent-Range: bytes %d-%d/%d\r\n\r\n"
                % (boundary, content_type, start, stop - 1, size)
            )
            pieces += ((start, stop), b"\r\n")
        pieces.append(b"--%s--" % boundary)
        length = sum(len(p) if isinstance(p, bytes) else p[1] - p[0] for p in pieces)
        headers = self._replace(
            {
                b"content-length": b"%d" % length,
                b"content-type": b"multipart/byteranges; boundary=" + boundary,
            }
        )
        await self._start(send, 206, headers)
        if head_only:
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        else:
            await self._send_pieces(send, pieces, sendfile)

    async def _send_pieces(
        self, send: Send, pieces: list[bytes | tuple[int, int]], sendfile: bool
    ) -> None:
        """Send the body: ``bytes`` pieces as they are, ``(start, stop)`` ones from the file."""
        if sendfile:
            await self._sendfile_pieces(send, pieces)
            return
        # A closing boundary goes out as the final message itself.
        final = pieces[-1] if isinstance(pieces[-1], bytes) else b""
        if final:
            pieces = pieces[:-1]
        # aclosing: a failed send or a cancellation closes the file now, not at GC.
        async with contextlib.aclosing(_read_pieces(self.path, pieces, self.chunk_size)) as chunks:
            async for chunk in chunks:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": final, "more_body": False})

    async def _sendfile_pieces(self, send: Send, pieces: list[bytes | tuple[int, int]]) -> None:
        path = _absolute(self.path)
        pending = b""
        last = len(pieces) - 1
        for i, piece in enumerate(pieces):
            if isinstance(piece, bytes):
                # PERF: a part's closing CRLF and the next part's head go out as one message.
                pending += piece
                continue
            if pending:
                await send({"type": "http.response.body", "body": pending, "more_body": True})
                pending = b""
            start, stop = piece
            message = {"type": SENDFILE, "path": path, "offset": start, "count": stop - start}
            await send({**message, "more_body": i < last})
        if pending:
            await send({"type": "http.response.body", "body": pending, "more_body": False})


async def _open(path: str | os.PathLike[str]) -> IO[bytes]:
    """Open ``path`` for reading in a worker thread (through anyio when it is installed)."""
    anyio = _anyio()
    if anyio is None:
        return await run_in_threadpool(open, path, "rb")
    file = await anyio.open_file(path, "rb")
    # The reads below go straight to the wrapped file, one thread hop per chunk.
    wrapped: IO[bytes] = file.wrapped
    return wrapped


@functools.cache
def _anyio() -> Any:
    # anyio comes with httpx; a server without it opens files through the thread pool.
    try:
        import anyio
    except ImportError:  # pragma: no cover - anyio is installed wherever the tests run
        return None
    return anyio


async def _read_pieces(
    path: str | os.PathLike[str], pieces: list[bytes | tuple[int, int]], chunk_size: int
) -> AsyncGenerator[bytes, None]:
    """Yield the body: ``bytes`` pieces as they are, ranges read in ``chunk_size`` chunks.

    Raises:
        RuntimeError: The file got shorter than its stat said while being read.
    """
    file = await _open(path)
    try:
        for piece in pieces:
            if isinstance(piece, bytes):
                yield piece
                continue
            offset, stop = piece
            while offset < stop:
                chunk = await run_in_threadpool(
                    _read_at, file, offset, min(chunk_size, stop - offset)
                )
                if not chunk:
                    raise RuntimeError(f"File at path {path} is shorter than expected.")
                offset += len(chunk)
                yield chunk
    finally:
        # Closing a file opened for reading does not block; awaiting a thread
        # here could be interrupted by a second cancellation and leak it.
        file.close()


def _read_at(file: IO[bytes], offset: int, size: int) -> bytes:
    # PERF: one thread-pool hop per chunk (seek + read together), not two.
    file.seek(offset)
    return file.read(size)


def _request_headers(scope: Scope) -> dict[str, str]:
    """The conditional and range request headers, names decoded (last value wins)."""
    found: dict[str, str] = {}
    for name, value in scope.get("headers", ()):
        if name in _CONDITIONAL or name in _RANGE_HEADERS:
            found[name.decode("latin-1")] = value.decode("latin-1")
    return found


def _reports_disconnect_by_send(scope: Scope) -> bool:
    """Whether the server raises ``OSError`` from send() for a gone client (ASGI 2.4+)."""
    version = (scope.get("asgi") or {}).get("spec_version", "2.0")
    try:
        return tuple(int(part) for part in version.split(".")) >= (2, 4)
    except ValueError:
        return False


async def _until_disconnect(answer: Coroutine[Any, Any, None], receive: Receive) -> None:
    """Run ``answer``; stop it (without error) if ``http.disconnect`` arrives first.

    Older ASGI servers (spec < 2.4) may let send() wait forever for a client
    that left; only ``receive()`` tells. Cancelling the sender closes the file.
    """
    sender = asyncio.ensure_future(answer)
    listener = asyncio.ensure_future(_wait_for_disconnect(receive))
    try:
        await asyncio.wait((sender, listener), return_when=asyncio.FIRST_COMPLETED)
        if not sender.done() and listener.exception() is not None:
            await sender  # no usable receive channel: nothing to watch, just answer
    finally:
        listener.cancel()
        if not sender.done():
            sender.cancel()
        await asyncio.gather(sender, listener, return_exceptions=True)
    if not sender.cancelled():
        sender.result()  # re-raise a failure of the answer itself


async def _wait_for_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


def _absolute(path: str | os.PathLike[str]) -> str:
    """The absolute form of ``path`` (ASGI path-send needs one)."""
    text = os.fspath(path)
    # PERF: an absolute path needs no getcwd() system call, only normalising.
    return os.path.normpath(text) if os.path.isabs(text) else os.path.abspath(text)
