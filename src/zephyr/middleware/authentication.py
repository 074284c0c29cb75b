"""``AuthenticationMiddleware``: identify the client once per connection.

Sets ``scope["auth"]`` (``AuthCredentials``) and ``scope["user"]``
(``BaseUser``) from an ``AuthenticationBackend``; anonymous clients get empty
credentials and an ``UnauthenticatedUser``.
"""

from __future__ import annotations

from collections.abc import Callable

from zephyr.authentication import (
    AuthCredentials,
    AuthenticationBackend,
    AuthenticationError,
    UnauthenticatedUser,
)
from zephyr.requests import HTTPConnection
from zephyr.responses import PlainTextResponse, Response
from zephyr.types import ASGIApp, Receive, Scope, Send

__all__ = ["AuthenticationMiddleware"]


def default_on_error(conn: HTTPConnection, exc: Exception) -> Response:
    """The default answer to an ``AuthenticationError``: 400 with the error text."""
    return PlainTextResponse(str(exc), status_code=400)


class AuthenticationMiddleware:
    """Run ``backend.authenticate`` and expose the result as ``request.user`` / ``request.auth``.

    Args:
        app: The wrapped ASGI app.
        backend: The ``AuthenticationBackend``.
        on_error: ``(conn, AuthenticationError) -> Response`` for invalid
            credentials. Default: 400 with the error message. WebSockets with
            invalid credentials are closed (code 1008) before being accepted.
    """

    def __init__(
        self,
        app: ASGIApp,
        backend: AuthenticationBackend,
        on_error: Callable[[HTTPConnection, AuthenticationError], Response] | None = None,
    ) -> None:
        self.app = app
        self.backend = backend
        self.on_error = on_error or default_on_error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        try:
            result = await self.backend.authenticate(conn)
        except AuthenticationError as exc:
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008, "reason": str(exc)[:100]})
                return
            await self.on_error(conn, exc)(scope, receive, send)
            return
        if result is None:
            result = AuthCredentials(), UnauthenticatedUser()
        scope["auth"], scope["user"] = result
        await self.app(scope, receive, send)
