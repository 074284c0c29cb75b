"""``Mount`` and ``Host``: routes that hand a path prefix or a host to another app.

Exposed from :mod:`zephyr.routing`. Neither goes into the compiled route
table: the router tries them in declaration order among the table's
candidates.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from zephyr._body_limit import LimitedApp, check_max_body_size
from zephyr._exception_handlers import wrap_route_middleware
from zephyr._hosts import split_host
from zephyr.datastructures import URLPath
from zephyr.middleware import Middleware
from zephyr.routing import (
    BaseRoute,
    Match,
    NoMatchFound,
    Router,
    compile_path,
    get_route_path,
    replace_params,
)
from zephyr.types import ASGIApp, Receive, Scope, Send

__all__ = ["ROUTE_PREFIX_SCOPE_KEY", "Host", "Mount"]

ROUTE_PREFIX_SCOPE_KEY = "zephyr.route_prefix"
"""Scope key where each ``Mount`` leaves the path template matched so far (``"/api"``)."""


def _child_url(
    routes: Iterable[BaseRoute], name: str, path_params: dict[str, Any]
) -> URLPath | None:
    """Return the first child route's path for ``name``, or ``None`` if no child has it."""
    for route in routes:
        try:
            return route.url_path_for(name, **path_params)
        except NoMatchFound:
            continue
    return None


class Mount(BaseRoute):
    """A sub-application or a list of routes under a path prefix.

    The mounted app sees ``scope["path"]`` unchanged and ``scope["root_path"]``
    extended by the matched prefix (ASGI ``root_path`` semantics), and
    ``scope["app_root_path"]`` keeps the outermost root path. Lifespan events
    are not forwarded to mounted apps.

    Args:
        path: Prefix template (``""`` or starting with ``/``, trailing ``/``
            dropped); may contain parameters, merged into ``path_params``.
        app: The ASGI app to mount; exclusive with ``routes``.
        routes: Routes for a new ``Router`` to mount.
        name: Prefix for nested ``url_path_for`` names (``"name:child"``).
        middleware: ``Middleware`` specs wrapped around the mounted app.
        max_body_size: Most request body bytes below this mount (413 beyond),
            replacing the limit above; ``None`` inherits.

    Raises:
        ValueError: On a bad path, or unless exactly one of ``app``/``routes`` is given.
    """

    def __init__(
        self,
        path: str,
        app: ASGIApp | None = None,
        routes: Sequence[BaseRoute] | None = None,
        name: str | None = None,
        *,
        middleware: Sequence[Middleware] | None = None,
        max_body_size: int | None = None,
    ) -> None:
        if path != "" and not path.startswith("/"):
            raise ValueError("Routed paths must start with '/'")
        if (app is None) == (routes is None):
            raise ValueError("Mount needs exactly one of 'app' or 'routes'")
        self.path = path.rstrip("/")
        self._base_app: ASGIApp = app if app is not None else Router(routes=routes)
        limit = check_max_body_size(max_body_size)
        served = self._base_app
        if limit is not None:
            served = LimitedApp(served, limit, innermost=False)
        self.app = wrap_route_middleware(served, middleware)
        self.name = name
        self.path_regex, self.path_format, self.param_convertors = compile_path(
            self.path + "/{path:path}"
        )

    @property
    def routes(self) -> list[BaseRoute]:
        """The mounted app's routes (``[]`` if it isn't a router)."""
        return list(getattr(self._base_app, "routes", []))

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] not in ("http", "websocket"):
            return Match.NONE, {}
        route_path = get_route_path(scope)
        match = self.path_regex.fullmatch(route_path)
        if match is None:
            return Match.NONE, {}
        raw = match.groupdict()
        remaining = "/" + raw.pop("path")
        matched = route_path[: len(route_path) - len(remaining)]
        path_params = dict(scope.get("path_params") or {})
        for name, value in raw.items():
            path_params[name] = self.param_convertors[name].convert(value)
        root_path = scope.get("root_path", "")
        child_scope = {
            "path_params": path_params,
            "app_root_path": scope.get("app_root_path", root_path),
            "root_path": root_path + matched,
            "endpoint": self.app,
            # The template matched so far, for telemetry naming the route ("/api/{id}").
            ROUTE_PREFIX_SCOPE_KEY: scope.get(ROUTE_PREFIX_SCOPE_KEY, "") + self.path,
        }
        return Match.FULL, child_scope

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        if self.name is not None and name == self.name and "path" in path_params:
            # The mount itself, with an explicit sub-path.
            params = {**path_params, "path": str(path_params["path"]).lstrip("/")}
            path, remaining = replace_params(self.path_format, self.param_convertors, params)
            if not remaining:
                return URLPath(path=path)
        elif self.name is None or name.startswith(self.name + ":"):
            child_name = name if self.name is None else name[len(self.name) + 1 :]
            own = {k: v for k, v in path_params.items() if k in self.param_convertors}
            prefix, _ = replace_params(self.path_format, self.param_convertors, {**own, "path": ""})
            child_params = {k: v for k, v in path_params.items() if k not in own}
            if "path" in path_params:
                child_params["path"] = path_params["path"]
            url = _child_url(self.routes, child_name, child_params)
            if url is not None:
                return URLPath(path=prefix.rstrip("/") + str(url), protocol=url.protocol)
        raise NoMatchFound(name, path_params)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mount) and self.path == other.path and self.app == other.app

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(path={self.path!r}, name={self.name or ''!r}, app={self.app!r})"
        )


