"""A WebSocket peer for protocol tests: zephyr's HttpProtocol on a fake transport,
driven by the ``websockets`` sans-I/O *client* protocol (no sockets)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from websockets.client import ClientProtocol
from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory
from websockets.frames import Frame, Opcode
from websockets.http11 import Response
from websockets.typing import Subprotocol
from websockets.uri import parse_uri

from zephyr.server.config import Config
from zephyr.server.protocol import HttpProtocol
from zephyr.server.state import ServerState

from .conftest import FakeTransport

App = Callable[[Any, Any, Any], Awaitable[None]]


class SwitchingTransport(FakeTransport):
    """A fake transport that supports ``set_protocol`` and reports closes like a real one."""

    def __init__(self) -> None:
        super().__init__()
        self.protocol: asyncio.BaseProtocol | None = None
        self.aborted = False

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self.protocol = protocol

    def get_protocol(self) -> asyncio.BaseProtocol:
        assert self.protocol is not None
        return self.protocol

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            asyncio.get_running_loop().call_soon(self._lost)

    def abort(self) -> None:
        self.aborted = True
        self.close()

    def _lost(self) -> None:
        protocol = self.protocol
        assert protocol is not None
        protocol.connection_lost(None)


class Peer:
    """One client connection to zephyr's server protocol.

    Args:
        app: The ASGI app under test.
        feed_mode: ``"whole"`` or ``"bytewise"``.
        deflate: Offer permessage-deflate from the client side.
        subprotocols: Subprotocols the client offers.
        config: Extra ``Config`` fields.
    """

    def __init__(
        self,
        app: App,
        feed_mode: str,
        deflate: bool = False,
        subprotocols: Sequence[str] | None = None,
        state: ServerState | None = None,
        server_app: Any = None,
        **config: Any,
    ) -> None:
        config.setdefault("access_log", False)
        config.setdefault("ws_ping_interval", None)
        self.config = Config(app=app, **config)
        self.state = state if state is not None else ServerState()
        self.transport = SwitchingTransport()
        self.http = HttpProtocol(
            self.config, server_app if server_app is not None else app, self.state, {"k": "v"}
        )
        self.transport.protocol = self.http
        self.http.connection_made(self.transport)
        self.feed_mode = feed_mode
        self.client = ClientProtocol(
            parse_uri("ws://127.0.0.1:8000/chat?room=1"),
            extensions=[ClientPerMessageDeflateFactory()] if deflate else None,
            subprotocols=[Subprotocol(s) for s in subprotocols] if subprotocols else None,
            max_size=None,
        )
        self.read = 0
        self.response: Response | None = None
        self.frames: list[Frame] = []

    @property
    def server(self) -> Any:
        return self.transport.protocol

    def feed(self, data: bytes) -> None:
        """Feed bytes to whichever protocol owns the transport, whole or byte by byte."""
        if self.feed_mode == "whole":
            self.server.data_received(data)
            return
        for i in range(len(data)):
            if self.transport.closed:
                return
            self.server.data_received(data[i : i + 1])

    def send_client_data(self) -> None:
        for data in self.client.data_to_send():
            if data:
                self.feed(data)

    def handshake(self, extra: bytes = b"") -> None:
        """Send the client's opening handshake (plus ``extra`` bytes in the same write)."""
        request = self.client.connect()
        self.client.send_request(request)
        self.feed(b"".join(self.client.data_to_send()) + extra)

    def pump(self) -> list[Any]:
        """Read what the server wrote; return new client events (answers pings too)."""
        data = self.transport.data[self.read :]
        self.read += len(data)
        if data:
            self.client.receive_data(data)
        events = self.client.events_received()
        for event in events:
            if isinstance(event, Response):
                self.response = event
            elif isinstance(event, Frame):
                self.frames.append(event)
        self.send_client_data()
        return events

    def messages(self) -> list[str | bytes]:
        self.pump()
        out: list[str | bytes] = []
        for frame in self.frames:
            if frame.opcode is Opcode.TEXT:
                out.append(str(frame.data, "utf-8"))
            elif frame.opcode is Opcode.BINARY:
                out.append(bytes(frame.data))
        return out

    def send_text(self, text: str) -> None:
        self.client.send_text(text.encode())
        self.send_client_data()

    def send_bytes(self, data: bytes) -> None:
        self.client.send_binary(data)
        self.send_client_data()

    def close(self, code: int = 1000, reason: str = "") -> None:
        self.client.send_close(code, reason)
        self.send_client_data()

    def close_frame(self) -> Any:
        self.pump()
        for frame in self.frames:
            if frame.opcode is Opcode.CLOSE:
                return self.client.close_rcvd
        return None

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 3.0) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            if loop.time() > deadline:
                raise AssertionError("condition not reached in time")
            await asyncio.sleep(0.001)
            self.pump()

    async def settle(self, rounds: int = 30) -> None:
        for _ in range(rounds):
            await asyncio.sleep(0)
        self.pump()


def run(coro: Awaitable[None], timeout: float = 10.0) -> None:
    """Run one test coroutine on a fresh loop, bounded in time."""

    async def bounded() -> None:
        await asyncio.wait_for(coro, timeout=timeout)

    asyncio.run(bounded())


def echo_app(log: list[Any] | None = None) -> App:
    """A raw ASGI echo app that records every message it receives in ``log``."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        assert scope["type"] == "websocket"
        if log is not None:
            log.append(scope)
        message = await receive()
        assert message["type"] == "websocket.connect"
        await send({"type": "websocket.accept"})
        while True:
            message = await receive()
            if log is not None:
                log.append(message)
            if message["type"] == "websocket.disconnect":
                return
            if "text" in message and message["text"] is not None:
                await send({"type": "websocket.send", "text": message["text"]})
            else:
                await send({"type": "websocket.send", "bytes": message["bytes"]})

    return app
