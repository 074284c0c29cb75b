"""Looking up and running exception handlers (shared by middleware and, later, routes).

``ExceptionMiddleware`` stores its handler tables in
``scope["zephyr.exception_handlers"]`` as ``(by_class, by_status)`` so inner
layers (the API layer's route wrapper) can handle exceptions where they are
raised with the application's handlers, using :func:`handle_exception`.
"""

from __future__ import annotations

import inspect
from typing import Any

from zephyr.concurrency import run_in_threadpool
from zephyr.exceptions import HTTPException
from zephyr.requests import Request
from zephyr.types import ExceptionHandler, Receive, Scope, Send
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


def _connection(scope: Scope, receive: Receive, send: Send) -> Any:
    if scope["type"] == "websocket":
        return WebSocket(scope, receive, send)
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
