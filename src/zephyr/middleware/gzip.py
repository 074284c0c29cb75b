"""``GZipMiddleware``: gzip response bodies for clients that accept it (RFC 9110 §8.4, §12.5.3).

A response is compressed when the client's ``Accept-Encoding`` allows gzip
(case-insensitive, ``gzip;q=0`` means *no*), the response has no
``Content-Encoding`` yet, is not ``text/event-stream`` (events must reach the
client as they are sent; ``exclude_content_types`` lists these and the formats that
are compressed already) and its body is at least ``minimum_size`` bytes —
or it is streamed (more than one body message), in which case every chunk is
compressed and flushed as it arrives so the client can decode it at once.

Every response that could have been compressed gets ``Vary: Accept-Encoding``
(whether or not this client accepted gzip), so shared caches keep the two
variants apart; a strong ``ETag`` on a compressed response becomes weak
(``W/"..."``), since its bytes differ from the identity variant's (RFC 9110 §8.8.3).
"""

from __future__ import annotations

import zlib

from zephyr.concurrency import run_in_threadpool
from zephyr.datastructures import Headers, MutableHeaders
from zephyr.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["DEFAULT_EXCLUDED_CONTENT_TYPES", "GZipMiddleware", "GZipResponder", "accepts_gzip"]

DEFAULT_EXCLUDED_CONTENT_TYPES: tuple[str, ...] = (
    "application/grpc",  # framed messages and trailers: the peer must see them as sent
    "application/gzip",
    "application/x-gzip",
    "application/zip",
    "audio/*",
    "font/woff",
    "font/woff2",
    "image/avif",
    "image/gif",
    "image/jpeg",
    "image/png",
    "image/webp",
    "text/event-stream",  # events must reach the client as they are sent
    "video/*",
)
"""Media types left as they are: compressed formats already, or streams read as they arrive.
``type/*`` matches a whole type; ``application/grpc`` also covers ``application/grpc+proto``."""

_THREAD_MINIMUM_SIZE = 128 * 1024

_GZIP_WBITS = 16 + zlib.MAX_WBITS  # zlib's switch for the gzip container (RFC 1952)


def accepts_gzip(accept_encoding: str) -> bool:
    """Tell whether an ``Accept-Encoding`` value allows gzip.

    Args:
        accept_encoding: The header value, e.g. ``"br, gzip;q=0.5"``.

    Returns:
        True when ``gzip`` (or ``*``) is listed with a non-zero quality.
    """
    allowed: dict[str, bool] = {}
    for item in accept_encoding.split(","):
        coding, _, params = item.partition(";")
        coding = coding.strip().lower()
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        allowed[coding] = quality > 0
    if "gzip" in allowed:
        return allowed["gzip"]
    return allowed.get("*", False)


class _GZipSettings:
    """The configuration both gzip apps share (their one ``__init__``)."""

    def __init__(
        self,
        app: ASGIApp,
        minimum_size: int = 500,
        compresslevel: int = 9,
        *,
        thread_minimum_size: int = _THREAD_MINIMUM_SIZE,
        exclude_content_types: tuple[str, ...] = DEFAULT_EXCLUDED_CONTENT_TYPES,
    ) -> None:
        self.app = app
        self.minimum_size = minimum_size
        self.compresslevel = compresslevel
        self.thread_minimum_size = thread_minimum_size
        self.exclude_content_types = exclude_content_types
        self.excluded = _ExcludedTypes(exclude_content_types)


class GZipMiddleware(_GZipSettings):
    """Compress HTTP responses with gzip when the client accepts it.

    Args:
        app: The wrapped ASGI app.
        minimum_size: Smallest complete body, in bytes, worth compressing.
            Default 500.
        compresslevel: zlib level 1 (fast) .. 9 (small). Default 9.
        thread_minimum_size: Body chunks of at least this many bytes are
            compressed in a worker thread, so the event loop keeps serving
            other requests meanwhile. Default 128 KiB.
        exclude_content_types: Media types never compressed (case and
            parameters ignored; ``type/*`` matches a whole type). Default
            :data:`DEFAULT_EXCLUDED_CONTENT_TYPES`.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        accept = Headers(scope=scope).get("accept-encoding", "")
        exchange = _Exchange(send, self, enabled=accepts_gzip(accept))
        await self.app(scope, receive, exchange.send)


class GZipResponder(_GZipSettings):
    """An ASGI app that gzips every compressible response of ``app``, whatever the client accepts.

    :class:`GZipMiddleware` does the same once the client accepted gzip; this
    one is public for apps that negotiate the encoding themselves. Same
    arguments as :class:`GZipMiddleware`.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        exchange = _Exchange(send, self, enabled=True)
        await self.app(scope, receive, exchange.send)


