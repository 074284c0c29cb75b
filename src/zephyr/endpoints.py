"""Class-based endpoints: ``HTTPEndpoint`` (one method per verb) and ``WebSocketEndpoint``.

Both are ASGI apps *as classes*: a route calls ``cls(scope, receive, send)``
and awaits the instance, which dispatches the connection.
"""

from __future__ import annotations

import json
from collections.abc import Generator
from typing import Any, ClassVar

from zephyr._routes import is_async_callable
from zephyr.concurrency import run_in_threadpool
from zephyr.exceptions import HTTPException
from zephyr.requests import Request
from zephyr.responses import PlainTextResponse, Response
from zephyr.types import Message, Receive, Scope, Send
from zephyr.websockets import WebSocket, WebSocketState

__all__ = ["HTTPEndpoint", "WebSocketEndpoint"]

# The methods a handler may be named after (QUERY: the safe method with a body,
# draft-ietf-httpbis-safe-method-w-body; TRACE and CONNECT are not served this way).
_VERBS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "QUERY")


class HTTPEndpoint:
    """Dispatch a request to the method named after its verb (``get``, ``post``...).

    Subclasses define ``get(self, request) -> Response`` and friends, async or
    sync (sync ones run in the thread pool). ``HEAD`` falls back to ``get``.
    Other verbs answer 405 with an ``Allow`` header (RFC 9110 section 15.5.6).

    Args:
        scope: The ASGI HTTP scope.
        receive: The ASGI receive channel.
        send: The ASGI send channel.
    """

    def __init__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http"
        self.scope = scope
        self.receive = receive
        self.send = send
        # HEAD is served by ``get`` when there is no ``head``, so it is allowed too.
        self._allowed_methods = [
            verb
            for verb in _VERBS
            if hasattr(self, verb.lower()) or (verb == "HEAD" and hasattr(self, "get"))
        ]

    def __await__(self) -> Generator[Any, None, None]:
        return self.dispatch().__await__()

    async def dispatch(self) -> None:
        """Call the handler for the request's method and send its response."""
        request = Request(self.scope, receive=self.receive, send=self.send)
        name = request.method.lower()
        if name == "head" and not hasattr(self, "head"):
            name = "get"
        # Only HTTP verbs dispatch: a request method of "_HELPER" must not
        # reach a method that merely has that name.
        known = name.upper() in _VERBS
        handler: Any = getattr(self, name, None) if known else None
        if handler is None:
            handler = self.method_not_allowed
        if is_async_callable(handler):
            response: Response = await handler(request)
        else:
            response = await run_in_threadpool(handler, request)
        await response(self.scope, self.receive, self.send)

    async def method_not_allowed(self, request: Request) -> Response:
        """Answer 405 (raised as ``HTTPException`` inside an app, so handlers apply)."""
        headers = {"Allow": ", ".join(self._allowed_methods)}
        if "app" in self.scope:
            raise HTTPException(status_code=405, headers=headers)
        return PlainTextResponse("Method Not Allowed", status_code=405, headers=headers)


class WebSocketEndpoint:
    """A WebSocket endpoint as callbacks: connect, each message, disconnect.

    Attributes:
        encoding: How ``on_receive`` gets data: ``"text"`` (``str``),
            ``"bytes"``, ``"json"`` (parsed from text or UTF-8 bytes) or
            ``None`` (the raw text or bytes). A message of the wrong kind
            closes the connection with 1003 (unsupported data, RFC 6455
            section 7.4.1) and raises ``RuntimeError``.

    Args:
        scope: The ASGI WebSocket scope.
        receive: The ASGI receive channel.
        send: The ASGI send channel.
    """

    encoding: ClassVar[str | None] = None

    def __init__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "websocket"
        self.scope = scope
        self.receive = receive
        self.send = send

    def __await__(self) -> Generator[Any, None, None]:
        return self.dispatch().__await__()

    async def dispatch(self) -> None:
        """Run ``on_connect``, then ``on_receive`` per message, then ``on_disconnect``.

        ``on_disconnect`` gets the peer's close code, or 1011 (internal
        error) if a callback raised (the exception then propagates).
        """
        websocket = WebSocket(self.scope, receive=self.receive, send=self.send)
        await self.on_connect(websocket)
        if websocket.application_state is WebSocketState.DISCONNECTED:
            return  # on_connect refused the connection.
        close_code = 1000
        try:
            while True:
                message = await websocket.receive()
                kind = message["type"]
                if kind == "websocket.receive":
                    data = await self.decode(websocket, message)
                    await self.on_receive(websocket, data)
                elif kind == "websocket.disconnect":
                    close_code = int(message.get("code") or 1000)
                    break
        except Exception:
            close_code = 1011
            raise
        finally:
            await self.on_disconnect(websocket, close_code)

    async def decode(self, websocket: WebSocket, message: Message) -> Any:
        """Turn a ``websocket.receive`` message into ``on_receive``'s data per ``encoding``.

        Raises:
            RuntimeError: The message doesn't fit the encoding (the
                connection is closed with 1003 first).
        """
        text: str | None = message.get("text")
        data: Any = message.get("bytes")
        if self.encoding == "text":
            if text is None:
                await websocket.close(code=1003)
                raise RuntimeError("Expected text websocket messages, but got bytes")
            return text
        if self.encoding == "bytes":
            if data is None:
                await websocket.close(code=1003)
                raise RuntimeError("Expected bytes websocket messages, but got text")
            return data
        if self.encoding == "json":
            try:
                return json.loads(text if text is not None else data.decode("utf-8"))
            except (ValueError, TypeError):
                await websocket.close(code=1003)
                raise RuntimeError("Malformed JSON data received.") from None
        return text if text is not None else data

    async def on_connect(self, websocket: WebSocket) -> None:
        """Called on the handshake; the default accepts (override to refuse, pick a protocol)."""
        await websocket.accept()

    async def on_receive(self, websocket: WebSocket, data: Any) -> None:
        """Called for each message with the decoded data; the default ignores it."""

    async def on_disconnect(self, websocket: WebSocket, close_code: int) -> None:
        """Called once the connection is over, with the close code."""
