"""``ExceptionMiddleware``: turn handled exceptions into responses.

It sits just outside the router, so handlers answer with the application's
responses while ``ServerErrorMiddleware`` (outermost) deals with the rest.

On a WebSocket a handler's response can only be delivered as an HTTP denial
response (ASGI ``websocket.http.response``) while the handshake is pending;
otherwise the connection is closed with 1008 (policy violation, RFC 6455
section 7.4.1) and, for an ``HTTPException``, its detail as the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zephyr._exception_handlers import (
    SCOPE_KEY,
    HandlerTables,
    call_handler,
    handle_exception,
    lookup_handler,
)
from zephyr._nocontent import has_content
from zephyr.exceptions import HTTPException, WebSocketException
from zephyr.middleware.errors import ResponseTracker
from zephyr.requests import Request
from zephyr.responses import PlainTextResponse, Response
from zephyr.types import ASGIApp, ExceptionHandler, Message, Receive, Scope, Send
from zephyr.websockets import DENIAL_EXTENSION, WebSocket, WebSocketState

__all__ = ["ExceptionMiddleware"]


class ExceptionMiddleware:
    """Run exception handlers chosen by exception class (MRO) or HTTP status code.

    Defaults: ``HTTPException`` becomes ``PlainTextResponse(detail,
    status_code, headers)`` (an empty body for the statuses without content:
    1xx, 204, 205, 304); ``WebSocketException`` closes the WebSocket with its code and reason.

    Args:
        app: The wrapped ASGI app.
        handlers: ``{exception class or status code: handler}``; a handler is
            ``(request, exc) -> Response`` (async awaited, sync run in the
            thread pool).
        debug: Kept for API compatibility; has no effect here.
    """

    def __init__(
        self,
        app: ASGIApp,
        handlers: Mapping[Any, ExceptionHandler] | None = None,
        debug: bool = False,
    ) -> None:
        self.app = app
        self.debug = debug
        self._status_handlers: dict[int, ExceptionHandler] = {}
        self._exception_handlers: dict[Any, ExceptionHandler] = {
            HTTPException: self.http_exception,
            WebSocketException: self.websocket_exception,
        }
        # The handler tables as inner layers read them from the scope.
        self.tables: HandlerTables = (self._exception_handlers, self._status_handlers)
        for key, handler in (handlers or {}).items():
            self.add_exception_handler(key, handler)

    def add_exception_handler(
        self, exc_class_or_status_code: int | type[Exception], handler: ExceptionHandler
    ) -> None:
        """Register ``handler`` for an exception class or an HTTP status code."""
        if isinstance(exc_class_or_status_code, int):
            self._status_handlers[exc_class_or_status_code] = handler
        else:
            self._exception_handlers[exc_class_or_status_code] = handler

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Call the app; answer exceptions that have a handler."""
        if scope["type"] != "http":
            if scope["type"] == "websocket":
                await self._websocket(scope, receive, send)
            else:
                await self.app(scope, receive, send)
            return
        scope[SCOPE_KEY] = self.tables
        if type(send) is ResponseTracker:
            # PERF: ServerErrorMiddleware's tracker is our send (no middleware
            # in between), so it already knows whether the response started.
            try:
                await self.app(scope, receive, send)
            except Exception as exc:
                await handle_exception(self.tables, exc, scope, receive, send, send.started)
            return
        started = False

        # PERF: a plain function returning send's awaitable (no extra
        # coroutine frame per message) is the cheapest way to learn whether
        # the response started, which decides between handling and erroring.
        def sender(message: Message) -> Any:
            nonlocal started
            started = True
            return send(message)

        try:
            await self.app(scope, receive, sender)
        except Exception as exc:
            await handle_exception(self.tables, exc, scope, receive, send, started)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Call the app for a WebSocket scope, tracking the handshake for the handlers."""
        scope[SCOPE_KEY] = self.tables
        state = WebSocketState.CONNECTING

        async def sender(message: Message) -> None:
            nonlocal state
            kind = message["type"]
            if kind == "websocket.accept":
                state = WebSocketState.CONNECTED
            elif kind == "websocket.http.response.start":
                state = WebSocketState.RESPONSE
            elif kind == "websocket.close" or (
                kind == "websocket.http.response.body" and not message.get("more_body", False)
            ):
                state = WebSocketState.DISCONNECTED
            await send(message)

        try:
            await self.app(scope, receive, sender)
        except Exception as exc:
            handler = lookup_handler(self.tables, exc)
            if handler is None:
                raise
            if state in (WebSocketState.DISCONNECTED, WebSocketState.RESPONSE):
                raise RuntimeError(
                    "Caught handled exception, but the WebSocket was already closed or denied."
                ) from exc
            websocket = WebSocket(scope, receive, send)
            if state is WebSocketState.CONNECTED:
                websocket.client_state = websocket.application_state = state
            response = await call_handler(handler, websocket, exc)
            if isinstance(response, Response):
                await _refuse(websocket, response, exc)

    async def http_exception(self, request: Request, exc: Exception) -> Response:
        """Default ``HTTPException`` handler: the detail as plain text."""
        assert isinstance(exc, HTTPException)
        headers = dict(exc.headers) if exc.headers else None
        if not has_content(exc.status_code):
            return Response(status_code=exc.status_code, headers=headers)
        return PlainTextResponse(str(exc.detail), status_code=exc.status_code, headers=headers)

    async def websocket_exception(self, websocket: Any, exc: Exception) -> None:
        """Default ``WebSocketException`` handler: close with its code and reason."""
        assert isinstance(exc, WebSocketException)
        await websocket.send(
            {"type": "websocket.close", "code": exc.code, "reason": exc.reason or ""}
        )


def close_reason(text: str) -> str:
    """Cut ``text`` to the 123 bytes of UTF-8 a close frame can carry (RFC 6455 5.5.1)."""
    return text.encode("utf-8")[:123].decode("utf-8", "ignore")


async def _refuse(websocket: WebSocket, response: Response, exc: Exception) -> None:
    """Deliver a handler's response on a WebSocket: denial if possible, else close 1008."""
    state = websocket.application_state
    if state is WebSocketState.CONNECTING and DENIAL_EXTENSION in websocket.scope.get(
        "extensions", {}
    ):
        await websocket.send_denial_response(response)
    elif state in (WebSocketState.CONNECTING, WebSocketState.CONNECTED):
        reason = str(exc.detail) if isinstance(exc, HTTPException) else ""
        await websocket.close(code=1008, reason=close_reason(reason))
    # Otherwise the handler already closed or denied the connection itself.
