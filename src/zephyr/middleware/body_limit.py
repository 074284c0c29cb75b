"""``RequestBodyLimitMiddleware``: refuse request bodies over a limit with 413 (RFC 9110 §15.5.14).

Two checks, so that neither an honest nor a lying client gets past the limit:

* a ``Content-Length`` over the limit is refused before the app runs (the
  body is never read);
* the bytes actually received are counted as the app reads them, so a body
  sent chunked, or longer than its ``Content-Length`` said, is stopped as
  soon as it crosses the limit.

While the request runs, ``scope[MAX_BODY_SIZE_SCOPE_KEY]`` holds the limit in
force; the counting reads it from the scope at every ``receive()``, so code
further in (a route with a limit of its own) can raise or lower it for its
request. The previous value (an outer middleware's) is put back afterwards.

An overrun found before the response started gets a plain ``413 Content
Too Large`` from this middleware; once the app has started its response it
can no longer be replaced, so the ``receive()`` call raises
:class:`~zephyr.exceptions.HTTPException` (413) into the app instead.
"""

from __future__ import annotations

from zephyr.exceptions import HTTPException
from zephyr.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["MAX_BODY_SIZE_SCOPE_KEY", "RequestBodyLimitMiddleware"]

MAX_BODY_SIZE_SCOPE_KEY = "starlette.max_body_size"
"""The scope key holding the body limit in force, in bytes (``None``: no limit)."""

_REASON = "Content Too Large"


class RequestBodyLimitMiddleware:
    """Answer 413 to HTTP requests whose body exceeds ``max_body_size`` bytes.

    Args:
        app: The wrapped ASGI app.
        max_body_size: Largest accepted body, in bytes (``None``: no limit,
            though a limit set further in still applies).
    """

    def __init__(self, app: ASGIApp, max_body_size: int | None) -> None:
        self.app = app
        self.max_body_size = max_body_size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        missing = object()
        previous = scope.get(MAX_BODY_SIZE_SCOPE_KEY, missing)
        scope[MAX_BODY_SIZE_SCOPE_KEY] = self.max_body_size
        try:
            await self._run(scope, receive, send)
        finally:
            if previous is missing:
                scope.pop(MAX_BODY_SIZE_SCOPE_KEY, None)
            else:
                scope[MAX_BODY_SIZE_SCOPE_KEY] = previous

    async def _run(self, scope: Scope, receive: Receive, send: Send) -> None:
        declared = _content_length(scope)
        if (
            self.max_body_size is not None
            and declared is not None
            and declared > self.max_body_size
        ):
            await _send_413(send)
            return
        exchange = _Exchange(scope, receive, send)
        try:
            await self.app(scope, exchange.receive, exchange.send)
        except HTTPException as exc:
            if exc is not exchange.overrun or exchange.started:
                raise
            await _send_413(send)


class _Exchange:
    """One request: counts the body bytes received and notes whether the response started."""

    def __init__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self._scope = scope
        self._receive = receive
        self._send = send
        self.received = 0
        self.started = False
        self.overrun: HTTPException | None = None

    async def receive(self) -> Message:
        message = await self._receive()
        if message["type"] != "http.request":
            return message
        self.received += len(message.get("body", b""))
        limit = self._scope.get(MAX_BODY_SIZE_SCOPE_KEY)
        if limit is not None and self.received > limit:
            self.overrun = HTTPException(413, _REASON)
            raise self.overrun
        return message

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
        await self._send(message)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            # An unparsable length proves nothing: the byte count still applies.
            return int(value) if value.isdigit() else None
    return None


async def _send_413(send: Send) -> None:
    body = _REASON.encode("ascii")
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode("ascii")),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