class Host(BaseRoute):
    """Dispatch on the ``Host`` header (port ignored for matching).

    Args:
        host: Host template, e.g. ``"{subdomain}.example.org"`` or
            ``"api.example.org:8080"`` (the port is only used to build URLs).
        app: The ASGI app serving that host.
        name: Prefix for nested ``url_path_for`` names.

    Raises:
        ValueError: If ``host`` starts with ``/``.
    """

    def __init__(self, host: str, app: ASGIApp, name: str | None = None) -> None:
        if host.startswith("/"):
            raise ValueError("Host must not start with '/'")
        self.host = host
        self.app = app
        self.name = name
        self.host_regex, self.host_format, self.param_convertors = compile_path(host)
        # Host names are case-insensitive (RFC 9110 §4.2.3): match lower-cased.
        self.host_regex = re.compile(self.host_regex.pattern, re.IGNORECASE)

    @property
    def routes(self) -> list[BaseRoute]:
        """The app's routes (``[]`` if it isn't a router)."""
        return list(getattr(self.app, "routes", []))

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] not in ("http", "websocket"):
            return Match.NONE, {}
        host = ""
        for key, value in scope.get("headers") or ():
            if key == b"host":
                host = value.decode("latin-1")
                break
        split = split_host(host)
        match = None if split is None else self.host_regex.fullmatch(split[0].lower())
        if match is None:
            return Match.NONE, {}
        path_params = dict(scope.get("path_params") or {})
        for name, value in match.groupdict().items():
            path_params[name] = self.param_convertors[name].convert(value)
        return Match.FULL, {"path_params": path_params, "endpoint": self.app}

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        if self.name is not None and name == self.name and "path" in path_params:
            params = dict(path_params)
            path = str(params.pop("path"))
            host, remaining = replace_params(self.host_format, self.param_convertors, params)
            if not remaining:
                return URLPath(path=path, host=host)
        elif self.name is None or name.startswith(self.name + ":"):
            child_name = name if self.name is None else name[len(self.name) + 1 :]
            own = {k: v for k, v in path_params.items() if k in self.param_convertors}
            host, _ = replace_params(self.host_format, self.param_convertors, own)
            child_params = {k: v for k, v in path_params.items() if k not in own}
            url = _child_url(self.routes, child_name, child_params)
            if url is not None:
                return URLPath(path=str(url), protocol=url.protocol, host=host)
        raise NoMatchFound(name, path_params)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Host) and self.host == other.host and self.app == other.app

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(host={self.host!r}, name={self.name or ''!r}, app={self.app!r})"
        )
