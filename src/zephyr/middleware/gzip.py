"""``GZipMiddleware``: gzip response bodies for clients that accept it (RFC 9110 §8.4, §12.5.3).

A response is compressed when the client's ``Accept-Encoding`` allows gzip
(case-insensitive, ``gzip;q=0`` means *no*), the response has no
``Content-Encoding`` yet, is not ``text/event-stream`` (events must reach the
client as they are sent) and its body is at least ``minimum_size`` bytes —
or it is streamed (more than one body message), in which case every chunk is
compressed and flushed as it arrives so the client can decode it at once.

Every response that could have been compressed gets ``Vary: Accept-Encoding``
(whether or not this client accepted gzip), so shared caches keep the two
variants apart; a strong ``ETag`` on a compressed response becomes weak
(``W/"..."``), since its bytes differ from the identity variant's (RFC 9110 §8.8.3).
"""

from __future__ import annotations

import zlib

from zephyr.datastructures import Headers, MutableHeaders
from zephyr.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["GZipMiddleware", "accepts_gzip"]

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


class GZipMiddleware:
    """Compress HTTP responses with gzip.

    Args:
        app: The wrapped ASGI app.
        minimum_size: Smallest complete body, in bytes, worth compressing.
            Default 500.
        compresslevel: zlib level 1 (fast) .. 9 (small). Default 9.
    """

    def __init__(self, app: ASGIApp, minimum_size: int = 500, compresslevel: int = 9) -> None:
        self.app = app
        self.minimum_size = minimum_size
        self.compresslevel = compresslevel

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        accept = Headers(scope=scope).get("accept-encoding", "")
        enabled = accepts_gzip(accept)
        responder = _GZipResponder(send, self.minimum_size, self.compresslevel, enabled)
        await self.app(scope, receive, responder.send)


class _GZipResponder:
    """Per-response state: holds the start message until the first body tells the size."""

    def __init__(self, send: Send, minimum_size: int, level: int, enabled: bool) -> None:
        self._send = send
        self.minimum_size = minimum_size
        self.level = level
        self.enabled = enabled
        self.start: Message | None = None
        self.mode = "undecided"  # -> "identity" | "gzip" once the first body is seen
        self.compressor: zlib._Compress | None = None

    async def send(self, message: Message) -> None:
        kind = message["type"]
        if kind == "http.response.start":
            self.start = message
            if _already_encoded_or_events(message):
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
        if more:
            del headers["Content-Length"]  # length unknown until the end: chunked
            await self._send(self.start)
            await self._send_compressed(message)
            return
        compressed = self.compressor.compress(body) + self.compressor.flush()
        headers["Content-Length"] = str(len(compressed))
        await self._send(self.start)
        await self._send({"type": "http.response.body", "body": compressed})

    async def _send_compressed(self, message: Message) -> None:
        assert self.compressor is not None
        more = message.get("more_body", False)
        data = self.compressor.compress(message.get("body", b""))
        # Sync-flush each streamed chunk so the client can decode it now, not at the end.
        data += self.compressor.flush(zlib.Z_SYNC_FLUSH if more else zlib.Z_FINISH)
        await self._send({"type": "http.response.body", "body": data, "more_body": more})


def _already_encoded_or_events(start: Message) -> bool:
    start.setdefault("headers", [])
    headers = Headers(scope=start)
    if "content-encoding" in headers:
        return True
    if start.get("status") == 206:
        # Partial content: Content-Range counts bytes of the unencoded file, and
        # multipart/byteranges bodies interleave file slices the server sends itself.
        return True
    media_type = headers.get("content-type", "").partition(";")[0].strip().lower()
    return media_type == "text/event-stream"
