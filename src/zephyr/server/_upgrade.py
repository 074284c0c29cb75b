"""Requests the parser stops at: WebSocket upgrades, other upgrades, CONNECT, relays.

A mixin of ``HttpProtocol`` (``protocol.py``), which declares every field in
its ``__init__``; the annotations here only tell the type checker which of
them this part reads and writes. An upgrade the server does not take is
served as plain HTTP with its body framed again, never parsed as a request
of its own (request smuggling); a chunked body llhttp cannot frame goes
through a relay parser.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import httptools

from zephyr.server._framing import CHUNKED_HEAD, check_transfer_encoding, framing_head
from zephyr.server._target import Reject, authority_form

if TYPE_CHECKING:
    from zephyr.server._body_clock import BodyClock
    from zephyr.server._cycle import RequestResponseCycle
    from zephyr.server._flow import FlowControl
    from zephyr.server.config import Config
    from zephyr.server.state import ServerState
    from zephyr.types import ASGIApp, HTTPScope, WebSocketScope

__all__ = ["UpgradeHandling"]


class UpgradeHandling:
    """The upgrade half of ``HttpProtocol``: switching, reframing, relaying, CONNECT."""

    config: Config
    app: ASGIApp
    state: ServerState
    transport: asyncio.Transport
    flow: FlowControl
    static_headers: bytes
    client_addr: str
    closed: bool
    body_clock: BodyClock
    cycle: RequestResponseCycle | None
    parser: httptools.HttpRequestParser
    headers: list[tuple[bytes, bytes]]
    url: bytes
    content_length: bytes | None
    transfer_encoding: bytes | None
    allow_connect: bool
    discard_rest: bool
    ws_upgrade: tuple[Any, ...] | None
    reframe: bytes | None
    reframe_cycle: RequestResponseCycle | None
    reframing: bool
    piping: bool
    relays: list[httptools.HttpRequestParser]
    relay_depth: int

    if TYPE_CHECKING:

        def data_received(self, data: bytes) -> None: ...
        def _watch_body(self) -> None: ...
        def _stop_timer(self) -> None: ...
        def _set_host(self, authority: bytes) -> None: ...
        def _build_scope(self, method: str, version: str) -> HTTPScope: ...

    def _new_parser(self) -> httptools.HttpRequestParser:
        parser = httptools.HttpRequestParser(self)
        # llhttp refuses "Transfer-Encoding: chunked<HTAB>" although OWS is not
        # part of the value; zephyr checks the coding itself in on_headers_complete
        # (only "chunked" is accepted) and frames that case with a relay parser.
        parser.set_dangerous_leniencies(lenient_transfer_encoding=True)
        return parser

    def _on_upgrade(self, data: bytes, offset: int) -> None:
        upgrade = self.ws_upgrade
        if upgrade is not None:
            self.ws_upgrade = None
            self._switch_to_websocket(upgrade, data[offset:])
            return
        if self.closed or self.transport.is_closing():
            return
        if self.discard_rest:
            # An allowed CONNECT: what follows its head is tunnel data, which
            # zephyr does not relay; the connection closes after the answer.
            if not self.flow.read_paused:
                self.flow.pause_reading()
            return
        # Any other upgrade (h2c, or WebSockets turned off) is served as plain
        # HTTP. llhttp stopped at its head and skipped the body: a body is
        # still framed by its Content-Length / Transfer-Encoding (RFC 9112
        # §6.3), so a head with the same framing is fed first and the parser
        # delivers the bytes that follow as this request's body, never as a
        # request of their own (request smuggling).
        reframe = self.reframe
        if reframe is not None:
            self.reframe = None
            self.reframing = True
            # A fresh parser: llhttp takes nothing after a message that does
            # not keep the connection, and the framing head carries the
            # request's own version and persistence for what follows the body.
            self.parser = self._new_parser()
            self.parser.feed_data(reframe)
            if self.body_clock.enabled:
                self._watch_body()  # the body may never come: its clock starts now
        if offset < len(data):
            self.data_received(data[offset:])

    def _prepare_websocket(self, method: str, version: str) -> None:
        """Note a WebSocket upgrade; the switch happens once the parser stops."""
        if self.cycle is not None:
            raise Reject(400, "Bad Request: WebSocket upgrade pipelined behind another request")
        http = self._build_scope(method, version)
        scope: WebSocketScope = {
            "type": "websocket",
            "asgi": http["asgi"],
            "http_version": http["http_version"],
            "server": http["server"],
            "client": http["client"],
            "scheme": "wss" if http["scheme"] == "https" else "ws",
            "root_path": http["root_path"],
            "path": http["path"],
            "raw_path": http["raw_path"],
            "query_string": http["query_string"],
            "headers": http["headers"],
            "state": http["state"],
            "extensions": {"websocket.http.response": {}},
            "subprotocols": [
                token.strip().decode("latin-1")
                for name, value in self.headers
                if name == b"sec-websocket-protocol"
                for token in value.split(b",")
                if token.strip()
            ],
        }
        has_body = self.transfer_encoding is not None or self.content_length not in (None, b"0")
        self.ws_upgrade = (scope, method, self.headers, has_body)

    def _switch_to_websocket(self, upgrade: tuple[Any, ...], rest: bytes) -> None:
        from zephyr.server.websocket import WebSocketProtocol

        scope, method, headers, has_body = upgrade
        # The HTTP protocol is done with this connection: the WebSocket
        # protocol owns the transport, its flow control and its place in
        # the server's connection set from here on.
        self._stop_timer()
        self.closed = True
        self.state.connections.discard(self)
        ws = WebSocketProtocol(
            self.config,
            self.app,
            self.state,
            scope,
            self.transport,
            self.flow,
            self.static_headers,
            self.client_addr,
        )
        self.transport.set_protocol(ws)
        ws.start(method, headers, has_body, rest)

    def _check_connect(self) -> None:
        """Check a CONNECT request (RFC 9110 §9.3.6); refuse it unless the app opted in."""
        authority = authority_form(self.url)
        if not self.allow_connect:
            raise Reject(
                501,
                "Not Implemented: this server does not serve CONNECT "
                "(zephyr does not tunnel; Config(allow_connect=True) hands it to the app)",
            )
        self._set_host(authority)
        self.discard_rest = True

    def _plan_reframe(self, method: str, version: str, keep_alive: bool) -> None:
        """Prepare to frame the body of an upgrade request served as plain HTTP."""
        chunked = self.transfer_encoding is not None
        head = framing_head(version, keep_alive, self.content_length, chunked)
        if head is not None and method == "CONNECT":
            # RFC 9110 §9.3.6: a CONNECT request has no content; one that
            # announces a body has no framing both ends agree on.
            raise Reject(400, "Bad Request: a CONNECT request cannot have a body")
        self.reframe = head

    def _check_transfer_encoding(self, version: str) -> None:
        codings = self.transfer_encoding or b""
        if check_transfer_encoding(codings, self.content_length is not None, version):
            # llhttp would read this body to the end of the connection: a
            # second parser frames it instead (see _start_relay).
            self.reframe = CHUNKED_HEAD

    def _start_relay(self, cycle: RequestResponseCycle) -> None:
        """Frame a chunked body llhttp cannot frame with a second parser.

        The first parser hands every byte after this head to ``on_body``
        (lenient: read to the end); ``on_body`` relays them to a new parser
        primed with a plain chunked head, which from then on is the
        connection's parser and parses the requests that follow.
        """
        relay = self._new_parser()
        self.reframe = None
        self.reframe_cycle = cycle
        self.reframing = True
        relay.feed_data(CHUNKED_HEAD)
        self.relays.append(relay)
        self.parser = relay
        self.piping = True

    def _relay(self, data: bytes) -> None:
        # on_body of the parser at depth d: its bytes are the next parser's input.
        depth = self.relay_depth
        self.relay_depth = depth + 1
        try:
            self.relays[depth].feed_data(data)
        finally:
            self.relay_depth = depth
