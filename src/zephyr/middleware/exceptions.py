"""``ExceptionMiddleware``: turn handled exceptions into responses.

It sits just outside the router, so handlers answer with the application's
responses while ``ServerErrorMiddleware`` (outermost) deals with the rest.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zephyr._exception_handlers import SCOPE_KEY, HandlerTables, handle_exception
from zephyr.exceptions import HTTPException, WebSocketException
from zephyr.middleware.errors import ResponseTracker
from zephyr.requests import Request
from zephyr.responses import PlainTextResponse, Response
from zephyr.types import ASGIApp, ExceptionHandler, Message, Receive, Scope, Send

__all__ = ["ExceptionMiddleware"]


class ExceptionMiddleware:
    """Run exception handlers chosen by exception class (MRO) or HTTP status code.

    Defaults: ``HTTPException`` becomes ``PlainTextResponse(detail,
    status_code, headers)`` (empty body for 204/304); ``WebSocketException``
    closes the WebSocket with its code and reason.

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
        self._tables: HandlerTables = (self._exception_handlers, self._status_handlers)
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
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        scope[SCOPE_KEY] = self._tables
        if type(send) is ResponseTracker:
            # PERF: ServerErrorMiddleware's tracker is our send (no middleware
            # in between), so it already knows whether the response started.
            try:
                await self.app(scope, receive, send)
            except Exception as exc:
                started = send.started and scope["type"] == "http"
                await handle_exception(self._tables, exc, scope, receive, send, started)
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
            # A WebSocket may be closed with a code at any time; only HTTP can't restart.
            started = started and scope["type"] == "http"
            await handle_exception(self._tables, exc, scope, receive, send, started)

    async def http_exception(self, request: Request, exc: Exception) -> Response:
        """Default ``HTTPException`` handler: the detail as plain text."""
        assert isinstance(exc, HTTPException)
        headers = dict(exc.headers) if exc.headers else None
        if exc.status_code in (204, 304):
            return Response(status_code=exc.status_code, headers=headers)
        return PlainTextResponse(str(exc.detail), status_code=exc.status_code, headers=headers)

    async def websocket_exception(self, websocket: Any, exc: Exception) -> None:
        """Default ``WebSocketException`` handler: close with its code and reason."""
        assert isinstance(exc, WebSocketException)
        await websocket.send(
            {"type": "websocket.close", "code": exc.code, "reason": exc.reason or ""}
        )