class _ExcludedTypes:
    """``exclude_content_types`` normalised once: exact types, whole types and ``+suffix`` bases."""

    def __init__(self, patterns: tuple[str, ...]) -> None:
        normal = {_media_type(p) for p in patterns}
        self.whole = frozenset(p[:-2] for p in normal if p.endswith("/*"))
        self.exact = frozenset(p for p in normal if not p.endswith("/*"))

    def __contains__(self, media_type: str) -> bool:
        if media_type in self.exact or media_type.partition("/")[0] in self.whole:
            return True
        # A structured syntax suffix names a flavour of its base: application/grpc+proto.
        base, plus, _ = media_type.partition("+")
        return bool(plus) and base in self.exact


def _media_type(content_type: str) -> str:
    return content_type.partition(";")[0].strip().lower()


class _Exchange:
    """Per-response state: holds the start message until the first body tells the size."""

    def __init__(self, send: Send, settings: _GZipSettings, *, enabled: bool) -> None:
        self._send = send
        self.minimum_size = settings.minimum_size
        self.level = settings.compresslevel
        self.thread_minimum_size = settings.thread_minimum_size
        self.excluded = settings.excluded
        self.enabled = enabled
        self.start: Message | None = None
        self.mode = "undecided"  # -> "identity" | "gzip" once the first body is seen
        self.compressor: zlib._Compress | None = None

    async def send(self, message: Message) -> None:
        kind = message["type"]
        if kind == "http.response.start":
            self.start = message
            if self._left_alone(message):
                self.mode = "identity"
                await self._send(message)
            return
        if kind != "http.response.body" or self.mode == "identity":
            if self.mode == "undecided" and self.start is not None:
                # e.g. http.response.pathsend: a body we never see, so never compress.
                self.mode = "identity"
                await self._send(self.start)
            await self._send(message)
            return
        if self.mode == "undecided":
            await self._first_body(message)
        else:
            await self._send_compressed(message)

    def _left_alone(self, start: Message) -> bool:
        start.setdefault("headers", [])
        headers = Headers(scope=start)
        if "content-encoding" in headers:
            return True
        if start.get("status") == 206:
            # Partial content: Content-Range counts bytes of the unencoded file, and
            # multipart/byteranges bodies interleave file slices the server sends itself.
            return True
        return _media_type(headers.get("content-type", "")) in self.excluded

    async def _first_body(self, message: Message) -> None:
        assert self.start is not None
        body: bytes = message.get("body", b"")
        more = message.get("more_body", False)
        if not more and len(body) < self.minimum_size:
            self.mode = "identity"
            await self._send(self.start)
            await self._send(message)
            return
        headers = MutableHeaders(scope=self.start)
        headers.add_vary_header("Accept-Encoding")
        if not self.enabled:
            self.mode = "identity"
            await self._send(self.start)
            await self._send(message)
            return
        self.mode = "gzip"
        self.compressor = zlib.compressobj(self.level, zlib.DEFLATED, _GZIP_WBITS)
        headers["Content-Encoding"] = "gzip"
        etag = headers.get("etag")
        if etag is not None and not etag.startswith("W/"):
            # The bytes differ from the identity variant's: the tag can only stay weak.
            headers["ETag"] = "W/" + etag
        if more or self.start.get("trailers", False):
            # Length unknown until the end (or trailers follow): chunked.
            del headers["Content-Length"]
            await self._send(self.start)
            await self._send_compressed(message)
            return
        compressed = await self._compress(body, zlib.Z_FINISH)
        headers["Content-Length"] = str(len(compressed))
        await self._send(self.start)
        await self._send({"type": "http.response.body", "body": compressed})

    async def _send_compressed(self, message: Message) -> None:
        more = message.get("more_body", False)
        # Sync-flush each streamed chunk so the client can decode it now, not at the end.
        flush = zlib.Z_SYNC_FLUSH if more else zlib.Z_FINISH
        data = await self._compress(message.get("body", b""), flush)
        await self._send({"type": "http.response.body", "body": data, "more_body": more})

    async def _compress(self, data: bytes, flush: int) -> bytes:
        compressor = self.compressor
        assert compressor is not None

        def run() -> bytes:
            return compressor.compress(data) + compressor.flush(flush)

        if len(data) >= self.thread_minimum_size:
            # Level-9 deflate runs ~20-50 MB/s: a large chunk would stall the loop.
            return await run_in_threadpool(run)
        return run()
