"""``WebSocketRoute`` and ``websocket_session``, exposed from :mod:`zephyr.routing`.

Kept apart from ``routing.py`` so that module stays one readable size; the
route plugs into the same compiled table as HTTP routes (a WebSocket route
answers only ``websocket`` scopes, an HTTP route only ``http`` ones, so the
table's candidates stay exact and the HTTP path pays nothing extra unless a
WebSocket route shares its template).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from zephyr._exception_handlers import wrap_route_middleware
from zephyr._routes import Match, _TemplateRoute, is_function
from zephyr.middleware import Middleware
from zephyr.types import ASGIApp, Receive, Scope, Send
from zephyr.websockets import WebSocket

__all__ = ["WebSocketRoute", "websocket_session"]


def websocket_session(func: Callable[[WebSocket], Awaitable[None]]) -> ASGIApp:
    """Wrap ``async def endpoint(websocket)`` as an ASGI app.

    Args:
        func: An async function taking the ``WebSocket``; it accepts,
            exchanges messages and closes as it sees fit.

    Returns:
        An ASGI app calling ``func`` once per connection.
    """

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await func(WebSocket(scope, receive, send))

    return app


class WebSocketRoute(_TemplateRoute):
    """A WebSocket endpoint at a path template.

    Args:
        path: Template starting with ``/``, e.g. ``"/ws/{room}"``.
        endpoint: ``async def endpoint(websocket)``, or an ASGI app / class
            (such as a ``WebSocketEndpoint`` subclass) called with
            ``(scope, receive, send)``.
        name: Name for ``url_path_for``; default the endpoint's ``__name__``.
        middleware: ``Middleware`` specs wrapped around this route only.

    Raises:
        ValueError: If ``path`` doesn't start with ``/`` or the template is invalid.
    """

    _scope_type = "websocket"

    def __init__(
        self,
        path: str,
        endpoint: Callable[..., Any],
        *,
        name: str | None = None,
        middleware: Sequence[Middleware] | None = None,
    ) -> None:
        super().__init__(path, endpoint, name)
        if is_function(endpoint):
            self.app = websocket_session(endpoint)
        self.app = wrap_route_middleware(self.app, middleware)

    def match_params(self, scope: Scope, path_params: dict[str, Any]) -> tuple[Match, Scope]:
        if scope["type"] != "websocket":
            return Match.NONE, {}
        outer = scope.get("path_params")
        if outer:
            path_params = {**outer, **path_params}
        return Match.FULL, {"endpoint": self.endpoint, "path_params": path_params, "route": self}

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, WebSocketRoute)
            and self.path == other.path
            and self.endpoint == other.endpoint
        )

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return f"{type(self).__name__}(path={self.path!r}, name={self.name!r})"
