"""The HTTP/1.1 server protocol (RFC 9112) on httptools, speaking ASGI 3 to the app.

One ``HttpProtocol`` per connection. Requests are parsed ahead (pipelining)
but run one at a time, answered in order; each runs as one asyncio task whose
``receive``/``send`` live on a ``RequestResponseCycle`` (``_cycle.py``).
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections import deque
from typing import TYPE_CHECKING, Any, cast

import httptools

from zephyr.server._body_clock import BodyClock
from zephyr.server._cycle import RequestResponseCycle
from zephyr.server._cycle_hooks import CycleHooks
from zephyr.server._flow import FlowControl
from zephyr.server._linger import Linger
from zephyr.server._request_head import RequestHeadParsing
from zephyr.server._response_head import error_response
from zephyr.server._target import (
    VALID_HOSTS,
    Reject,
    check_host,
)
from zephyr.server._upgrade import UpgradeHandling
from zephyr.server._ws_handshake import is_websocket_upgrade, websocket_support
from zephyr.server.access import ACCESS_LOG
from zephyr.server.logging import printable
from zephyr.server.proxy_headers import ProxyHeadersMiddleware
from zephyr.types import as_server_app

if TYPE_CHECKING:
    from zephyr.server.config import Config
    from zephyr.server.state import ServerState
    from zephyr.types import ASGIApp, HTTPScope, NativeServerApp

__all__ = ["HttpProtocol"]

error_logger = logging.getLogger("zephyr.error")
access_logger = logging.getLogger("zephyr.access")

# PERF: method names are interned once instead of decoded per request.
_METHODS = {
    m.encode("ascii"): m
    for m in ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE")
}
# PERF: on 3.12+ a request task starts eagerly: one that never awaits I/O
# runs to completion without being scheduled (no call_soon, no loop turn).
_EAGER_TASKS = sys.version_info >= (3, 12)

_TIMER_OFF = 0
_TIMER_HEAD = 1  # waiting for a request head: 408 if bytes arrived, else close
_TIMER_IDLE = 2  # idle keep-alive connection: close quietly
_TIMER_BODY = 3  # a request body in flight: check its progress (see _check_body)


def _addr(info: Any) -> tuple[str, int] | None:
    if isinstance(info, tuple) and len(info) >= 2:
        return (str(info[0]), int(info[1]))
    return None


class HttpProtocol(RequestHeadParsing, UpgradeHandling, asyncio.Protocol):
    """asyncio protocol serving HTTP/1.1 (and 1.0) requests to an ASGI 3 app.

    Args:
        config: Server settings (limits, timeouts, headers, logging).
        app: The final ASGI 3 application callable.
        state: Process-wide server state shared by all connections.
        app_state: Lifespan state; each request scope gets a shallow copy.
        loop: Event loop; defaults to the running loop.
    """

    def __init__(
        self,
        config: Config,
        app: ASGIApp,
        state: ServerState,
        app_state: dict[str, Any],
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        self.config = config
        # PERF: proxy headers are applied here, per request that carries them on
        # a trusted connection, instead of through the middleware's extra
        # coroutine and header scan on every request (~25% of a hello request).
        self.proxy: ProxyHeadersMiddleware | None = None
        if isinstance(app, ProxyHeadersMiddleware):
            self.proxy = app
            app = app.app
        self.app = app
        # zephyr apps have a native entry taking a whole-response ``respond``
        # callable besides ASGI's three; any other app is served through ASGI.
        # Looked up on the type: a wrapper forwarding attributes to the app it
        # wraps (``__getattr__``) must not have its own layer skipped.
        self.native: NativeServerApp | None = (
            app.native_http if hasattr(type(app), "native_http") else None  # type: ignore[attr-defined]
        )
        self.trust_proxy = False
        self.forwarded = False
        self.state = state
        self.app_state = app_state
        self.loop = loop if loop is not None else asyncio.get_running_loop()
        self.parser = self._new_parser()
        self.transport: asyncio.Transport = None  # type: ignore[assignment]
        self.flow: FlowControl = None  # type: ignore[assignment]
        self.hooks: CycleHooks = None  # type: ignore[assignment]  # set in connection_made
        self.static_headers = self._build_static_headers(config, state)
        self.root_path = config.root_path
        self.root_path_bytes = config.root_path.encode("ascii")
        self.access_log = config.access_log and access_logger.isEnabledFor(logging.INFO)
        self.read_high_water = config.read_buffer_high_water
        self.max_body = config.max_body_size
        self.max_line = config.max_request_line_size
        self.max_header_size = config.max_header_size
        self.max_header_count = config.max_header_count
        self.limit_concurrency = config.limit_concurrency
        self.timeout_header = config.timeout_request_header
        self.timeout_keep_alive = config.timeout_keep_alive
        self.body_clock = BodyClock(
            config.timeout_body_read or 0.0,
            config.timeout_body_min_rate or 0.0,
            config.timeout_body_grace,
        )
        self.linger_time = config.timeout_linger
        self.linger_bytes = config.linger_max_bytes
        self.lingering = False
        # A head whose single line never ends is caught by this coarse cap.
        self.max_head_bytes = config.max_request_line_size + config.max_header_size + 4096
        # PERF: the fields that never change on a connection are set once
        # (server, client and scheme in connection_made); a request's scope is
        # a dict copy plus a few assignments.
        self.scope_template: HTTPScope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.4"},
            "http_version": "1.1",
            "server": None,
            "client": None,
            "scheme": "http",
            "method": "GET",
            "root_path": self.root_path,
            "path": "",
            "raw_path": b"",
            "query_string": b"",
            "headers": [],
            "state": {},
        }
        self.ws_enabled = websocket_support(config.ws)
        self.ws_upgrade: tuple[Any, ...] | None = None  # set between head and switch
        # An upgrade the server does not take whose request has a body: the
        # parser stops at its head, so the body is framed again (see _on_upgrade).
        self.reframe: bytes | None = None
        self.reframe_cycle: RequestResponseCycle | None = None
        self.reframing = False
        # A chunked body llhttp cannot frame (OWS with HTAB after "chunked"):
        # its bytes are relayed to a second parser (see _check_transfer_encoding).
        self.piping = False
        self.relays: list[httptools.HttpRequestParser] = []  # parser i feeds relays[i]
        self.relay_depth = 0
        self.allow_connect = config.allow_connect
        self.discard_rest = False  # after an allowed CONNECT: nothing more is parsed
        self.client_addr = ""
        self.closed = False
        # Per-connection request state.
        self.cycle: RequestResponseCycle | None = None  # the one running
        self.pipeline: deque[RequestResponseCycle] = deque()
        # Eager start waits for the parser to return (data_received): the
        # request may then complete at once, its message already parsed.
        self.eager = _EAGER_TASKS and self.loop.get_task_factory() is None
        self.starting: RequestResponseCycle | None = None
        self.parsing: RequestResponseCycle | None = None  # receiving its body
        self.pending_error: bytes | None = None
        self.in_head = False
        self.head_bytes = 0
        self.url = b""
        self.host: bytes | None = None  # the request's one Host value
        self.headers: list[tuple[bytes, bytes]] = []
        self.header_bytes = 0
        self.content_length: bytes | None = None
        self.transfer_encoding: bytes | None = None
        self.expect = False
        self.special_seen = False
        # One lazily re-armed timer handle serves every timeout.
        self.timer: asyncio.TimerHandle | None = None
        self.timer_when = 0.0
        self.timer_kind = _TIMER_OFF
        self.deadline = 0.0

    @staticmethod
    def _build_static_headers(config: Config, state: ServerState) -> bytes:
        parts = [b"server: zephyr\r\n"] if config.server_header else []
        parts += [name + b": " + value + b"\r\n" for name, value in state.default_headers]
        return b"".join(parts)

    # -- connection lifecycle --------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Set up per-connection state and the request-head timer."""
        # uvloop's transports are not asyncio.Transport subclasses: cast, not check.
        transport = cast("asyncio.Transport", transport)
        self.transport = transport
        self.flow = FlowControl(transport)
        self.hooks = CycleHooks(
            app=as_server_app(self.app),
            native=self.native,
            loop=self.loop,
            transport=transport,
            flow=self.flow,
            static_headers=self.static_headers,
            state=self.state,
            access_log=self.access_log,
            complete=self.on_response_complete,
            fail=self._answer_failure,
            close=self._close,
            resume_reading=self.maybe_resume_reading,
        )
        transport.set_write_buffer_limits(
            high=self.config.high_water_mark, low=self.config.low_water_mark
        )
        self.state.connections.add(self)
        peer = transport.get_extra_info("peername")
        client = _addr(peer)
        server = _addr(transport.get_extra_info("sockname"))
        if server is None:
            sockname = transport.get_extra_info("sockname")
            if isinstance(sockname, str) and sockname:
                server = (sockname, None)  # type: ignore[assignment]  # Unix socket
        scheme = "https" if transport.get_extra_info("sslcontext") else "http"
        self.client_addr = f"{client[0]}:{client[1]}" if client else ""
        # A unix-socket peer (no address) is local, hence trusted.
        proxy = self.proxy
        self.trust_proxy = proxy is not None and (client is None or client[0] in proxy.trusted)
        template = self.scope_template
        template["server"] = server
        template["client"] = client
        template["scheme"] = scheme
        self._set_timer(_TIMER_HEAD, self.timeout_header)

    def connection_lost(self, exc: Exception | None) -> None:
        """Tell the running request the client is gone and drop queued ones."""
        self.closed = True
        self.state.connections.discard(self)
        self._stop_timer()
        cycle = self.cycle
        if cycle is not None:
            cycle.abort()
        parsing = self.parsing
        if parsing is not None and parsing is not cycle:
            parsing.abort()
        self.pipeline.clear()
        if self.flow is not None:
            self.flow.resume_writing()  # a send() blocked in drain() returns

    def eof_received(self) -> bool | None:
        """Close on client half-close (HTTP/1.1 has no use for half-open)."""
        return None

    def pause_writing(self) -> None:
        """Transport write buffer is above high water: make ``send`` wait."""
        self.flow.pause_writing()

    def resume_writing(self) -> None:
        """Transport write buffer drained below low water."""
        self.flow.resume_writing()

    def shutdown(self) -> None:
        """Close gracefully: now if idle, else right after the in-flight response."""
        if self.lingering:
            self.transport.close()
            return
        cycle = self.cycle
        if cycle is None or cycle.response_complete:
            self._close()
        else:
            cycle.close_after()
            self.pipeline.clear()

    # -- incoming bytes --------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        """Feed bytes to the parser; turn every framing error into a 4xx and close."""
        # PERF: one frame per read (the parsing is not a method of its own).
        try:
            try:
                self.parser.feed_data(data)
            except httptools.HttpParserUpgrade as exc:
                offset = int(exc.args[0]) if exc.args else len(data)
            except httptools.HttpParserCallbackError as exc:
                ctx = exc.__context__
                while isinstance(ctx, httptools.HttpParserCallbackError):  # raised in a relay
                    ctx = ctx.__context__
                if isinstance(ctx, Reject):
                    self._reject(ctx.status, ctx.reason)
                elif isinstance(ctx, httptools.HttpParserError):  # from a relay parser
                    self._reject_parse_error(ctx)
                elif isinstance(ctx, httptools.HttpParserUpgrade):
                    self._reject(400, "Bad Request: upgrade request after a relayed chunked body")
                else:
                    error_logger.error("Error while parsing an HTTP request", exc_info=ctx)
                    self._reject(500, "Internal Server Error")
                return
            except httptools.HttpParserError as exc:
                self._reject_parse_error(exc)
                return
            else:
                if self.piping:  # this read's bytes are relayed; the next go to the last relay
                    self.piping = False
                    self.relays.clear()
                if (
                    self.parsing is not None
                    and self.timer_kind != _TIMER_BODY
                    and self.body_clock.enabled
                ):
                    self._watch_body()  # a body spans reads: its clock starts
                if self.in_head:
                    # PERF: a head that arrives whole needs no timer; only a head
                    # split across reads starts the request-head clock.
                    if self.cycle is None and self.timer_kind != _TIMER_HEAD:
                        self._set_timer(_TIMER_HEAD, self.timeout_header)
                    self.head_bytes += len(data)
                    if self.head_bytes > self.max_head_bytes:
                        limit = self.max_header_size
                        self._reject(
                            431, f"Request header fields too large: more than {limit} bytes"
                        )
                return
            # Outside the except clause: httptools chains a callback's exception
            # (a Reject) as __context__ only when no other one is being handled.
            self._on_upgrade(data, offset)
        finally:
            starting = self.starting
            if starting is not None:
                self.starting = None
                # Never from inside a parser callback (the message would not
                # be complete yet) nor from another request's task (pipelined
                # requests would nest): only here, once the parser returned.
                starting.start(True)

    def _reject_parse_error(self, exc: httptools.HttpParserError) -> None:
        reason = str(exc).encode("ascii", "replace").decode("ascii")
        self._reject(400, "Bad Request: " + printable(reason[:200]))

    # -- httptools callbacks ---------------------------------------------------

    def on_headers_complete(self) -> None:
        self.in_head = False
        if self.reframing:  # the framing head fed by _on_upgrade: not a request
            self.reframing = False
            self.parsing = self.reframe_cycle
            self.reframe_cycle = None
            return
        parser = self.parser
        version = parser.get_http_version()
        if version != "1.1" and version != "1.0":
            raise Reject(400, "Bad Request: unsupported HTTP version")
        host = self.host
        if host is None:
            if version == "1.1":  # RFC 9112 §3.2: HTTP/1.0 may leave it out
                raise Reject(400, "Bad Request: missing Host header")
        elif host not in VALID_HOSTS:
            check_host(host)
        if self.transfer_encoding is not None:
            self._check_transfer_encoding(version)
        elif (
            self.content_length is not None
            and self.max_body is not None
            and int(self.content_length) > self.max_body
        ):
            raise Reject(413, f"Request body too large: more than {self.max_body} bytes")
        limit = self.limit_concurrency
        if limit is not None and len(self.state.tasks) >= limit:
            raise Reject(503, f"Service Unavailable: concurrency limit of {limit} reached")
        method_bytes = parser.get_method()
        method = _METHODS.get(method_bytes) or method_bytes.decode("ascii")
        keep_alive = parser.should_keep_alive() and not self.state.should_exit
        upgrade = parser.should_upgrade()  # also true for every CONNECT
        if upgrade:
            if method == "CONNECT":
                self._check_connect()
                keep_alive = False  # zephyr does not tunnel: close after the answer
            elif self.ws_enabled and is_websocket_upgrade(self.headers):
                self.state.total_requests += 1
                self._prepare_websocket(method, version)
                return
            self._plan_reframe(method, version, keep_alive)
        scope = self._build_scope(method, version)
        cycle = RequestResponseCycle(
            self.hooks,
            scope,
            keep_alive,
            version == "1.0",
            method == "HEAD",
            self.expect and version == "1.1",
        )
        if self.reframe is None:
            self.parsing = cycle
        elif upgrade:
            # llhttp reports this message complete at its head: the cycle gets
            # its body once _on_upgrade has framed it again.
            self.reframe_cycle = cycle
        else:
            self._start_relay(cycle)
        self.state.total_requests += 1
        if self.cycle is None:
            self._run(cycle, self.eager)
        else:
            # Pipelined: parse ahead, but stop reading until its turn comes.
            self.pipeline.append(cycle)
            self.flow.pause_reading()

    def on_body(self, body: bytes) -> None:
        if self.piping and self.relay_depth < len(self.relays):
            self._relay(body)
            return
        cycle = self.parsing
        if cycle is None:  # pragma: no cover - the parser always opens a message first
            return
        if self.max_body is not None and cycle.received + len(body) > self.max_body:
            raise Reject(413, f"Request body too large: more than {self.max_body} bytes")
        if cycle.feed(body) > self.read_high_water:
            self.flow.pause_reading()

    def on_message_complete(self) -> None:
        cycle = self.parsing
        if cycle is not None:
            self.parsing = None
            cycle.end_body()

    # -- running requests ------------------------------------------------------

    def _run(self, cycle: RequestResponseCycle, eager: bool = False) -> None:
        self.cycle = cycle
        self.timer_kind = _TIMER_OFF
        if eager:
            self.starting = cycle  # started by data_received once the parser returns
        else:
            cycle.start(False)

    def on_response_complete(self, cycle: RequestResponseCycle) -> None:
        """Called by the cycle when its last body byte is written."""
        if self.access_log:
            ACCESS_LOG.log_http(self.client_addr, cycle)
        if cycle is not self.cycle:
            return
        if not cycle.message_complete:
            # Answered before its body arrived: drain the rest, then close.
            self._close(linger=True)
            return
        if not cycle.keep_alive or self.state.should_exit:
            self._close()
            return
        self.cycle = None
        if self.pipeline:
            self._run(self.pipeline.popleft())
            if self.parsing is not None and self.body_clock.enabled:
                self._watch_body()  # its body is still arriving
        elif self.pending_error is not None:
            self._write_and_close(self.pending_error)
            return
        elif self.in_head:
            self._set_timer(_TIMER_HEAD, self.timeout_header)
        else:
            self._set_timer(_TIMER_IDLE, self.timeout_keep_alive)
        if self.flow.read_paused:
            self.maybe_resume_reading()

    def maybe_resume_reading(self) -> None:
        """Resume reading once no request is queued and the body buffer is drained."""
        if self.pipeline or self.pending_error is not None or self.closed:
            return
        parsing = self.parsing
        if parsing is not None and parsing.body_size > self.read_high_water:
            return
        self.flow.resume_reading()

    def _answer_failure(self, cycle: RequestResponseCycle, status: int, reason: str) -> None:
        """Answer a request whose app failed before responding, then close."""
        if self.closed:
            return
        payload = error_response(status, reason, self.static_headers)
        self._write_and_close(payload, linger=not cycle.message_complete)
        if self.access_log:
            ACCESS_LOG.log_http(self.client_addr, cycle)

    def _reject(self, status: int, reason: str) -> None:
        payload = error_response(status, reason, self.static_headers)
        # The client may still be sending (a body over the limit, bytes after
        # a bad head, the rest of a body that timed out): linger so it reads
        # the answer instead of a reset. The linger is bounded in time and
        # bytes, so a slow client gains at most --timeout-linger.
        cycle = self.cycle
        if cycle is None or cycle.response_complete:
            self._write_and_close(payload, linger=True)
        elif self.parsing is cycle:
            # The running request's own body is bad: answer it if we still can.
            cycle.abort()
            if cycle.response_started:
                self._close()
            else:
                self._write_and_close(payload, linger=True)
        else:
            # A later pipelined request is bad: answer the earlier ones first.
            parsing = self.parsing
            if parsing is not None and self.pipeline and self.pipeline[-1] is parsing:
                self.pipeline.pop()
            self.pending_error = payload
            self.flow.pause_reading()

    # -- timers ----------------------------------------------------------------

    def _stop_timer(self) -> None:
        self.timer_kind = _TIMER_OFF
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def _set_timer(self, kind: int, delay: float) -> None:
        # PERF: the handle is not cancelled and re-created per request; only the
        # deadline moves. When the handle fires early it re-arms itself.
        self.timer_kind = kind
        deadline = self.loop.time() + delay
        self.deadline = deadline
        if self.timer is not None:
            if self.timer_when <= deadline:
                return
            self.timer.cancel()
        self.timer_when = deadline
        self.timer = self.loop.call_at(deadline, self._on_timer)

    def _watch_body(self) -> None:
        # PERF: no per-chunk clock reads or timer moves: the one connection
        # timer samples the received byte count once per tick (_check_body).
        parsing = self.parsing
        self.body_clock.start(self.loop.time(), parsing.received if parsing is not None else 0)
        self._set_timer(_TIMER_BODY, self.body_clock.tick)

    def _check_body(self) -> None:
        """Answer 408 to a request body that stalls or trickles (one tick of the body timer)."""
        cycle = self.parsing
        if cycle is None or cycle.disconnected:
            return  # the body is complete (or nobody reads it): the clock stops
        # Not reading: the app is behind, a request is queued, or the
        # 100-continue is not sent yet: the client cannot send.
        reading = not (self.flow.read_paused or cycle.expect_100)
        reason = self.body_clock.check(self.loop.time(), cycle.received, reading)
        if reason is not None:
            self._body_timeout(reason)
        else:
            self._set_timer(_TIMER_BODY, self.body_clock.tick)

    def _body_timeout(self, reason: str) -> None:
        self.timer_kind = _TIMER_OFF
        self._reject(408, "Request Timeout: " + reason)

    def _on_timer(self) -> None:
        self.timer = None
        kind = self.timer_kind
        if kind == _TIMER_OFF or self.closed:
            return
        if self.loop.time() < self.deadline:
            self.timer_when = self.deadline
            self.timer = self.loop.call_at(self.deadline, self._on_timer)
            return
        self.timer_kind = _TIMER_OFF
        if kind == _TIMER_BODY:
            self._check_body()
        elif kind == _TIMER_HEAD and self.in_head:
            timeout = self.timeout_header
            self._reject(408, f"Request Timeout: request head not received within {timeout} s")
        else:
            self._close()

    # -- output helpers --------------------------------------------------------

    def _write_and_close(self, payload: bytes, linger: bool = False) -> None:
        if not self.closed and not self.transport.is_closing() and not self.lingering:
            self.transport.write(payload)
        self._close(linger)

    def _close(self, linger: bool = False) -> None:
        self.timer_kind = _TIMER_OFF
        if self.lingering or self.transport.is_closing():
            return  # the linger closes the connection
        if linger and self.linger_time > 0 and not self.closed:
            self.lingering = True
            self.flow.resume_reading()  # the linger reads whatever was paused for the app
            Linger(self, self.transport, self.loop, self.linger_time, self.linger_bytes).start()
            return
        self.transport.close()
