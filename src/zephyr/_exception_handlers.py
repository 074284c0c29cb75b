"""Looking up and running exception handlers (shared by middleware and, later, routes).

``ExceptionMiddleware`` stores its handler tables in
``scope["zephyr.exception_handlers"]`` as ``(by_class, by_status)`` so inner
layers (the API layer's route wrapper) can handle exceptions where they are
raised with the application's handlers, using :func:`handle_exception`.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

from zephyr.concurrency import run_in_threadpool
from zephyr.exceptions import HTTPException
from zephyr.middleware import Middleware, wrap_middleware
from zephyr.requests import Request
from zephyr.types import ASGIApp, ExceptionHandler, Message, Receive, Scope, Send
from zephyr.websockets import WebSocket

SCOPE_KEY = "zephyr.exception_handlers"

HandlerTables = tuple[dict[Any, ExceptionHandler], dict[int, ExceptionHandler]]
"""``(handlers by exception class, handlers by HTTP status code)``."""


def lookup_handler(tables: HandlerTables, exc: Exception) -> ExceptionHandler | None:
    """Find the handler for ``exc``: by status code for HTTP errors, then by class MRO.

    Args:
        tables: ``(by_class, by_status)``.
        exc: The exception raised.

    Returns:
        The handler, or ``None`` if nothing handles it.
    """
    by_class, by_status = tables
    if by_status and isinstance(exc, HTTPException):
        handler = by_status.get(exc.status_code)
        if handler is not None:
            return handler
    for cls in type(exc).__mro__:
        handler = by_class.get(cls)
        if handler is not None:
            return handler
    return None


# Where an endpoint wrapper leaves its ``Request`` when the endpoint raises,
# so the handler gets the same object (and the body the endpoint already read).
RAISING_REQUEST_KEY = "zephyr.raising_request"


def _connection(scope: Scope, receive: Receive, send: Send) -> Any:
    if scope["type"] == "websocket":
        return WebSocket(scope, receive, send)
    request = scope.get(RAISING_REQUEST_KEY)
    if isinstance(request, Request):
        return request
    return Request(scope, receive, send)


def _is_async(handler: Any) -> bool:
    call = handler if inspect.isroutine(handler) else type(handler).__call__
    return inspect.iscoroutinefunction(call)


async def call_handler(handler: ExceptionHandler, conn: Any, exc: Exception) -> Any:
    """Call ``handler(conn, exc)``: async awaited, sync run in the thread pool."""
    if _is_async(handler):
        return await handler(conn, exc)
    return await run_in_threadpool(handler, conn, exc)


async def handle_exception(
    tables: HandlerTables,
    exc: Exception,
    scope: Scope,
    receive: Receive,
    send: Send,
    response_started: bool,
) -> None:
    """Answer ``exc`` with the matching handler's response, or re-raise it.

    Args:
        tables: ``(by_class, by_status)`` handler tables.
        exc: The exception being handled.
        scope: The ASGI scope.
        receive: The ASGI receive callable.
        send: The ASGI send callable the response goes to.
        response_started: Whether ``http.response.start`` was already sent.

    Raises:
        Exception: ``exc`` itself when no handler matches.
        RuntimeError: If a handler matches but the response already started.
    """
    handler = lookup_handler(tables, exc)
    if handler is None:
        raise exc
    if response_started:
        raise RuntimeError("Caught handled exception, but response already started.") from exc
    response = await call_handler(handler, _connection(scope, receive, send), exc)
    if response is not None and scope["type"] == "http":
        await response(scope, receive, send)
    # Handled: drop the traceback, so an exception instance raised again and
    # again (a shared ``HTTPException``) does not keep every request's frames alive.
    exc.__traceback__ = None


class _AnsweredInside:
    """Answers what ``app`` raises with the app's handlers, before outer layers see it.

    Put between a route's (or mount's) own middleware and what it wraps, so
    that middleware sees the handler's response (an ``HTTPException(403)``
    comes back through it as a 403), as it would around any other response.
    Without handler tables in the scope (no application), or without a
    matching handler, the exception goes on outward unchanged.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        tables = scope.get(SCOPE_KEY)
        if tables is None:
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] in _STARTS:
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            await handle_exception(tables, exc, scope, receive, send, started)


# The messages after which an HTTP (or WebSocket denial) response has begun.
_STARTS = frozenset({"http.response.start", "websocket.http.response.start", "websocket.accept"})


def wrap_route_middleware(app: ASGIApp, middleware: Sequence[Middleware] | None) -> ASGIApp:
    """Wrap a route's or mount's own ``middleware`` around ``app``, handlers inside.

    Args:
        app: The route's ASGI app (endpoint wrapper, mounted app...).
        middleware: Its ``Middleware`` specs, outermost first.

    Returns:
        ``app`` itself without middleware; else the middleware around an
        exception-answering layer around ``app``.
    """
    if not middleware:
        return app
    return wrap_middleware(_AnsweredInside(app), middleware)
