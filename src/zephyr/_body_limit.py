"""Request body limits: ``max_body_size`` on the app, routers, inclusions and operations.

The limit nearest to a route wins (operation, its router, the inclusion, the
parent router... the app); ``None`` at a level means "inherit". Bytes are
counted as they are received, whatever the ``Content-Length`` says, so a
body is refused as soon as it passes the limit (413 ``Content Too Large``)
and the rest is never read. A declared ``Content-Length`` over the route's
limit is refused before the endpoint runs.

One :class:`BodyLimit` per request lives in the scope: the app sets it
first (so middleware that reads the body reads under the app's limit), and
each level below replaces the number with its own, so a route may allow more
than its app (when nothing has read past the app's limit yet) or less (a body
already read by middleware is refused if it is over the route's limit).
Mounted apps share it, so they inherit the limit of the app they live in.

Routes and apps without a limit pay nothing: whether a level takes part is
decided when the route or the middleware stack is built.
"""

from __future__ import annotations

from typing import Any

from zephyr._form_limits import FORM_LIMITS_KEY, FormLimits, merge_form_limits
from zephyr.exceptions import HTTPException
from zephyr.responses import JSONResponse, PlainTextResponse
from zephyr.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "BODY_LIMIT_KEY",
    "DEFAULT_BUFFERED_BODY_SIZE",
    "TOO_LARGE",
    "BodyLimit",
    "BodyTooLarge",
    "LimitedApp",
    "RequestLimitsMiddleware",
    "buffered_receive",
    "buffered_too_large",
    "check_declared_length",
    "check_max_body_size",
    "declared_length",
    "enter_limit",
    "nearest",
    "refuse",
]

BODY_LIMIT_KEY = "zephyr.body_limit"
"""Scope key of the request's :class:`BodyLimit`."""

TOO_LARGE = "Content Too Large"
"""The 413 detail (RFC 9110 section 15.5.14's reason phrase), as FastAPI sends it."""

DEFAULT_BUFFERED_BODY_SIZE = 16 * 1024 * 1024
"""zephyr's default cap, in bytes, on a JSON or ``Body()`` body a route reads whole.

Applies only where no ``max_body_size`` is set (FastAPI sets no default, and
its own tests send nothing near this size); the app's
``max_buffered_body_size`` changes it, ``None`` removes it.
"""


def buffered_too_large(limit: int) -> HTTPException:
    """The 413 for a body over the default buffered-body cap; the detail names the limit."""
    return HTTPException(
        413, f"{TOO_LARGE}: the body is over max_buffered_body_size ({limit} bytes)"
    )


def buffered_receive(scope: Scope, receive: Receive, limit: int) -> Receive:
    """Put the default buffered-body cap in force for a route that reads its body whole.

    The same streaming count as ``max_body_size``: a declared
    ``Content-Length`` over ``limit`` is refused before a byte is read, and
    a body without one (chunked) once more than ``limit`` bytes arrived, so
    the body is never held whole.

    Args:
        scope: The HTTP scope.
        receive: The route's receive.
        limit: Most body bytes.

    Returns:
        The receive to read the body with; it raises the 413 past ``limit``.

    Raises:
        HTTPException: 413 (:func:`buffered_too_large`), the declared length
            is over ``limit``.
    """
    if declared_length(scope) > limit:
        raise buffered_too_large(limit)
    received = 0

    async def receive_capped() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise buffered_too_large(limit)
        return message

    return receive_capped


def check_max_body_size(value: Any) -> int | None:
    """Validate a ``max_body_size`` setting when it is given.

    Args:
        value: ``None`` (inherit / no limit) or a non-negative ``int`` of bytes.

    Returns:
        The value.

    Raises:
        ValueError: Anything else (``bool``, float, string, negative number).
    """
    if value is None:
        return None
    if type(value) is not int or value < 0:
        raise ValueError("max_body_size must be a non-negative integer or None")
    return value


def nearest(*levels: int | None) -> int | None:
    """The first level that sets a limit, nearest the route first; ``None`` if none does."""
    for level in levels:
        if level is not None:
            return level
    return None


class BodyTooLarge(HTTPException):
    """413: the request body passed the limit in force."""

    def __init__(self) -> None:
        super().__init__(413, TOO_LARGE)


class BodyLimit:
    """The limit in force for one request's body and the bytes received so far.

    Args:
        limit: Most body bytes, ``>= 0``.
    """

    __slots__ = ("limit", "received")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.received = 0

    def count(self, size: int) -> None:
        """Add ``size`` received bytes.

        Raises:
            BodyTooLarge: The total passed the limit.
        """
        self.received += size
        if self.received > self.limit:
            raise BodyTooLarge()


def _counting(receive: Receive, cell: BodyLimit) -> Receive:
    async def receive_counted() -> Message:
        message = await receive()
        if message["type"] == "http.request":
            cell.count(len(message.get("body", b"")))
        return message

    return receive_counted


