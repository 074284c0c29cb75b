"""Authentication primitives: backends, credentials, users and the ``requires`` guard.

``AuthenticationMiddleware`` (in ``zephyr.middleware.authentication``) asks an
``AuthenticationBackend`` who the client is and stores the answer as
``scope["auth"]`` (an ``AuthCredentials``: the granted scopes) and
``scope["user"]`` (a ``BaseUser``), read back as ``request.auth`` and
``request.user``. ``requires`` then guards endpoints by scope.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import urlencode

from zephyr.exceptions import HTTPException
from zephyr.requests import HTTPConnection, Request
from zephyr.responses import RedirectResponse

__all__ = [
    "AuthCredentials",
    "AuthenticationBackend",
    "AuthenticationError",
    "BaseUser",
    "SimpleUser",
    "UnauthenticatedUser",
    "has_required_scope",
    "requires",
]

F = TypeVar("F", bound=Callable[..., Any])


class AuthenticationError(Exception):
    """Raised by a backend when credentials were sent but are invalid (the client gets 400)."""


class AuthCredentials:
    """The scopes a request was granted.

    Args:
        scopes: Scope names, e.g. ``["authenticated", "admin"]``. Default: none.
    """

    def __init__(self, scopes: Sequence[str] | None = None) -> None:
        self.scopes = list(scopes or [])


class BaseUser:
    """Interface of ``request.user``."""

    @property
    def is_authenticated(self) -> bool:
        """Whether the user is a known one."""
        raise NotImplementedError()

    @property
    def display_name(self) -> str:
        """A name to show."""
        raise NotImplementedError()

    @property
    def identity(self) -> str:
        """A stable identifier."""
        raise NotImplementedError()


class SimpleUser(BaseUser):
    """An authenticated user known by name only.

    Args:
        username: The name, also used as ``display_name``.
    """

    def __init__(self, username: str) -> None:
        self.username = username

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        return self.username

    @property
    def identity(self) -> str:
        return self.username


class UnauthenticatedUser(BaseUser):
    """The user of a request no backend recognised."""

    @property
    def is_authenticated(self) -> bool:
        return False

    @property
    def display_name(self) -> str:
        return ""

    @property
    def identity(self) -> str:
        return ""


class AuthenticationBackend:
    """Base class of authentication backends."""

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        """Identify the client of ``conn``.

        Args:
            conn: The request or WebSocket connection.

        Returns:
            ``(credentials, user)``, or ``None`` when no credentials were sent
            (the request continues as anonymous).

        Raises:
            AuthenticationError: Credentials were sent but are invalid.
        """
        raise NotImplementedError()


def has_required_scope(conn: HTTPConnection, scopes: Sequence[str]) -> bool:
    """Tell whether ``conn.auth`` grants every scope in ``scopes``.

    Raises:
        AssertionError: AuthenticationMiddleware is not installed.
    """
    granted = conn.auth.scopes
    return all(scope in granted for scope in scopes)


def requires(
    scopes: str | Sequence[str], status_code: int = 403, redirect: str | None = None
) -> Callable[[F], F]:
    """Guard an endpoint: it runs only when the connection has all ``scopes``.

    The endpoint must take a parameter named ``request`` or ``websocket``.
    Otherwise: a WebSocket is closed (code 1008) before it is accepted; an
    HTTP request is redirected (303 See Other) to
    ``url_for(redirect)?next=<original url>`` when ``redirect`` is given, else gets
    ``HTTPException(status_code)``.

    Args:
        scopes: One scope or a list of them.
        status_code: Status of the refusal. Default 403.
        redirect: Route name to send unauthorised HTTP requests to. Default ``None``.

    Returns:
        A decorator keeping the endpoint's signature (so it also works on API
        path operations) and sync/async nature.

    Raises:
        Exception: (at decoration) the endpoint has no ``request``/``websocket`` parameter.
    """
    scope_list = [scopes] if isinstance(scopes, str) else list(scopes)

    def decorator(func: F) -> F:
        signature = inspect.signature(func)
        names = list(signature.parameters)
        name = next((n for n in names if n in ("request", "websocket")), None)
        if name is None:
            raise Exception(f'No "request" or "websocket" argument on function "{func}"')
        index = names.index(name)

        def connection(args: tuple[Any, ...], kwargs: dict[str, Any]) -> HTTPConnection:
            conn = kwargs.get(name, args[index] if index < len(args) else None)
            assert isinstance(conn, HTTPConnection)
            return conn

        def refusal(conn: HTTPConnection) -> Any:
            if redirect is not None and isinstance(conn, Request):
                query = urlencode({"next": str(conn.url)})
                return RedirectResponse(f"{conn.url_for(redirect)}?{query}", status_code=303)
            raise HTTPException(status_code=status_code)

        if name == "websocket":

            @functools.wraps(func)
            async def websocket_wrapper(*args: Any, **kwargs: Any) -> None:
                conn = connection(args, kwargs)
                if not has_required_scope(conn, scope_list):
                    await conn.close(code=1008)  # type: ignore[attr-defined]
                    return
                await func(*args, **kwargs)

            return websocket_wrapper  # type: ignore[return-value]

        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                conn = connection(args, kwargs)
                if not has_required_scope(conn, scope_list):
                    return refusal(conn)
                return await func(*args, **kwargs)

            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(func)
        def sync_wrapper(*args: Any, **kwargs: Any) -> Any:
            conn = connection(args, kwargs)
            if not has_required_scope(conn, scope_list):
                return refusal(conn)
            return func(*args, **kwargs)

        return sync_wrapper  # type: ignore[return-value]

    return decorator
