"""WebSocket connections (RFC 6455) speaking the ASGI 3 ``websocket`` protocol.

The HTTP protocol (``protocol.py``) parses the upgrade request and hands the
transport over (``transport.set_protocol``) to a :class:`WebSocketProtocol`.
Framing, masking, the closing handshake, UTF-8 close reasons and
permessage-deflate (RFC 7692) come from the ``websockets`` library's sans-I/O
``ServerProtocol``; this module does the I/O, message assembly, keep-alive
pings, flow control both ways and the ASGI messages (spec 2.4, including the
``websocket.http.response`` denial extension).
"""

from __future__ import annotations

import asyncio
import codecs
import http
import logging
import os
import struct
import time
from collections import deque
from typing import TYPE_CHECKING, Any, cast

from websockets.exceptions import ProtocolError
from websockets.extensions.permessage_deflate import ServerPerMessageDeflateFactory
from websockets.frames import Frame, Opcode
from websockets.http11 import Request, Response
from websockets.protocol import CLOSED, CLOSING, OPEN
from websockets.server import ServerProtocol
from websockets.streams import StreamReader

try:
    from websockets.speedups import apply_mask  # C implementation
except ImportError:  # pragma: no cover - a pure-Python build of websockets
    from websockets.utils import apply_mask

from zephyr.server._response_head import error_response
from zephyr.server._ws_handshake import (
    HandshakeError,
    build_http_response_head,
    check_request,
    rebuild_request,
)
from zephyr.server.access import ACCESS_LOG
from zephyr.types import as_server_app

if TYPE_CHECKING:
    from zephyr.server._flow import FlowControl
    from zephyr.server.config import Config
    from zephyr.server.state import ServerState
    from zephyr.types import (
        ASGIApp,
        Message,
        WebSocketDisconnectEvent,
        WebSocketReceiveEvent,
        WebSocketReceiveEvents,
        WebSocketScope,
    )

__all__ = ["ClientDisconnected", "WebSocketProtocol"]

logger = logging.getLogger("zephyr.error")
access_logger = logging.getLogger("zephyr.access")

# The sans-I/O protocol logs every open/close at INFO; only its warnings and
# errors are worth a line, under zephyr's error logger.
_protocol_logger = logging.Logger("zephyr.error.websocket", logging.WARNING)
_protocol_logger.parent = logger

CLOSE_SERVICE_RESTART = 1012
CLOSE_ABNORMAL = 1006
_DEFAULT_CLOSE_TIMEOUT = 10.0  # seconds; when ws_ping_timeout is None

# Connection states as the application sees them.
_HANDSHAKE = 0  # waiting for the app's accept / close / denial response
_OPEN = 1  # accepted
_RESPONSE = 2  # sending a denial HTTP response
_CLOSED = 3  # app closed, or connection gone

_COALESCE_LIMIT = 65536  # bytes of payload copied next to the frame header
_DATA_OPCODES = (Opcode.TEXT, Opcode.BINARY, Opcode.CONT)
_AT_EOF_CODE = StreamReader.at_eof.__code__  # where the parser waits between frames


def _frame_header(first: int, length: int) -> bytes:
    """Encode an unmasked frame header (RFC 6455 §5.2) for a payload of ``length`` bytes."""
    if length < 126:
        return bytes((first, length))
    if length < 65536:
        return struct.pack("!BBH", first, 126, length)
    return struct.pack("!BBQ", first, 127, length)


class ClientDisconnected(OSError):
    """Raised by ``send()`` when the WebSocket peer is gone (ASGI spec 2.4)."""


class _ServerProtocol(ServerProtocol):
    """The sans-I/O server protocol, accepting a close inside a fragmented message.

    RFC 6455 §5.4 lets control frames sit between the fragments of a message,
    and a close frame there simply ends the connection: the unfinished message
    is dropped and the close echoed (1000), not failed with 1002.
    """

    def recv_frame(self, frame: Frame) -> None:
        if frame.opcode is Opcode.CLOSE:
            self.current_size = None
        super().recv_frame(frame)


