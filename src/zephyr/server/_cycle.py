"""One HTTP/1.1 request/response exchange: the ASGI ``receive`` and ``send`` pair.

The protocol (``protocol.py``) parses requests and owns the connection; a
``RequestResponseCycle`` holds what belongs to a single request: its scope,
the unread body, and the response framing state. The two meet through a
narrow interface: the protocol hands body bytes to :meth:`~RequestResponseCycle.feed`
and calls the cycle's other public methods; the cycle reaches the connection
only through the ``CycleHooks`` it is built with (``_cycle_hooks.py``). Neither writes the
other's fields.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING, Any

from zephyr._nocontent import NO_CONTENT_STATUSES, bodyless_framing
from zephyr.concurrency import run_in_threadpool
from zephyr.server._date import date_header
from zephyr.server._response_head import (
    CLOSE,
    FRAMING_NAMES,
    HEADER_LINES,
    NAME_CACHE,
    STATUS_LINES,
    check_name,
    content_length,
    parse_length,
    remember_line,
    status_line,
)
from zephyr.server._sendfile import FileGone, open_file, send_file_slice

if TYPE_CHECKING:
    from zephyr.server._cycle_hooks import CycleHooks
    from zephyr.types import HTTPReceiveEvent, HTTPRequestEvent, HTTPScope, Message

__all__ = ["RequestResponseCycle"]

logger = logging.getLogger("zephyr.error")

_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
_KEEP_ALIVE = b"connection: keep-alive\r\n"
_CHUNKED = b"transfer-encoding: chunked\r\n"
_LAST_CHUNK = b"0\r\n\r\n"
# Bodies up to this size are copied next to the head so the whole response
# leaves in one write; larger ones are written separately to avoid the copy.
_COALESCE_LIMIT = 65536

# Response header pairs as an app sends them: ASGI asks for (bytes, bytes)
# tuples; lists and bytearray values are accepted, and anything else reaches
# _start's own checks (a RuntimeError naming the header).
AppHeaders = Iterable[Any]

# ASGI pathsend (a whole file, ends the response) and zephyr's slice variant.
_PATHSEND = "http.response.pathsend"
_FILE_MESSAGES = frozenset({_PATHSEND, "zephyr.sendfile"})


def _body_bytes(body: object) -> bytes:
    """Return a response body that is not ``bytes`` as bytes.

    ASGI asks for bytes; a bytearray or memoryview is taken too, as a copy
    (the compiled build checks ``bytes`` where the pure one would join them).

    Raises:
        RuntimeError: When ``body`` is not a bytes-like object.
    """
    if isinstance(body, (bytearray, memoryview)):
        return bytes(body)
    raise RuntimeError(f"Response body must be bytes, got {type(body).__name__}")


def _chunk(body: bytes, more: bool) -> bytes:
    """Encode one body piece in the chunked coding (RFC 9112 §7.1); the last ends it."""
    if body:
        return b"%x\r\n%b\r\n%b" % (len(body), body, b"" if more else _LAST_CHUNK)
    return b"" if more else _LAST_CHUNK


class RequestResponseCycle:
    """ASGI ``receive``/``send`` for one request on an HTTP/1.1 connection.

    Args:
        hooks: The connection's collaborators (see :class:`CycleHooks`).
        scope: The ASGI ``http`` scope of this request.
        keep_alive: Whether the client allows the connection to be reused.
        http10: True for an HTTP/1.0 request (no chunked responses).
        head: True for a ``HEAD`` request (headers only, no body sent).
        expect_100: True when the request carries ``Expect: 100-continue``.
    """

    __slots__ = (
        "body",
        "body_delivered",
        "body_size",
        "bytes_sent",
        "chunked",
        "disconnected",
        "expect_100",
        "flow",
        "head_method",
        "head_parts",
        "hooks",
        "http10",
        "keep_alive",
        "length_left",
        "message_complete",
        "no_body",
        "received",
        "response_complete",
        "response_started",
        "scope",
        "started_at",
        "status",
        "task",
        "transport",
        "waiter",
    )

    def __init__(
        self,
        hooks: CycleHooks,
        scope: HTTPScope,
        keep_alive: bool,
        http10: bool,
        head: bool,
        expect_100: bool,
    ) -> None:
        self.hooks = hooks
        self.transport = hooks.transport
        self.flow = hooks.flow
        self.scope = scope
        self.keep_alive = keep_alive
        self.http10 = http10
        self.head_method = head
        self.expect_100 = expect_100
        # Request side.
        self.body: list[bytes] = []
        self.body_size = 0  # unread bytes in self.body
        self.received = 0  # total body bytes received (for max_body_size)
        self.message_complete = False
        self.body_delivered = False
        self.disconnected = False
        self.waiter: asyncio.Future[None] | None = None
        # Response side: the head is gathered in head_parts until the first
        # body bytes fix its framing (see _frame).
        self.response_started = False
        self.response_complete = False
        self.head_parts: list[bytes] | None = None
        self.status = 0
        self.length_left: int | None = None  # content-length bytes still owed
        self.chunked = False
        self.no_body = False
        self.bytes_sent = 0
        self.task: asyncio.Task[None] | None = None
        self.started_at = 0.0

    # -- driven by the protocol ------------------------------------------------

    def feed(self, body: bytes) -> int:
        """Take request body bytes from the parser.

        Args:
            body: The bytes.

        Returns:
            The unread bytes now buffered (0 once nobody will read them).
        """
        self.received += len(body)
        if self.response_complete or self.disconnected:
            return 0  # nobody will read it
        self.body.append(body)
        size = self.body_size + len(body)
        self.body_size = size
        self.wake()
        return size

    def end_body(self) -> None:
        """Note that the request message (its body) is complete."""
        self.message_complete = True
        self.wake()

    def close_after(self) -> None:
        """Make this response the connection's last one (graceful shutdown)."""
        self.keep_alive = False

    def wake(self) -> None:
        """Wake a ``receive()`` waiting for body data or the end of the exchange."""
        waiter = self.waiter
        if waiter is not None:
            self.waiter = None
            if not waiter.done():
                waiter.set_result(None)

    def abort(self) -> None:
        """Treat the client as gone: ``receive()`` says disconnect, ``send()`` is a no-op."""
        self.disconnected = True
        self.wake()

    def start(self, eager: bool) -> None:
        """Run the application for this request in a task of its own.

        Args:
            eager: Start the task eagerly (3.12+): a request that never
                awaits I/O completes before this returns, unscheduled.
        """
        hooks = self.hooks
        if hooks.access_log:
            self.started_at = time.perf_counter()
        if eager:
            task = asyncio.Task(  # type: ignore[call-arg, unused-ignore]  # eager_start: 3.12+
                self.run_asgi(), loop=hooks.loop, eager_start=True
            )
            if task.done():
                return
        else:
            task = hooks.loop.create_task(self.run_asgi())
        # A task that awaits is tracked (limit_concurrency, graceful shutdown).
        self.task = task
        hooks.state.tasks.add(task)

    async def run_asgi(self) -> None:
        """Run the application for this request and handle its failures.

        Calls the app's native entry (ASGI plus :meth:`respond`) when the
        hooks carry one, else the ASGI callable.

        Raises:
            asyncio.CancelledError: Re-raised when the task is cancelled.
        """
        hooks = self.hooks
        native = hooks.native
        try:
            if native is None:
                await hooks.app(self.scope, self.receive, self.send)
            else:
                await native(self.scope, self.receive, self.send, self.respond)
        except asyncio.CancelledError:
            if not self.response_complete:
                self._abort_connection()
            raise
        except BaseException as exc:
            logger.error("Exception in ASGI application", exc_info=exc)
            if not self.response_started:
                self._fail(500, "Internal Server Error")
            elif not self.response_complete:
                self._abort_connection()
            if not isinstance(exc, Exception):
                raise
        else:
            if not self.response_started:
                if not self.disconnected:
                    logger.error("ASGI callable returned without starting a response")
                self._fail(500, "Internal Server Error")
            elif not self.response_complete:
                if not self.disconnected:
                    logger.error("ASGI callable returned without completing the response")
                self._abort_connection()
        finally:
            hooks.state.tasks.discard(self.task)
            self.task = None

    def _fail(self, status: int, reason: str) -> None:
        """Answer a request whose app failed before responding; the connection closes."""
        if self.disconnected:
            return
        self.response_started = self.response_complete = True
        self.status = status
        self.wake()
        self.hooks.fail(self, status, reason)

    def _abort_connection(self) -> None:
        self.abort()
        self.hooks.close()

    # -- ASGI receive ----------------------------------------------------------

    async def receive(self) -> HTTPReceiveEvent:
        """Return the next ``http.request`` or ``http.disconnect`` event (ASGI 3, HTTP 2.4).

        Returns:
            ``{"type": "http.request", "body": bytes, "more_body": bool}`` while
            the body lasts; once it is delivered, waits until the response is
            complete or the client disconnects and returns
            ``{"type": "http.disconnect"}``.
        """
        if self.expect_100:
            # RFC 9110 §10.1.1: ask for the body only once the app wants it.
            self.expect_100 = False
            if not self.disconnected and not self.transport.is_closing():
                self.transport.write(_CONTINUE)
        while not (self.disconnected or self.response_complete):
            if not self.body_delivered and (self.body or self.message_complete):
                return self._take_body()
            waiter = asyncio.get_running_loop().create_future()
            self.waiter = waiter
            try:
                await waiter
            finally:
                self.waiter = None
        return {"type": "http.disconnect"}

    def _take_body(self) -> HTTPRequestEvent:
        chunks = self.body
        if not chunks:
            data = b""
        elif len(chunks) == 1:
            data = chunks[0]
            chunks.clear()
        else:
            data = b"".join(chunks)
            chunks.clear()
        self.body_size = 0
        more = not self.message_complete
        if not more:
            self.body_delivered = True
        if self.flow.read_paused:
            self.hooks.resume_reading()
        return {"type": "http.request", "body": data, "more_body": more}

    # -- ASGI send -------------------------------------------------------------

    async def send(self, message: Message) -> None:
        """Send an ``http.response.start`` or ``http.response.body`` event (ASGI 3, HTTP 2.4).

        Args:
            message: The event dict. ``http.response.start`` takes ``status``
                (int) and ``headers`` (iterable of ``(name, value)`` bytes
                pairs); ``http.response.body`` takes ``body`` (bytes, default
                ``b""``) and ``more_body`` (bool, default False).

        Raises:
            RuntimeError: For events out of order (body before start, anything
                after the response is complete), an invalid status, a header
                name that is not a token, a header value containing CR, LF or
                NUL (nothing is written then), or a body longer or shorter
                than the declared ``content-length``. After the client has
                disconnected every call is a silent no-op.
        """
        if self.disconnected:
            return
        mtype = message["type"]
        if not self.response_started:
            if mtype != "http.response.start":
                raise RuntimeError(f"Expected ASGI message 'http.response.start', got {mtype!r}")
            self._start(message["status"], message.get("headers", ()))
            return
        if self.response_complete:
            raise RuntimeError(f"Unexpected ASGI message {mtype!r} after the response completed")
        if mtype != "http.response.body":
            if mtype in _FILE_MESSAGES:
                await self._send_file(message)
                return
            raise RuntimeError(f"Expected ASGI message 'http.response.body', got {mtype!r}")
        body = message.get("body", b"")
        if type(body) is not bytes:
            body = _body_bytes(body)
        self._body(body, message.get("more_body", False))
        if self.flow.write_paused and not self.disconnected:
            await self.flow.drain()

    def respond(self, status: int, headers: AppHeaders, body: bytes | memoryview) -> None:
        """Send a whole response in one call: zephyr's native fast path.

        Does what ``http.response.start`` followed by one final
        ``http.response.body`` does, without building the two event dicts or
        awaiting twice. The response is complete on return.

        Args:
            status: The status code, 100-999.
            headers: ``(name, value)`` byte pairs, as in ``http.response.start``.
            body: The whole body.

        Raises:
            RuntimeError: As :meth:`send` would for the same two events, and
                when the response has already started. A no-op once the
                client has disconnected.
        """
        if self.disconnected:
            return
        if self.response_started:
            raise RuntimeError("Unexpected whole response: the response already started")
        self._start(status, headers)
        self._body(body if type(body) is bytes else _body_bytes(body), False)

    def _start(self, status: Any, headers: AppHeaders) -> None:
        # ``status`` and ``headers`` are what the app sent, unchecked: typed
        # Any so that a compiled build does not refuse a wrong type on entry
        # with a TypeError before the checks below name the bad field.
        line = STATUS_LINES.get(status) or status_line(status)
        # PERF: the head is gathered as a list and joined once, together with
        # the first body chunk, in _first_body().
        parts = [line, date_header(), self.hooks.static_headers]
        keep_alive = self.keep_alive
        has_connection = False
        for pair in headers:
            # PERF: a pair seen before is one dict lookup: no validation, no
            # re-encoding (~0.15 µs a header). ASGI also allows list pairs.
            try:
                cached = HEADER_LINES.get(pair) if type(pair) is tuple else None
            except TypeError:  # an unhashable part (bytearray): the full path takes it
                cached = None
            if cached is not None:
                parts.append(cached[0])
                if cached[1] >= 0:
                    self.length_left = cached[1]
                continue
            name, value = pair
            lname = NAME_CACHE.get(name)
            if lname is None:
                lname = check_name(name)
            # PERF: int membership is a memchr (~15 ns); `b"\r" in value` goes
            # through the substring search set-up (~100 ns). 13/10/0 = CR/LF/NUL,
            # refused to prevent response splitting (RFC 9110 §5.5).
            if 13 in value or 10 in value or 0 in value:
                raise RuntimeError(
                    f"Invalid HTTP header value for {name!r}: CR, LF and NUL are not allowed"
                )
            length = -1
            if lname in FRAMING_NAMES:
                if lname == b"content-length":
                    length = self.length_left = parse_length(value)
                elif lname == b"transfer-encoding":
                    self.chunked = value.lower() == b"chunked"
                else:
                    has_connection = True
                    if b"close" in value.lower():
                        keep_alive = False
            header_line = b"%b: %b\r\n" % (name, value)
            parts.append(header_line)
            if (
                type(pair) is tuple
                and type(value) is bytes
                and (length >= 0 or lname not in FRAMING_NAMES)
            ):
                remember_line(pair, header_line, length)
        if self.expect_100 or not self.message_complete:
            # Answered before the request body all arrived (after Expect:
            # 100-continue, before it was even asked for): the protocol drains
            # what is left and closes (HttpProtocol.on_response_complete).
            # The head says so, or a client would send its next request on a
            # connection about to close and lose it.
            self.expect_100 = False
            keep_alive = False
        if self.hooks.state.should_exit:
            keep_alive = False
        if not has_connection:
            if not keep_alive:
                parts.append(CLOSE)
            elif self.http10:
                parts.append(_KEEP_ALIVE)
        # PERF: one set lookup covers 1xx, 204, 205 and 304 (zephyr._nocontent).
        self.no_body = self.head_method or status in NO_CONTENT_STATUSES
        self.keep_alive = keep_alive
        self.status = status
        self.head_parts = parts
        self.response_started = True

    # -- response framing ------------------------------------------------------

    def _body(self, body: bytes, more: bool) -> None:
        if self.head_parts is not None:
            self._first_body(body, more)
        elif self.no_body:
            pass
        elif self.chunked:
            payload = _chunk(body, more)
            if payload:
                self.transport.write(payload)
        else:
            self._check_length(len(body))
            if body:
                self.transport.write(body)
        self.bytes_sent += len(body)
        if not more:
            self._complete()

    def _first_body(self, body: bytes, more: bool) -> None:
        left = self.length_left
        if (
            not more
            and (left is None or left == len(body))
            and not self.chunked
            and not self.no_body
            and len(body) <= _COALESCE_LIMIT
        ):
            # PERF: the common case (one body message, with the app's matching
            # content-length or none, which is then computed) leaves with the
            # head in a single join and a single transport.write.
            parts = self.head_parts or []
            self.head_parts = None
            if left is None:
                parts.append(content_length(len(body)))
            else:
                parts.append(b"\r\n")
                self.length_left = 0
            parts.append(body)
            self.transport.write(b"".join(parts))
            return
        head = self._head(self._frame(len(body), more))
        if self.no_body:
            self.transport.write(head)
        elif self.chunked:
            self._write(head, _chunk(body, more))
        else:
            self._check_length(len(body))
            self._write(head, body)

    def _frame(self, size: int, more: bool) -> bytes:
        """Decide the response's framing (RFC 9112 §6) when its head is written.

        The one place that picks between the app's content-length or chunked
        coding, a computed content-length, the chunked coding and, for an
        HTTP/1.0 client, a close-delimited body.

        Args:
            size: The size of the first body piece (a file slice's count).
            more: Whether more body follows it.

        Returns:
            The framing header lines to add to the head (may be empty).
        """
        if self.no_body:
            if self.status in NO_CONTENT_STATUSES:
                return self._bodyless_framing()
            if self.head_method and self.length_left is None and not more and not self.chunked:
                return b"content-length: %d\r\n" % size  # what a GET would have had
            return b""
        if self.chunked or self.length_left is not None:
            return b""  # the app's own framing
        if not more:
            self.length_left = size
            return b"content-length: %d\r\n" % size
        if self.http10:
            # HTTP/1.0 clients know no chunked coding: close-delimit the body.
            if not self.keep_alive:
                return b""
            self.keep_alive = False
            if self.head_parts and self.head_parts[-1] == _KEEP_ALIVE:
                self.head_parts.pop()
            return CLOSE
        self.chunked = True
        return _CHUNKED

    def _bodyless_framing(self) -> bytes:
        """Make the head's framing lines follow a no-content status; return the line to add."""
        framing = bodyless_framing(self.status)
        if framing == "keep":
            return b""
        # The app's Content-Length / Transfer-Encoding would promise a body
        # that is not sent: a 205 with "content-length: 14" and no content
        # would leave the client waiting for 14 bytes.
        self.head_parts = [
            line
            for line in self.head_parts or []
            if line[:15].lower() != b"content-length:"
            and line[:18].lower() != b"transfer-encoding:"
        ]
        self.chunked = False
        self.length_left = None
        return b"content-length: 0\r\n" if framing == "zero" else b""

    def _head(self, framing: bytes) -> bytes:
        parts = self.head_parts or []
        self.head_parts = None
        parts.append(framing)
        parts.append(b"\r\n")
        return b"".join(parts)

    def _write(self, head: bytes, body: bytes) -> None:
        if len(body) <= _COALESCE_LIMIT:
            self.transport.write(head + body)
        else:
            self.transport.write(head)
            self.transport.write(body)

    def _check_length(self, size: int) -> None:
        left = self.length_left
        if left is not None:
            left -= size
            if left < 0:
                self.keep_alive = False
                raise RuntimeError("Response content longer than Content-Length")
            self.length_left = left

    def _complete(self) -> None:
        self.response_complete = True
        short = bool(self.length_left) and not self.no_body
        if short:
            self.keep_alive = False
        self.wake()
        self.hooks.complete(self)
        if short:
            raise RuntimeError("Response content shorter than Content-Length")

    # -- files -----------------------------------------------------------------

    async def _send_file(self, message: Message) -> None:
        """Send a file (``http.response.pathsend``) or a slice of one (``zephyr.sendfile``).

        A pathsend message carries ``path`` and ends the response. A
        ``zephyr.sendfile`` message also takes ``offset`` (default 0),
        ``count`` (bytes, default to the end of the file) and ``more_body``
        (default False). Without a declared ``content-length`` the last slice
        gets one; an unfinished response is sent chunked.
        """
        path = message["path"]
        more = False if message["type"] == _PATHSEND else bool(message.get("more_body", False))
        if not isinstance(path, str) or not os.path.isabs(path):
            raise RuntimeError(f"ASGI {message['type']!r} needs an absolute path, got {path!r}")
        file, size = await open_file(path)
        try:
            offset = min(int(message.get("offset", 0)), size)
            count = message.get("count")
            count = size - offset if count is None else min(int(count), size - offset)
            if offset < 0 or count < 0:
                raise RuntimeError(f"Invalid file slice: offset {offset}, count {count}")
            if self.disconnected:
                return
            if self.head_parts is not None:
                if not more and self.length_left is None and not self.chunked:
                    # The last slice: its size is the content-length (a 304's
                    # too, describing the file); _frame keeps a declared one.
                    self.head_parts.append(b"content-length: %d\r\n" % count)
                    self.length_left = count
                self.transport.write(self._head(self._frame(0, True)))
            if not self.no_body and count:
                await self._send_slice(file, offset, count)
        finally:
            await run_in_threadpool(file.close)
        if not more and not self.disconnected:
            self._body(b"", False)

    async def _send_slice(self, file: IO[bytes], offset: int, count: int) -> None:
        if self.chunked:
            self.transport.write(b"%x\r\n" % count)  # a chunk whose data sendfile writes
        else:
            self._check_length(count)
        try:
            await send_file_slice(
                self.transport, self.flow, file, offset, count, lambda: self.disconnected
            )
        except FileGone:
            # The body can no longer match its framing: the connection must go.
            if not self.disconnected:
                logger.error("File %r ended before %d bytes were sent", file.name, count)
            self._abort_connection()
            return
        if self.chunked:
            self.transport.write(b"\r\n")
        self.bytes_sent += count
