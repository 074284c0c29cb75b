"""The WebSocket side of a connection: ``WebSocket``, its states and disconnects.

A ``WebSocket`` wraps one ASGI WebSocket scope (ASGI 3, WebSocket spec 2.4)
and keeps two state machines, one per direction, so misuse fails with a
clear ``RuntimeError`` instead of an obscure protocol error from the server:

* the *client* side (what ``receive`` saw): ``CONNECTING`` until
  ``websocket.connect`` arrives, ``CONNECTED`` until ``websocket.disconnect``;
* the *application* side (what ``send`` sent): ``CONNECTING`` until
  ``websocket.accept`` (then ``CONNECTED``) or ``websocket.close`` or a denial
  response (``RESPONSE`` while its body is being sent), then ``DISCONNECTED``.
"""

from __future__ import annotations

import enum
import json
from collections.abc import AsyncIterator, Iterable
from typing import Any, Literal

from zephyr.requests import HTTPConnection
from zephyr.responses import Response
from zephyr.types import Message, Receive, Scope, Send

__all__ = [
    "WebSocket",
    "WebSocketClose",
    "WebSocketDisconnect",
    "WebSocketDisconnected",
    "WebSocketState",
]

DENIAL_EXTENSION = "websocket.http.response"
"""The ASGI extension that lets an app answer the handshake with an HTTP response."""


class WebSocketState(enum.Enum):
    """Where one direction of a WebSocket connection stands."""

    CONNECTING = 0
    CONNECTED = 1
    DISCONNECTED = 2
    RESPONSE = 3


class WebSocketDisconnect(Exception):
    """The peer closed the connection (or it was refused).

    Args:
        code: The close code (RFC 6455 section 7.4), default ``1000``.
        reason: The close reason, default ``""``.
    """

    def __init__(self, code: int = 1000, reason: str | None = None) -> None:
        self.code = code
        self.reason = reason or ""

    def __str__(self) -> str:
        return f"{self.code}: {self.reason}" if self.reason else str(self.code)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, reason={self.reason!r})"


class WebSocketDisconnected(RuntimeError):
    """The application used a WebSocket that is not (or no longer) connected.

    Raised on a receive before the handshake or after the disconnect, and on
    a send after the close: a programming error, not the peer's doing (that
    is :class:`WebSocketDisconnect`). A ``RuntimeError``, as before it had a
    name of its own.
    """


def _check_mode(mode: str) -> None:
    if mode not in ("text", "binary"):
        raise RuntimeError('The "mode" argument should be "text" or "binary".')