class WebSocketProtocol(asyncio.Protocol):
    """One WebSocket connection: transport I/O, the sans-I/O state machine and the ASGI app.

    Args:
        config: Server settings (``ws_*`` limits, timeouts, logging).
        app: The ASGI 3 application.
        state: Process-wide server state (connections and tasks are counted there).
        scope: The ASGI ``websocket`` scope of this connection.
        transport: The connection's transport, taken over from the HTTP protocol.
        flow: The transport's flow control, shared with the HTTP protocol.
        static_headers: Pre-encoded ``Server``/default header lines.
        client_addr: ``host:port`` of the peer, for the access log.
    """

    def __init__(
        self,
        config: Config,
        app: ASGIApp,
        state: ServerState,
        scope: WebSocketScope,
        transport: asyncio.Transport,
        flow: FlowControl,
        static_headers: bytes,
        client_addr: str,
    ) -> None:
        self.config = config
        self.app = app
        self.state = state
        self.scope = scope
        self.transport = transport
        self.flow = flow
        self.static_headers = static_headers
        self.client_addr = client_addr
        self.loop = asyncio.get_running_loop()
        extensions = [ServerPerMessageDeflateFactory()] if config.ws_per_message_deflate else None
        self.conn = _ServerProtocol(
            extensions=extensions,
            max_size=config.ws_max_size,
            logger=_protocol_logger,
        )
        self.response: Response | None = None
        self.app_state = _HANDSHAKE
        self.connect_sent = False
        self.lost = False
        self.shutting_down = False
        self.status = 0  # HTTP status of the handshake answer, for the access log
        self.started_at = time.perf_counter()
        # Incoming messages: bounded by ws_max_queue through pause_reading.
        self.queue: deque[WebSocketReceiveEvent] = deque()
        self.max_queue = max(1, config.ws_max_queue)
        self.waiter: asyncio.Future[None] | None = None
        self.early: list[bytes] = []  # bytes sent before the handshake finished
        self.fragments: list[Any] = []  # str pieces of a text message, else bytes
        self.decoder: codecs.IncrementalDecoder | None = None
        # Denial response framing.
        self.response_length = True
        self.response_body: list[bytes] = []
        # Timers.
        self.ping_handle: asyncio.TimerHandle | None = None
        self.pong_handle: asyncio.TimerHandle | None = None
        self.ping_payload = b""
        self.close_handle: asyncio.TimerHandle | None = None
        self.task: asyncio.Task[None] | None = None

    # -- start -----------------------------------------------------------------

    def start(
        self,
        method: str,
        headers: list[tuple[bytes, bytes]],
        has_body: bool,
        rest: bytes,
    ) -> None:
        """Validate the opening handshake and, when sound, run the app.

        An unsound handshake is answered (400, 426) and closed without
        calling the app.

        Args:
            method: Request method.
            headers: Request headers, names lower-cased.
            has_body: Whether the request announced a body.
            rest: Bytes that followed the request head in the same read.
        """
        self.state.connections.add(self)
        try:
            check_request(method, self.scope["http_version"], headers, has_body)
        except HandshakeError as exc:
            self._refuse(exc.status, exc.reason, exc.headers)
            return
        conn = self.conn
        conn.receive_data(rebuild_request(headers))
        events = conn.events_received()
        request = events[0] if events else None
        response = conn.accept(request) if isinstance(request, Request) else None
        if response is None or response.status_code != 101:
            # The sans-I/O protocol found a fault (bad key, Upgrade header...).
            text = response.body.decode("utf-8", "replace").strip() if response else ""
            status = response.status_code if response else 400
            phrase = http.HTTPStatus(status).phrase
            self._refuse(status, f"{phrase}: {text or 'invalid WebSocket handshake'}")
            return
        self.response = response
        if rest:
            self.data_received(rest)
        self.task = self.loop.create_task(self._run_asgi())
        self.state.tasks.add(self.task)

    def _refuse(self, status: int, reason: str, headers: bytes = b"") -> None:
        self.app_state = _CLOSED
        self.status = status
        self.transport.write(error_response(status, reason, self.static_headers + headers))
        self._close_transport()
        self._log_handshake("invalid handshake")

    # -- asyncio.Protocol --------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Unused: the transport is handed over already connected."""

    def data_received(self, data: bytes) -> None:
        """Feed frames to the sans-I/O protocol and deliver complete messages."""
        if self.app_state != _OPEN:
            if self.app_state == _HANDSHAKE and self.conn.state is not CLOSED:
                # A client must wait for the 101; keep what arrived early, but
                # read nothing more until the app has decided.
                self.early.append(data)
                self.flow.pause_reading()
                return
            if self.conn.state is not OPEN and self.conn.state is not CLOSING:
                return
        elif self._at_frame_boundary():
            data = self._receive_simple_frames(data)
            if not data:
                return
        self.conn.receive_data(data)
        self._handle_events()
        self._flush()

    def _at_frame_boundary(self) -> bool:
        """Whether the sans-I/O parser holds no partial frame and no partial message."""
        conn = self.conn
        if conn.state is not OPEN or conn.extensions or conn.current_size is not None:
            return False
        if conn.reader.buffer:
            return False
        # The parser (a chain of generators) waits in ``StreamReader.at_eof``
        # only between frames; any other innermost suspension point (or another
        # library layout) means "not sure", and the parser gets the bytes.
        inner: Any = conn.parser
        while (outer := getattr(inner, "gi_yieldfrom", None)) is not None:
            inner = outer
        return getattr(inner, "gi_code", None) is _AT_EOF_CODE

    def _receive_simple_frames(self, data: bytes) -> bytes:
        """Deliver the complete small data frames at the start of ``data``; return the rest.

        PERF: a client message is usually one masked, unfragmented frame of
        under 126 bytes arriving whole; unmasking it here skips the sans-I/O
        parser's generators, Frame object and checks (the largest Python cost
        of a received message). Anything else (control frames, fragments,
        longer or partial frames, bad UTF-8, RSV bits) goes on to the parser,
        which is then at a frame boundary too. RFC 6455 §5.2-5.3.
        """
        limit = self.conn.max_message_size
        end = len(data)
        pos = 0
        while end - pos >= 6:
            first = data[pos]
            second = data[pos + 1]
            length = second & 0x7F
            if (first != 0x81 and first != 0x82) or second < 0x80 or length > 125:
                break
            if limit is not None and length > limit:
                break
            stop = pos + 6 + length
            if stop > end:
                break
            payload = apply_mask(data[pos + 6 : stop], data[pos + 2 : pos + 6])
            if first == 0x81:
                try:
                    text = str(payload, "utf-8")
                except UnicodeDecodeError:
                    break  # the parser fails the connection with 1007
                self._deliver({"type": "websocket.receive", "text": text})
            else:
                self._deliver({"type": "websocket.receive", "bytes": payload})
            pos = stop
        return data[pos:] if pos else data

    def eof_received(self) -> bool | None:
        """The peer half-closed: finish the sans-I/O protocol, then close."""
        if self.conn.state is OPEN or self.conn.state is CLOSING:
            self.conn.receive_eof()
            self._flush()
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        """Tell the app the peer is gone and release every timer and waiter."""
        self.lost = True
        self.state.connections.discard(self)
        for handle in (self.ping_handle, self.pong_handle, self.close_handle):
            if handle is not None:
                handle.cancel()
        self.ping_handle = self.pong_handle = self.close_handle = None
        self.flow.resume_writing()  # a send() blocked in drain() returns
        self._wake()

    def pause_writing(self) -> None:
        """Transport write buffer is above high water: make ``send`` wait."""
        self.flow.pause_writing()

    def resume_writing(self) -> None:
        """Transport write buffer drained below low water."""
        self.flow.resume_writing()

    def shutdown(self) -> None:
        """Close with 1012 (service restart), now if open, else once accepted."""
        self.shutting_down = True
        if self.app_state == _OPEN and self.conn.state is OPEN:
            self._send_close(CLOSE_SERVICE_RESTART, "server shutdown")

    # -- incoming frames -------------------------------------------------------

    def _handle_events(self) -> None:
        for event in self.conn.events_received():
            if not isinstance(event, Frame):  # pragma: no cover - only frames after 101
                continue
            opcode = event.opcode
            if opcode in _DATA_OPCODES:
                if not self._on_data_frame(event):
                    return
            elif opcode is Opcode.PONG:
                if self.pong_handle is not None and event.data == self.ping_payload:
                    self.pong_handle.cancel()
                    self.pong_handle = None
            elif opcode is Opcode.CLOSE:
                self._arm_close_timer()
        if self.conn.state is not OPEN:
            self._wake()  # the app learns of the close once the queue is read

    def _on_data_frame(self, frame: Frame) -> bool:
        """Add a data frame to the current message; False when the connection failed."""
        if self.app_state == _CLOSED:
            return True  # the app is done reading: drop data, finish the close
        data = frame.data
        opcode = frame.opcode
        if opcode is not Opcode.CONT:
            if frame.fin:
                # PERF: a message in a single frame (the usual case) skips the
                # incremental decoder and the join.
                if opcode is Opcode.TEXT:
                    try:
                        text = str(data, "utf-8")
                    except UnicodeDecodeError as exc:
                        self._fail(1007, f"invalid UTF-8 in text message: {exc.reason}")
                        return False
                    return self._deliver({"type": "websocket.receive", "text": text})
                return self._deliver({"type": "websocket.receive", "bytes": bytes(data)})
            self.fragments = []
            self.decoder = (
                codecs.getincrementaldecoder("utf-8")() if opcode is Opcode.TEXT else None
            )
        decoder = self.decoder
        if decoder is not None:
            # Decode fragment by fragment so invalid UTF-8 fails at once
            # (RFC 6455 §8.1), not after the whole message is buffered.
            try:
                self.fragments.append(decoder.decode(data, frame.fin))
            except UnicodeDecodeError as exc:
                self._fail(1007, f"invalid UTF-8 in text message: {exc.reason}")
                return False
        else:
            self.fragments.append(bytes(data))
        if not frame.fin:
            return True
        parts, self.fragments = self.fragments, []
        if decoder is not None:
            return self._deliver({"type": "websocket.receive", "text": "".join(parts)})
        return self._deliver({"type": "websocket.receive", "bytes": b"".join(parts)})

    def _deliver(self, message: WebSocketReceiveEvent) -> bool:
        queue = self.queue
        queue.append(message)
        if len(queue) >= self.max_queue:
            self.flow.pause_reading()  # backpressure: the app is not keeping up
        self._wake()
        return True

    def _fail(self, code: int, reason: str) -> None:
        self.fragments = []
        self.conn.fail(code, reason)
        self._flush()
        self._wake()

    # -- outgoing bytes --------------------------------------------------------

    def _flush(self) -> None:
        transport = self.transport
        for data in self.conn.data_to_send():
            if transport.is_closing():
                return
            if data:
                transport.write(data)
            else:  # end of stream: the server closes TCP first (RFC 6455 §7.1.1)
                self._close_transport()
                return

    def _close_transport(self) -> None:
        if not self.transport.is_closing():
            self.transport.close()

    def _send_close(self, code: int, reason: str) -> None:
        self.conn.send_close(code, reason)
        self._flush()
        self._arm_close_timer()

    def _arm_close_timer(self) -> None:
        # A peer that never answers our close frame (or never closes TCP)
        # must not hold the connection forever.
        if self.close_handle is None and not self.lost:
            timeout = self.config.ws_ping_timeout
            delay = _DEFAULT_CLOSE_TIMEOUT if timeout is None else timeout
            self.close_handle = self.loop.call_later(delay, self._on_close_timeout)

    def _on_close_timeout(self) -> None:
        self.close_handle = None
        if not self.transport.is_closing():
            self.transport.abort()

    # -- keep-alive pings ------------------------------------------------------

    def _schedule_ping(self) -> None:
        interval = self.config.ws_ping_interval
        if interval is not None and interval > 0 and not self.lost:
            self.ping_handle = self.loop.call_later(interval, self._send_ping)

    def _send_ping(self) -> None:
        self.ping_handle = None
        if self.conn.state is not OPEN or self.transport.is_closing():
            return
        if self.pong_handle is None:  # never more than one ping unanswered
            self.ping_payload = os.urandom(4)
            self.conn.send_ping(self.ping_payload)
            self._flush()
            timeout = self.config.ws_ping_timeout
            if timeout is not None:
                self.pong_handle = self.loop.call_later(timeout, self._on_pong_timeout)
        self._schedule_ping()

    def _on_pong_timeout(self) -> None:
        self.pong_handle = None
        if self.conn.state is OPEN:
            self._fail(1011, "keepalive ping timeout")
        self._close_transport()

    # -- the application -------------------------------------------------------

    async def _run_asgi(self) -> None:
        try:
            await as_server_app(self.app)(self.scope, self.receive, self.send)
        except asyncio.CancelledError:
            self._close_transport()
            raise
        except ClientDisconnected as exc:
            # The app sent to a peer that had left and did not catch it: the
            # usual end of a WebSocket, not an application bug.
            logger.debug("WebSocket application ended on a closed connection", exc_info=exc)
            self._after_app(crashed=False)
        except BaseException as exc:
            logger.error("Exception in ASGI application", exc_info=exc)
            self._after_app(crashed=True)
            if not isinstance(exc, Exception):
                raise
        else:
            self._after_app(crashed=False)
        finally:
            if self.task is not None:
                self.state.tasks.discard(self.task)
                self.task = None

    def _after_app(self, crashed: bool) -> None:
        if self.app_state == _HANDSHAKE:
            if not crashed and not self.lost:
                logger.error("ASGI callable returned without accepting or closing the WebSocket")
            self._http_error(500, "Internal Server Error")
        elif self.app_state == _RESPONSE:
            if not crashed:
                logger.error("ASGI callable returned without completing the response")
            self._close_transport()
        elif self.app_state == _OPEN:
            self.app_state = _CLOSED
            if self.conn.state is OPEN and not self.lost:
                self._send_close(1011 if crashed else 1000, "")
        self.queue.clear()
        self._resume_reading()  # nobody reads any more: let the close handshake finish

    def _resume_reading(self) -> None:
        if self.app_state != _HANDSHAKE and not self.transport.is_closing():
            self.flow.resume_reading()

    async def receive(self) -> WebSocketReceiveEvents:
        """Return the next ASGI event (``websocket.connect``, ``.receive``, ``.disconnect``).

        Returns:
            First ``{"type": "websocket.connect"}``; then
            ``{"type": "websocket.receive", "text": str}`` or ``"bytes": bytes``
            per message, in order; then, once the connection is closed,
            ``{"type": "websocket.disconnect", "code": int, "reason": str}``
            (code 1006 when the peer vanished without a close frame).
        """
        if not self.connect_sent:
            self.connect_sent = True
            return {"type": "websocket.connect"}
        while True:
            queue = self.queue
            if queue:
                message = queue.popleft()
                if self.flow.read_paused and len(queue) < self.max_queue:
                    self._resume_reading()
                return message
            state = self.app_state
            if self.lost or state == _CLOSED or (state == _OPEN and self.conn.state is not OPEN):
                return self._disconnect_message()
            waiter = self.loop.create_future()
            self.waiter = waiter
            try:
                await waiter
            finally:
                self.waiter = None

    def _disconnect_message(self) -> WebSocketDisconnectEvent:
        conn = self.conn
        if conn.close_rcvd is not None:
            code, reason = conn.close_rcvd.code, conn.close_rcvd.reason
        elif conn.close_sent is not None:
            code, reason = conn.close_sent.code, conn.close_sent.reason
        else:
            code, reason = CLOSE_ABNORMAL, ""
        return {"type": "websocket.disconnect", "code": int(code), "reason": reason}

    def _wake(self) -> None:
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def send(self, message: Message) -> None:
        """Carry out one ASGI message from the app.

        Args:
            message: ``websocket.accept`` (``subprotocol``, ``headers``),
                ``websocket.send`` (``text`` or ``bytes``), ``websocket.close``
                (``code`` default 1000, ``reason``), or, before accepting,
                ``websocket.http.response.start`` (``status``, ``headers``) and
                ``websocket.http.response.body`` (``body``, ``more_body``).

        Raises:
            ClientDisconnected: ``websocket.send`` after the peer went away or
                closed (an ``OSError``).
            RuntimeError: A message that is invalid in the current state.
        """
        kind = message["type"]
        state = self.app_state
        if state == _OPEN:
            if kind == "websocket.send":
                await self._send_data(message)
            elif kind == "websocket.close":
                if self.conn.state is OPEN and not self.lost:
                    code = message.get("code")
                    code = 1000 if code is None else code
                    try:
                        self._send_close(code, message.get("reason") or "")
                    except ProtocolError as exc:
                        raise RuntimeError(
                            f"Invalid WebSocket close code {code!r} (RFC 6455 §7.4): {exc}"
                        ) from None
                self.app_state = _CLOSED
            else:
                raise RuntimeError(f"Unexpected ASGI message {kind!r} on an open WebSocket")
        elif state == _HANDSHAKE:
            self._send_handshake(message)
        elif state == _RESPONSE:
            self._send_response_body(message)
        elif kind == "websocket.send":
            raise ClientDisconnected("the WebSocket connection is closed")
        elif kind != "websocket.close":  # a second close is harmless
            raise RuntimeError(f"Unexpected ASGI message {kind!r} after the WebSocket closed")

    async def _send_data(self, message: Message) -> None:
        conn = self.conn
        if self.lost or conn.state is not OPEN:
            raise ClientDisconnected("the WebSocket connection is closed")
        text = message.get("text")
        if text is not None:
            payload: bytes = text.encode()
            first = 0x81  # FIN + text
        else:
            payload = message.get("bytes")  # type: ignore[assignment]
            if payload is None:
                raise RuntimeError("'websocket.send' needs 'text' or 'bytes'")
            first = 0x82  # FIN + binary
        if conn.extensions:
            if first == 0x81:
                conn.send_text(payload)
            else:
                conn.send_binary(payload)
            self._flush()
        else:
            # PERF: without extensions a server frame is a fixed header and
            # the payload, unmasked (RFC 6455 §5.2); building it here skips
            # the sans-I/O Frame object, its checks and its BytesIO (~7 µs a
            # message). Only data frames take this path: the state machine
            # (OPEN, checked above) is not affected by them.
            header = _frame_header(first, len(payload))
            if len(payload) <= _COALESCE_LIMIT:
                self.transport.write(header + payload)
            else:  # no copy of a large payload just to prepend a few bytes
                self.transport.writelines((header, payload))
        await self.flow.drain()

    def _send_handshake(self, message: Message) -> None:
        kind = message["type"]
        if kind == "websocket.accept":
            self._accept(message)
        elif kind == "websocket.close":
            # Closing before accepting refuses the handshake (ASGI spec).
            self._http_error(403, "Forbidden: the application refused the WebSocket")
        elif kind == "websocket.http.response.start":
            self._start_response(message)
        else:
            raise RuntimeError(
                f"Expected 'websocket.accept', 'websocket.close' or "
                f"'websocket.http.response.start', got {kind!r}"
            )

    def _accept(self, message: Message) -> None:
        if self.lost:
            raise ClientDisconnected("the client left before the WebSocket was accepted")
        response = cast("Response", self.response)
        subprotocol = message.get("subprotocol")
        if subprotocol is not None:
            response.headers["Sec-WebSocket-Protocol"] = subprotocol
            self.conn.subprotocol = subprotocol
        for name, value in message.get("headers") or ():
            lower = bytes(name).lower()
            if lower in (b"sec-websocket-protocol", b"sec-websocket-accept"):
                continue  # the handshake's own headers win
            response.headers[bytes(name).decode("latin-1")] = bytes(value).decode("latin-1")
        if self.config.server_header:
            response.headers["Server"] = "zephyr"
        for name, value in self.state.default_headers:
            response.headers[name.decode("latin-1")] = value.decode("latin-1")
        self.conn.send_response(response)
        self.app_state = _OPEN
        self.status = 101
        self._flush()
        self._log_handshake("accepted")
        early, self.early = self.early, []
        for data in early:
            self.conn.receive_data(data)
            self._handle_events()
            self._flush()
        if len(self.queue) < self.max_queue:
            self._resume_reading()
        self._schedule_ping()
        if self.shutting_down and self.conn.state is OPEN:
            self._send_close(CLOSE_SERVICE_RESTART, "server shutdown")

    def _http_error(self, status: int, reason: str) -> None:
        self.app_state = _CLOSED
        self.status = status
        self._write(error_response(status, reason, self.static_headers))
        self._close_transport()
        self._log_handshake("rejected" if status == 403 else "failed")

    def _start_response(self, message: Message) -> None:
        status = message.get("status", 200)
        head, has_length = build_http_response_head(
            status, list(message.get("headers") or ()), self.static_headers
        )
        self.app_state = _RESPONSE
        self.status = status
        self.response_length = has_length
        if has_length:
            self._write(head + b"\r\n")
        else:
            self.response_body = [head]

    def _send_response_body(self, message: Message) -> None:
        if message["type"] != "websocket.http.response.body":
            raise RuntimeError(f"Expected 'websocket.http.response.body', got {message['type']!r}")
        body = bytes(message.get("body", b""))
        if self.response_length:
            if body:
                self._write(body)
        elif body:
            self.response_body.append(body)
        if message.get("more_body", False):
            return
        if not self.response_length:
            # No Content-Length from the app: buffer the (small) denial body
            # and frame it, so the client knows where it ends.
            head, *chunks = self.response_body
            payload = b"".join(chunks)
            self._write(head + b"content-length: %d\r\n\r\n" % len(payload) + payload)
        self.app_state = _CLOSED
        self._close_transport()
        self._log_handshake("rejected")

    def _write(self, data: bytes) -> None:
        if not self.lost and not self.transport.is_closing():
            self.transport.write(data)

    # -- access log ------------------------------------------------------------

    def _log_handshake(self, outcome: str) -> None:
        if not (self.config.access_log and access_logger.isEnabledFor(logging.INFO)):
            return
        path = self.scope["path"]
        query = self.scope["query_string"]
        if query:
            path = f"{path}?{query.decode('latin-1')}"
        path = path if path.isprintable() else repr(path)[1:-1]
        duration_ms = (time.perf_counter() - self.started_at) * 1000.0
        extra: dict[str, Any] = {
            "client_addr": self.client_addr,
            "method": "WebSocket",
            "path": path,
            "http_version": self.scope["http_version"],
            "status_code": self.status,
            "duration_ms": duration_ms,
            "response_bytes": 0,
        }
        ACCESS_LOG.log(
            '%s - "WebSocket %s" %d [%s]', (self.client_addr, path, self.status, outcome), extra
        )
