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

from zephyr.convertors import Convertor
from zephyr.datastructures import URLPath
from zephyr.middleware import Middleware
from zephyr.routing import (
    BaseRoute,
    Match,
    NoMatchFound,
    _is_function,
    _wrap_middleware,
    compile_path,
    get_name,
    get_route_path,
    replace_params,
)
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


class WebSocketRoute(BaseRoute):
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

    def __init__(
        self,
        path: str,
        endpoint: Callable[..., Any],
        *,
        name: str | None = None,
        middleware: Sequence[Middleware] | None = None,
    ) -> None:
        if not path.startswith("/"):
            raise ValueError("Routed paths must start with '/'")
        self.path = path
        self.endpoint = endpoint
        self.name = get_name(endpoint) if name is None else name
        app: ASGIApp = websocket_session(endpoint) if _is_function(endpoint) else endpoint
        self.app = _wrap_middleware(app, middleware)
        self.path_regex, self.path_format, self.param_convertors = compile_path(path)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "websocket":
            return Match.NONE, {}
        match = self.path_regex.fullmatch(get_route_path(scope))
        if match is None:
            return Match.NONE, {}
        params = {
            name: self.param_convertors[name].convert(value)
            for name, value in match.groupdict().items()
        }
        return self.match_params(scope, params)

    def table_entry(self) -> tuple[str, dict[str, Convertor[Any]]] | None:
        # A subclass with its own ``matches`` must keep getting called.
        if type(self).matches is not WebSocketRoute.matches:
            return None
        return self.path, self.param_convertors

    def match_params(self, scope: Scope, path_params: dict[str, Any]) -> tuple[Match, Scope]:
        if scope["type"] != "websocket":
            return Match.NONE, {}
        outer = scope.get("path_params")
        if outer:
            path_params = {**outer, **path_params}
        return Match.FULL, {"endpoint": self.endpoint, "path_params": path_params, "route": self}

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        if name != self.name or set(path_params) != set(self.param_convertors):
            raise NoMatchFound(name, path_params)
        path, _ = replace_params(self.path_format, self.param_convertors, path_params)
        return URLPath(path=path, protocol="websocket")

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, WebSocketRoute)
            and self.path == other.path
            and self.endpoint == other.endpoint
        )

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return f"{type(self).__name__}(path={self.path!r}, name={self.name!r})"
