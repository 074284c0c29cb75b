"""ASGI response classes: plain, JSON, HTML, redirects, streams and files.

Each response is an ASGI app: calling it with ``(scope, receive, send)`` sends
``http.response.start`` then the body (ASGI 3, HTTP spec 2.4), then runs its
background task.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import re
import threading
import warnings
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Callable,
    Iterable,
    Iterator,
    Mapping,
)
from datetime import datetime
from typing import Any, Literal
from urllib.parse import quote

import pydantic_core

from zephyr._cookies import build_set_cookie
from zephyr._nocontent import NO_CONTENT_STATUSES, bodyless_framing, has_content, reframe_headers
from zephyr.api_exceptions import ZephyrDeprecationWarning
from zephyr.background import BackgroundTask
from zephyr.concurrency import run_in_threadpool, submit_to_threadpool
from zephyr.datastructures import URL, MutableHeaders
from zephyr.requests import ClientDisconnect
from zephyr.types import Receive, Scope, Send

__all__ = [
    "AsyncContentStream",
    "Content",
    "ContentStream",
    "EventSourceResponse",
    "FileResponse",
    "HTMLResponse",
    "JSONResponse",
    "ORJSONResponse",
    "PlainTextResponse",
    "RedirectResponse",
    "Response",
    "StreamingResponse",
    "SyncContentStream",
    "UJSONResponse",
]

Content = str | bytes | memoryview
"""One chunk a :class:`StreamingResponse` body yields (``str`` is encoded with its charset)."""
SyncContentStream = Iterable[Content]
AsyncContentStream = AsyncIterable[Content]
ContentStream = AsyncContentStream | SyncContentStream
"""What :class:`StreamingResponse` accepts: a sync or async iterable of chunks."""


_CONTENT_TYPES: dict[tuple[str, str], tuple[bytes, bytes]] = {}


def _content_type_header(media_type: str, charset: str) -> tuple[bytes, bytes]:
    """The ``content-type`` header pair; ``text/*`` gets ``; charset=...``."""
    header = _CONTENT_TYPES.get((media_type, charset))
    if header is None:
        value = media_type
        if value.startswith("text/") and "charset=" not in value.lower():
            value += "; charset=" + charset
        header = (b"content-type", value.encode("latin-1"))
        if len(_CONTENT_TYPES) < 1024:  # bounded: media types may come from user data
            _CONTENT_TYPES[(media_type, charset)] = header
    return header


_BYTES_LIKE = (bytes, memoryview)


def _default_headers(
    body: bytes | memoryview | None, status: int, media_type: str | None, charset: str
) -> list[tuple[bytes, bytes]]:
    """Content-Length (framed as ``_nocontent`` says) and Content-Type, as ``init_headers``."""
    raw_headers: list[tuple[bytes, bytes]] = []
    if body is not None:
        if status not in NO_CONTENT_STATUSES:
            raw_headers.append((b"content-length", b"%d" % len(body)))
        elif bodyless_framing(status) == "zero":
            raw_headers.append((b"content-length", b"0"))
    if media_type is not None:
        header = _CONTENT_TYPES.get((media_type, charset))
        raw_headers.append(header or _content_type_header(media_type, charset))
    return raw_headers


class Response:
    """An HTTP response with a complete body.

    Args:
        content: The body: ``bytes``/``memoryview`` as-is, ``str`` encoded with
            ``charset``, ``None`` for empty. Subclasses accept more via ``render``.
        status_code: HTTP status (RFC 9110 section 15). Default ``200``.
        headers: Extra headers; a ``content-length``/``content-type`` given here
            wins over the computed one.
        media_type: The ``Content-Type`` media type; ``text/*`` gets
            ``; charset=utf-8`` appended. Default: the class's ``media_type``.
        background: A task run after the body has been sent.
    """

    media_type: str | None = None
    charset = "utf-8"
    _headers: MutableHeaders | None = None

    def __init__(
        self,
        content: Any = None,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | None = None,
    ) -> None:
        self.status_code = status_code
        if media_type is not None:
            self.media_type = media_type
        self.background = background
        self.body = self.render(content)
        self.init_headers(headers)

    def render(self, content: Any) -> bytes | memoryview:
        """Turn ``content`` into body bytes."""
        # PERF: exact-type checks first; ``isinstance(x, bytes | memoryview)``
        # builds a union object on every call.
        kind = type(content)
        if kind is str:
            return content.encode(self.charset)  # type: ignore[no-any-return]
        if kind is bytes:
            return content  # type: ignore[no-any-return]
        if isinstance(content, memoryview) and (content.itemsize != 1 or not content.c_contiguous):
            # A typed or strided view: len() counts items, not bytes, and the
            # transport wants one contiguous byte run.
            return content.tobytes()
        if isinstance(content, _BYTES_LIKE):
            return content
        if content is None:
            return b""
        return content.encode(self.charset)  # type: ignore[no-any-return]

    def init_headers(self, headers: Mapping[str, str] | None = None) -> None:
        """Build ``raw_headers``: the given headers plus Content-Length and Content-Type.

        Content-Length is omitted for 1xx, 204 and 304 (RFC 9110 section 8.6) and for
        responses without a ``body`` attribute (streams); a 205 gets
        ``content-length: 0`` and an empty body (see ``zephyr._nocontent``).
        """
        status = self.status_code
        # A 205 says "content-length: 0" (RFC 9110 §15.3.6): its body goes
        # too, so no server sees more content than the length announces.
        if (
            status in NO_CONTENT_STATUSES
            and bodyless_framing(status) == "zero"
            and getattr(self, "body", None)
        ):
            self.body = b""
        if headers is None:
            # PERF: the common case: no header parsing, Content-Type bytes
            # built once per (media type, charset), no str() for the length.
            self.raw_headers = _default_headers(
                getattr(self, "body", None), status, self.media_type, self.charset
            )
            return
        raw_headers = [
            (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()
        ]
        names = {name for name, _ in raw_headers}
        body = getattr(self, "body", None)
        if body is not None and b"content-length" not in names and has_content(status):
            raw_headers.append((b"content-length", b"%d" % len(body)))
        elif body is not None:
            reframe_headers(raw_headers, status)
        if self.media_type is not None and b"content-type" not in names:
            raw_headers.append(_content_type_header(self.media_type, self.charset))
        self.raw_headers = raw_headers

    @property
    def headers(self) -> MutableHeaders:
        """The response headers; changes write through to ``raw_headers``."""
        if self._headers is None:
            self._headers = MutableHeaders(raw=self.raw_headers)
        return self._headers

    def set_cookie(
        self,
        key: str,
        value: str = "",
        max_age: int | None = None,
        expires: datetime | str | int | None = None,
        path: str | None = "/",
        domain: str | None = None,
        secure: bool = False,
        httponly: bool = False,
        samesite: Literal["lax", "strict", "none"] | None = "lax",
        partitioned: bool = False,
    ) -> None:
        """Add a ``Set-Cookie`` header (RFC 6265 section 4.1).

        Args:
            key: Cookie name.
            value: Cookie value. Default ``""``.
            max_age: Lifetime in seconds, or ``None`` for a session cookie.
            expires: Seconds from now (int), an aware ``datetime`` or an HTTP date string.
            path: Default ``"/"``; ``None`` omits it.
            domain: Default ``None``.
            secure: Only sent over HTTPS.
            httponly: Hidden from JavaScript.
            samesite: ``"lax"`` (default), ``"strict"``, ``"none"`` or ``None``.
            partitioned: CHIPS partitioned cookie (Python 3.14+, as Starlette).

        Raises:
            AssertionError: Invalid ``samesite``.
            ValueError: ``partitioned`` before Python 3.14; no header is added.
        """
        cookie = build_set_cookie(
            key, value, max_age, expires, path, domain, secure, httponly, samesite, partitioned
        )
        self.raw_headers.append((b"set-cookie", cookie.encode("latin-1")))

    def delete_cookie(
        self,
        key: str,
        path: str = "/",
        domain: str | None = None,
        secure: bool = False,
        httponly: bool = False,
        samesite: Literal["lax", "strict", "none"] | None = "lax",
        partitioned: bool = False,
    ) -> None:
        """Expire cookie ``key`` on the client (``Max-Age=0`` and a past ``Expires``).

        A partitioned (CHIPS) cookie lives in its own per-site jar: deleting
        it takes ``partitioned=True`` too (Python 3.14+, see :meth:`set_cookie`).
        """
        self.set_cookie(
            key,
            max_age=0,
            expires=0,
            path=path,
            domain=domain,
            secure=secure,
            httponly=httponly,
            samesite=samesite,
            partitioned=partitioned,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Send the response (ASGI 3), then run the background task."""
        # PERF: exactly two awaits on the hot path; the prefix supports the
        # WebSocket denial-response extension at the cost of one dict lookup.
        prefix = "websocket." if scope["type"] == "websocket" else ""
        await send(
            {
                "type": prefix + "http.response.start",
                "status": self.status_code,
                "headers": self.raw_headers,
            }
        )
        await send({"type": prefix + "http.response.body", "body": self.body})
        if self.background is not None:
            await self.background()


class HTMLResponse(Response):
    """A ``text/html; charset=utf-8`` response."""

    media_type = "text/html"


class PlainTextResponse(Response):
    """A ``text/plain; charset=utf-8`` response."""

    media_type = "text/plain"


# Signs that pydantic_core's output may differ from json.dumps: NaN/Infinity
# (json.dumps refuses them), one-digit negative exponents ("1e-7" vs "1e-07")
# and the plain spelling of 1e-5 <= |x| < 1e-4 ("0.00001" vs "1e-05").
_JSON_MISMATCH = re.compile(rb"\de-\d(?!\d)|(?<![\d.])0\.0000\d")


class JSONResponse(Response):
    """An ``application/json`` response.

    The body is byte-for-byte what ``json.dumps(content, ensure_ascii=False,
    allow_nan=False, separators=(",", ":"))`` gives for plain data. Types that
    ``json`` cannot encode but ``pydantic_core`` can (datetime, UUID, models) are
    encoded the pydantic way instead of raising.

    Raises:
        ValueError: ``content`` contains NaN or an infinity.
    """

    media_type = "application/json"

    def __init__(
        self,
        content: Any,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | None = None,
    ) -> None:
        # Only here to make ``content`` required. PERF: the base class is
        # called directly, without super()'s lookup.
        Response.__init__(self, content, status_code, headers, media_type, background)

    def render(self, content: Any) -> bytes:
        # PERF: pydantic_core serializes in Rust, 3-10x faster than json.dumps;
        # the rare outputs that could differ are redone with json.dumps.
        return _render_json(content)


def _render_json(content: Any) -> bytes:
    """``json.dumps``'s compact bytes, made by pydantic_core when it gives the same."""
    try:
        body = pydantic_core.to_json(content)
    except pydantic_core.PydanticSerializationError:
        return _json_dumps(content)
    if _may_differ(body):
        # Models, datetimes... (which pydantic_core encoded) are handed to
        # json.dumps as pydantic's JSON-able data, as jsonable_encoder would.
        return _json_dumps(content, default=pydantic_core.to_jsonable_python)
    return body


def plain_json_response(content: Any, status_code: int = 200) -> JSONResponse:
    """``JSONResponse(content, status_code)`` for float-free plain data.

    ``content`` must be ``encoders.json_kind(content) == PLAIN`` (str, int,
    bool, None, and dicts with string keys / lists of those): without floats
    pydantic_core's bytes are ``json.dumps``'s, so no NaN/exponent scan.
    """
    # PERF: the endpoint-return path: no __init__/render/init_headers calls,
    # no body scan, a prebuilt Content-Type pair (~0.5 µs of ~1.2 µs).
    try:
        body = pydantic_core.to_json(content)
    except pydantic_core.PydanticSerializationError:
        body = _json_dumps(content)
    response = JSONResponse.__new__(JSONResponse)
    response.status_code = status_code
    response.background = None
    response.body = body
    if status_code in NO_CONTENT_STATUSES:
        response.raw_headers = [_JSON_CONTENT_TYPE]
        reframe_headers(response.raw_headers, status_code)
        if bodyless_framing(status_code) == "zero":
            response.body = b""
    else:
        response.raw_headers = [(b"content-length", b"%d" % len(body)), _JSON_CONTENT_TYPE]
    return response


_JSON_CONTENT_TYPE = _content_type_header("application/json", "utf-8")  # JSONResponse's


class _DeprecatedJSONVariant(JSONResponse):
    """A JSON response class FastAPI deprecates; each instance warns once made."""

    def __init__(
        self,
        content: Any,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | None = None,
    ) -> None:
        name = type(self).__name__
        warnings.warn(
            f"{name} is deprecated: a response model or return type is already "
            "serialized to JSON bytes in Rust (by Pydantic); use JSONResponse, or no "
            "response_class at all",
            ZephyrDeprecationWarning,
            stacklevel=2,
        )
        super().__init__(content, status_code, headers, media_type, background)


class ORJSONResponse(_DeprecatedJSONVariant):
    """A JSON response rendered by ``orjson``, kept so FastAPI code ports unchanged.

    Deprecated, as in FastAPI: making one warns (``ZephyrDeprecationWarning``).
    With ``orjson`` installed the body is exactly what it gives
    (``OPT_NON_STR_KEYS | OPT_SERIALIZE_NUMPY``). Without it, the body is
    :class:`JSONResponse`'s: zephyr's own JSON is already serialized in Rust,
    which is what apps chose ``orjson`` for; for plain data the bytes are the
    same compact JSON.
    """

    def render(self, content: Any) -> bytes:
        orjson = _optional_module("orjson")
        if orjson is None:
            return super().render(content)
        body: bytes = orjson.dumps(
            content, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY
        )
        return body


class UJSONResponse(_DeprecatedJSONVariant):
    """A JSON response rendered by ``ujson`` when installed (see :class:`ORJSONResponse`).

    Deprecated, as in FastAPI: making one warns (``ZephyrDeprecationWarning``).
    """

    def render(self, content: Any) -> bytes:
        ujson = _optional_module("ujson")
        if ujson is None:
            return super().render(content)
        text: str = ujson.dumps(content, ensure_ascii=False)
        return text.encode("utf-8")


def _optional_module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _may_differ(body: bytes) -> bool:
    # PERF: plain substring scans are ~10x faster than running the regex over
    # every body; the regex only confirms the rare "e-" hit. ``find`` is about
    # twice as fast as ``in`` on bytes (no generic sequence protocol).
    find = body.find
    if find(b"NaN") >= 0 or find(b"Infinity") >= 0:
        return True
    if find(b"e-") < 0 and find(b"0.0000") < 0:
        return False
    return _JSON_MISMATCH.search(body) is not None


def _json_dumps(content: Any, default: Callable[[Any], Any] | None = None) -> bytes:
    return json.dumps(
        content,
        ensure_ascii=False,
        allow_nan=False,
        indent=None,
        separators=(",", ":"),
        default=default,
    ).encode("utf-8")


# RFC 3986 section 2.2 reserved characters, plus "%" so existing escapes survive.
_LOCATION_SAFE = ":/?#[]@" + "!$&'()*+,;=" + "%"


class RedirectResponse(Response):
    """A redirect with an empty body and a percent-encoded ``Location`` header.

    Args:
        url: Target URL (``str`` or ``URL``); unsafe characters are percent-encoded.
        status_code: Default ``307`` (RFC 9110 section 15.4.8).
        headers: Extra headers.
        background: Task run after sending.
    """

    def __init__(
        self,
        url: str | URL,
        status_code: int = 307,
        headers: Mapping[str, str] | None = None,
        background: BackgroundTask | None = None,
    ) -> None:
        super().__init__(
            content=b"", status_code=status_code, headers=headers, background=background
        )
        self.headers["location"] = quote(str(url), safe=_LOCATION_SAFE)


class StreamingResponse(Response):
    """A response whose body comes from an iterator, sent chunk by chunk.

    Sync iterators run in the thread pool. The stream stops when the client
    disconnects (``http.disconnect`` is watched concurrently, and a failing
    ``send`` counts too); the iterator is then closed so its ``finally`` runs.

    Args:
        content: An async or sync iterable of ``bytes``/``str`` chunks
            (``str`` is encoded with ``charset``).
        status_code: Default ``200``.
        headers: Extra headers (no Content-Length is computed).
        media_type: The ``Content-Type``, or ``None``.
        background: Task run after the stream ends (also after a disconnect).
    """

    body_iterator: AsyncIterable[str | bytes | memoryview]

    def __init__(
        self,
        content: AsyncIterable[Any] | Iterable[Any],
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | None = None,
    ) -> None:
        if isinstance(content, AsyncIterable):
            self.body_iterator = content
        else:
            self.body_iterator = _iterate_sync(content)
        self.status_code = status_code
        self.media_type = self.media_type if media_type is None else media_type
        self.background = background
        self.init_headers(headers)

    async def _listen_for_disconnect(self, receive: Receive) -> None:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return

    async def _stream(self, send: Send, prefix: str = "") -> None:
        await send(
            {
                "type": prefix + "http.response.start",
                "status": self.status_code,
                "headers": self.raw_headers,
            }
        )
        body_type = prefix + "http.response.body"
        charset = self.charset
        chunks = self._chunks()
        try:
            async for chunk in chunks:
                if isinstance(chunk, str):
                    chunk = chunk.encode(charset)
                await send({"type": body_type, "body": chunk, "more_body": True})
                # A send to a gone client returns at once without suspending, so an
                # iterator that never awaits would spin to its end (forever, if
                # endless) before the disconnect listener could run: yield to the
                # loop once per chunk (~1 us) to let it.
                await asyncio.sleep(0)
        finally:
            if chunks is not self.body_iterator:
                # Closed here, not left to the garbage collector: a pending
                # next() inside the wrapper must be cancelled before
                # ``body_iterator`` itself is closed.
                await _aclose(chunks)
        await send({"type": body_type, "body": b"", "more_body": False})

    def _chunks(self) -> AsyncIterable[str | bytes | memoryview]:
        """Return the chunks to send: ``body_iterator``, or a subclass's wrapper of it."""
        return self.body_iterator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Stream the body; stop early (closing the iterator) on client disconnect.

        Raises:
            ClientDisconnect: A ``send`` failed with ``OSError`` (how an ASGI 2.4
                server reports a client that went away).
        """
        if scope["type"] == "websocket":
            # The WebSocket denial-response extension: the same body, no listener
            # (the handshake's receive channel carries no http.disconnect).
            try:
                await self._stream(send, "websocket.")
            finally:
                await _aclose(self.body_iterator)
            if self.background is not None:
                await self.background()
            return
        stream = asyncio.ensure_future(self._stream(send))
        listener = asyncio.ensure_future(self._listen_for_disconnect(receive))
        try:
            await asyncio.wait((stream, listener), return_when=asyncio.FIRST_COMPLETED)
            if not stream.done() and not listener.cancelled() and listener.exception():
                # No usable receive channel: nothing to watch, just stream.
                await asyncio.wait((stream,))
            disconnected = not stream.done()
            stream.cancel()
            listener.cancel()
            await asyncio.gather(listener, return_exceptions=True)
            try:
                await stream
            except asyncio.CancelledError:
                if not disconnected:
                    raise
            except OSError as exc:
                raise ClientDisconnect() from exc
        finally:
            stream.cancel()
            listener.cancel()
            # Let cancelled tasks unwind before closing the iterator they may be inside.
            await asyncio.gather(stream, listener, return_exceptions=True)
            await _aclose(self.body_iterator)
        if self.background is not None:
            await self.background()


async def _aclose(iterator: object) -> None:
    aclose = getattr(iterator, "aclose", None)
    if aclose is not None:
        await aclose()


async def _iterate_sync(iterable: Iterable[Any]) -> AsyncIterator[Any]:
    """Like ``iterate_in_threadpool``, but closes a sync generator when abandoned."""
    iterator: Iterator[Any] = iter(iterable)
    sentinel = object()
    # Serialises next() and close(): a generator can't be closed while a worker
    # thread is inside it, so then the close is queued behind that next().
    lock = threading.Lock()

    def step() -> Any:
        with lock:
            return next(iterator, sentinel)

    def close() -> None:
        with lock:
            iterator.close()  # type: ignore[attr-defined]

    try:
        while True:
            item = await run_in_threadpool(step)
            if item is sentinel:
                return
            yield item
    finally:
        if hasattr(iterator, "close"):
            if lock.acquire(blocking=False):
                try:
                    iterator.close()
                finally:
                    lock.release()
            else:
                submit_to_threadpool(close)


# Defined in its own module (file handling is its own concept); imported last
# because it subclasses Response.
from zephyr._fileresponse import FileResponse  # noqa: E402

# Server-Sent Events live in zephyr.sse (their own concept); FastAPI also
# exports the response class from its responses module.
from zephyr.sse import EventSourceResponse  # noqa: E402