class WebSocket(HTTPConnection):
    """A WebSocket connection: handshake, messages in both directions, close.

    Besides the ``HTTPConnection`` views (``url``, ``headers``,
    ``query_params``, ``path_params``, ``cookies``, ``client``, ``state``,
    ``app``), it offers typed send/receive helpers and iterators.

    Args:
        scope: The ASGI WebSocket scope.
        receive: The ASGI receive channel.
        send: The ASGI send channel.
    """

    def __init__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "websocket"
        self.scope = scope
        self._receive = receive
        self._send = send
        self.client_state = WebSocketState.CONNECTING
        self.application_state = WebSocketState.CONNECTING

    async def receive(self) -> Message:
        """Receive the next ASGI message, checking it fits the client state.

        Returns:
            The ``websocket.connect``, ``websocket.receive`` or
            ``websocket.disconnect`` message.

        Raises:
            RuntimeError: An unexpected message type, or a call after a
                disconnect was already received.
        """
        state = self.client_state
        if state is WebSocketState.CONNECTED:
            message = await self._receive()
            kind = message["type"]
            if kind == "websocket.disconnect":
                self.client_state = WebSocketState.DISCONNECTED
            elif kind != "websocket.receive":
                raise RuntimeError(
                    'Expected ASGI message "websocket.receive" or "websocket.disconnect", '
                    f"but got {kind!r}"
                )
            return message
        if state is WebSocketState.CONNECTING:
            message = await self._receive()
            kind = message["type"]
            if kind != "websocket.connect":
                raise RuntimeError(f'Expected ASGI message "websocket.connect", but got {kind!r}')
            self.client_state = WebSocketState.CONNECTED
            return message
        raise WebSocketDisconnected(
            'Cannot call "receive" once a disconnect message has been received.'
        )

    async def send(self, message: Message) -> None:
        """Send an ASGI message, checking it fits the application state.

        A transport failure while connected (the peer went away; ASGI 2.4
        servers raise ``OSError``) becomes ``WebSocketDisconnect(1006)``.

        Raises:
            RuntimeError: A message that is not allowed in the current
                state, a denial response the server doesn't support, or a
                call after the close was sent.
            WebSocketDisconnect: The peer is gone.
        """
        state = self.application_state
        kind = message["type"]
        if state is WebSocketState.CONNECTED:
            if kind not in ("websocket.send", "websocket.close"):
                raise RuntimeError(
                    f'Expected ASGI message "websocket.send" or "websocket.close", but got {kind!r}'
                )
            if kind == "websocket.close":
                self.application_state = WebSocketState.DISCONNECTED
            try:
                await self._send(message)
            except OSError:
                self.application_state = WebSocketState.DISCONNECTED
                raise WebSocketDisconnect(code=1006) from None
            return
        if state is WebSocketState.CONNECTING:
            self._send_handshake_state(kind)
            await self._send(message)
            return
        if state is WebSocketState.RESPONSE:
            if kind != "websocket.http.response.body":
                raise RuntimeError(
                    f'Expected ASGI message "websocket.http.response.body", but got {kind!r}'
                )
            if not message.get("more_body", False):
                self.application_state = WebSocketState.DISCONNECTED
            await self._send(message)
            return
        raise WebSocketDisconnected('Cannot call "send" once a close message has been sent.')

    def _send_handshake_state(self, kind: str) -> None:
        """Advance the application state for a message sent during the handshake."""
        if kind == "websocket.accept":
            self.application_state = WebSocketState.CONNECTED
        elif kind == "websocket.close":
            self.application_state = WebSocketState.DISCONNECTED
        elif kind == "websocket.http.response.start":
            if DENIAL_EXTENSION not in self.scope.get("extensions", {}):
                raise RuntimeError(
                    "The server doesn't support the Websocket Denial Response extension. "
                    f"(scope extension {DENIAL_EXTENSION!r})"
                )
            self.application_state = WebSocketState.RESPONSE
        else:
            raise RuntimeError(
                'Expected ASGI message "websocket.accept", "websocket.close" or '
                f'"websocket.http.response.start", but got {kind!r}'
            )

    async def accept(
        self,
        subprotocol: str | None = None,
        headers: Iterable[tuple[bytes, bytes]] | None = None,
    ) -> None:
        """Accept the handshake (receiving ``websocket.connect`` first if needed).

        Args:
            subprotocol: The subprotocol chosen among ``scope["subprotocols"]``
                (sent in ``Sec-WebSocket-Protocol``), or ``None``.
            headers: Extra handshake response headers as ``(name, value)``
                byte pairs (names lowercase).

        Raises:
            RuntimeError: If the connection was already accepted, closed or denied.
        """
        if self.client_state is WebSocketState.CONNECTING:
            await self.receive()
        await self.send(
            {"type": "websocket.accept", "subprotocol": subprotocol, "headers": list(headers or [])}
        )

    def _require_connected(self) -> None:
        if self.application_state is not WebSocketState.CONNECTED:
            raise WebSocketDisconnected('WebSocket is not connected. Need to call "accept" first.')

    def _require_accept(self) -> None:
        # Data before the handshake is a common slip: say what is missing.
        if self.application_state is WebSocketState.CONNECTING:
            raise WebSocketDisconnected('WebSocket is not connected. Need to call "accept" first.')

    async def _receive_data(self) -> Message:
        self._require_connected()
        message = await self.receive()
        if message["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(message.get("code", 1005), message.get("reason"))
        return message

    async def receive_text(self) -> str:
        """Receive one text message.

        Raises:
            RuntimeError: Not accepted yet, or already disconnected.
            WebSocketDisconnect: The peer closed (with its code and reason).
            TypeError: The peer sent a binary message.
        """
        message = await self._receive_data()
        text = message.get("text")
        if text is None:
            raise TypeError("Expected a text WebSocket message, received a binary one.")
        return str(text)

    async def receive_bytes(self) -> bytes:
        """Receive one binary message.

        Raises:
            RuntimeError: Not accepted yet, or already disconnected.
            WebSocketDisconnect: The peer closed (with its code and reason).
            TypeError: The peer sent a text message.
        """
        message = await self._receive_data()
        data = message.get("bytes")
        if data is None:
            raise TypeError("Expected a binary WebSocket message, received a text one.")
        return bytes(data)

    async def receive_json(self, mode: Literal["text", "binary"] = "text") -> Any:
        """Receive one message and parse it as JSON (RFC 8259).

        Args:
            mode: ``"text"`` reads a text message, ``"binary"`` a binary one
                (decoded as UTF-8).

        Raises:
            RuntimeError: A bad ``mode``, not accepted yet, or disconnected.
            WebSocketDisconnect: The peer closed.
            TypeError: The message has the other type.
            ValueError: The payload is not valid JSON (``json.JSONDecodeError``).
        """
        _check_mode(mode)
        if mode == "text":
            return json.loads(await self.receive_text())
        return json.loads((await self.receive_bytes()).decode("utf-8"))

    async def iter_text(self) -> AsyncIterator[str]:
        """Yield text messages until the peer disconnects (the iterator then ends)."""
        try:
            while True:
                yield await self.receive_text()
        except WebSocketDisconnect:
            pass

    async def iter_bytes(self) -> AsyncIterator[bytes]:
        """Yield binary messages until the peer disconnects (the iterator then ends)."""
        try:
            while True:
                yield await self.receive_bytes()
        except WebSocketDisconnect:
            pass

    async def iter_json(self) -> AsyncIterator[Any]:
        """Yield JSON text messages, parsed, until the peer disconnects."""
        try:
            while True:
                yield await self.receive_json()
        except WebSocketDisconnect:
            pass

    async def send_text(self, data: str) -> None:
        """Send one text message.

        Raises:
            RuntimeError: Not accepted yet, or already closed.
            WebSocketDisconnect: The peer is gone.
        """
        self._require_accept()
        await self.send({"type": "websocket.send", "text": data})

    async def send_bytes(self, data: bytes) -> None:
        """Send one binary message (same errors as :meth:`send_text`)."""
        self._require_accept()
        await self.send({"type": "websocket.send", "bytes": data})

    async def send_json(self, data: Any, mode: Literal["text", "binary"] = "text") -> None:
        """Send ``data`` as compact JSON (no spaces, non-ASCII kept as UTF-8).

        Args:
            data: Any value ``json.dumps`` accepts.
            mode: ``"text"`` sends a text message, ``"binary"`` UTF-8 bytes.

        Raises:
            RuntimeError: A bad ``mode``, not accepted yet, or closed.
            TypeError: ``data`` is not JSON serializable.
            WebSocketDisconnect: The peer is gone.
        """
        _check_mode(mode)
        self._require_accept()
        text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
        if mode == "text":
            await self.send({"type": "websocket.send", "text": text})
        else:
            await self.send({"type": "websocket.send", "bytes": text.encode("utf-8")})

    async def close(self, code: int = 1000, reason: str | None = None) -> None:
        """Close the connection, or refuse the handshake if not accepted yet.

        Args:
            code: The close code (RFC 6455 section 7.4.1), default ``1000``.
                Before ``accept`` servers answer the handshake with HTTP 403.
            reason: Close reason; at most 123 bytes of UTF-8 fit a close frame.

        Raises:
            RuntimeError: Already closed.
        """
        await self.send({"type": "websocket.close", "code": code, "reason": reason or ""})

    async def send_denial_response(self, response: Response) -> None:
        """Refuse the handshake with an HTTP response (ASGI ``websocket.http.response``).

        Args:
            response: Any response (``Response``, ``StreamingResponse``,
                ``FileResponse``...): the ``http.response.*`` messages it
                sends go out as ``websocket.http.response.*``.

        Raises:
            RuntimeError: The server lacks the extension, or the connection
                was already accepted or closed.
        """
        if DENIAL_EXTENSION not in self.scope.get("extensions", {}):
            raise RuntimeError(
                "The server doesn't support the Websocket Denial Response extension. "
                f"(scope extension {DENIAL_EXTENSION!r})"
            )
        if self.application_state is not WebSocketState.CONNECTING:
            raise RuntimeError(
                "A denial response can only be sent before the WebSocket is accepted or closed."
            )
        send = self.send

        async def send_as_denial(message: Message) -> None:
            kind = message["type"]
            if kind.startswith("http.response."):
                message = {**message, "type": "websocket." + kind}
            await send(message)

        await response(self.scope, self.receive, send_as_denial)


class WebSocketClose:
    """An ASGI app that closes (or refuses) a WebSocket with a code.

    Args:
        code: The close code, default ``1000``.
        reason: The close reason, default ``""``.
    """

    def __init__(self, code: int = 1000, reason: str | None = None) -> None:
        self.code = code
        self.reason = reason or ""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Send ``websocket.close`` (ASGI 3)."""
        await send({"type": "websocket.close", "code": self.code, "reason": self.reason})