def enter_limit(scope: Scope, receive: Receive, limit: int) -> Receive:
    """Put ``limit`` in force for the rest of this request.

    Args:
        scope: The HTTP scope; gets the request's :class:`BodyLimit` if it has none.
        receive: The receive of this level.
        limit: Most body bytes.

    Returns:
        The receive to read the body with (counting, unless a level above counts).

    Raises:
        BodyTooLarge: More than ``limit`` bytes were already received (read by
            middleware above this level).
    """
    cell: BodyLimit | None = scope.get(BODY_LIMIT_KEY)
    if cell is None:
        cell = scope[BODY_LIMIT_KEY] = BodyLimit(limit)
        return _counting(receive, cell)
    cell.limit = limit
    if cell.received > limit:
        raise BodyTooLarge()
    return receive


def declared_length(scope: Scope) -> int:
    """The request's ``Content-Length`` in bytes; ``-1`` when absent or not a number."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else -1
    return -1


async def refuse(scope: Scope, receive: Receive, send: Send) -> None:
    """Send the 413 for a body refused before anything read it (plain text, as FastAPI)."""
    await PlainTextResponse(TOO_LARGE, 413)(scope, receive, send)


class RequestLimitsMiddleware:
    """The app-wide ``max_body_size`` and ``form_limits``, from the outermost layer in.

    Installed by the API app just inside the server-error layer, and only
    when the app sets a limit. Middleware reading the body reads under the
    app's limit; a refusal there (outside the exception handlers) is
    answered here. Form limits are handed down in the scope to routes that
    leave a key unset and to mounted apps.

    Args:
        app: The rest of the stack.
        max_body_size: The app's limit in bytes, or ``None``.
        form_limits: The app's form limits (possibly empty).
    """

    def __init__(self, app: ASGIApp, max_body_size: int | None, form_limits: FormLimits) -> None:
        self.app = app
        self.max_body_size = max_body_size
        self.form_limits = form_limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.form_limits:
            outer = scope.get(FORM_LIMITS_KEY)
            scope[FORM_LIMITS_KEY] = merge_form_limits(self.form_limits, outer or {})
        if self.max_body_size is not None:
            try:
                receive = enter_limit(scope, receive, self.max_body_size)
            except BodyTooLarge:
                await refuse(scope, receive, send)
                return
        else:
            inherited: BodyLimit | None = scope.get(BODY_LIMIT_KEY)
            if inherited is None:
                # PERF: an app with middleware but no limit, not mounted under one:
                # nothing to answer here, so no send wrapper per message.
                await self.app(scope, receive, send)
                return
            if declared_length(scope) > inherited.limit:
                await refuse(scope, receive, send)  # before its middleware reads
                return
        if not await _tripped_before_start(self.app, scope, receive, send):
            return
        if self.max_body_size is not None:
            await refuse(scope, receive, send)  # this app's own limit
        else:
            # A limit inherited from the app this one is mounted in: this
            # app answers as its exception handlers do, as FastAPI's does.
            await JSONResponse({"detail": TOO_LARGE}, 413)(scope, receive, send)


async def _tripped_before_start(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> bool:
    """Run ``app``; whether it stopped on ``BodyTooLarge`` before its response started.

    Returns:
        True when the caller must still answer 413; False when ``app`` finished.

    Raises:
        BodyTooLarge: The limit tripped after the response had started (too
            late for a 413).
    """
    started = False

    async def send_tracked(message: Message) -> None:
        nonlocal started
        started = True
        await send(message)

    try:
        await app(scope, receive, send_tracked)
    except BodyTooLarge:
        if started:
            raise
        return True
    return False


class LimitedApp:
    """The ``max_body_size`` of a toolkit ``Router``, ``Mount`` or ``Route``.

    Puts its limit in force (nearer levels replace farther ones, see the
    module doc) for what it serves, and answers 413 to a body over it while
    the response has not started. The innermost level (a route) also refuses
    a declared ``Content-Length`` over its limit before the endpoint runs.

    Args:
        app: What the router, mount or route serves.
        max_body_size: Its limit in bytes.
        innermost: Whether this is a route's (nothing nearer can change the limit).
    """

    def __init__(self, app: ASGIApp, max_body_size: int, *, innermost: bool) -> None:
        self.app = app
        self.max_body_size = max_body_size
        self.innermost = innermost

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            receive = enter_limit(scope, receive, self.max_body_size)
        except BodyTooLarge:
            await refuse(scope, receive, send)  # read past it already, by middleware
            return
        if self.innermost and declared_length(scope) > self.max_body_size:
            await refuse(scope, receive, send)
            return
        if await _tripped_before_start(self.app, scope, receive, send):
            await refuse(scope, receive, send)


def check_declared_length(scope: Scope) -> None:
    """Refuse a declared ``Content-Length`` over the limit in force, if any (endpoint side).

    Raises:
        BodyTooLarge: The request says its body is longer than the limit.
    """
    cell: BodyLimit | None = scope.get(BODY_LIMIT_KEY)
    if cell is not None and declared_length(scope) > cell.limit:
        raise BodyTooLarge()
