"""Routing: ``Route`` and the ``Router`` that dispatches to routes.

Semantics follow the toolkit contract (Starlette's public API): routes are
tried in declaration order, the first one whose path *and* method match wins,
otherwise the first whose path matches answers 405, otherwise 404 (or a
trailing-slash redirect). The ``Router`` gets there without trying every
route: it compiles its route list into a :class:`~zephyr._routetree.RouteTable`
(static dict + segment tree) and only walks, in order, the routes the table
can't represent (mounts, hosts, unusual templates). ``Mount`` and ``Host``
live here with the ``Router`` (a mount of routes is a router, a router holds
mounts); ``Route`` and the pieces every route shares live in
:mod:`zephyr._routes`, ``WebSocketRoute`` in :mod:`zephyr._websocket_routing`,
both below this module; all are importable from here. Lifespan handling lives
in :mod:`zephyr._lifespan`; the router only delegates to it.
"""

from __future__ import annotations

import importlib
import operator
import re
from collections.abc import Awaitable, Callable, Collection, Iterable, Sequence
from typing import Any, TypeVar

from zephyr._body_limit import LimitedApp, check_max_body_size
from zephyr._exception_handlers import wrap_route_middleware
from zephyr._hosts import split_host
from zephyr._lifespan import LifespanMixin
from zephyr._native import router_is_native
from zephyr._routes import (
    ALLOW_KEY,
    BaseRoute,
    Match,
    NoMatchFound,
    Route,
    allowed_methods,
    compile_path,
    get_name,
    get_route_path,
    redirect_location,
    replace_params,
    request_response,
)
from zephyr._routes import FULL as _FULL
from zephyr._routes import NONE as _NONE
from zephyr._routes import PARTIAL as _PARTIAL
from zephyr._routetree import CompiledRoutes, RouteList
from zephyr._websocket_routing import WebSocketRoute, websocket_session
from zephyr.datastructures import URLPath
from zephyr.exceptions import HTTPException
from zephyr.middleware import Middleware, wrap_middleware
from zephyr.responses import PlainTextResponse, RedirectResponse
from zephyr.types import ASGIApp, Receive, Respond, Scope, Send

__all__ = [
    "ROUTE_PREFIX_SCOPE_KEY",
    "BaseRoute",
    "Host",
    "Match",
    "Mount",
    "NoMatchFound",
    "Route",
    "Router",
    "WebSocketRoute",
    "compile_path",
    "get_name",
    "get_route_path",
    "request_response",
    "websocket_session",
]

T = TypeVar("T")


_DECLARED_AT = operator.itemgetter(0)  # a candidate's declaration index


class Router(LifespanMixin):
    """An ASGI app dispatching to routes, with a compiled route table.

    Args:
        routes: The routes, tried in declaration order (``router.routes`` is
            a list; mutating it later is supported).
        redirect_slashes: Redirect (307) to the path with/without a trailing
            slash when only that variant matches.
        default: ASGI app for unmatched requests; default 404 (raises
            ``HTTPException(404)`` inside an application, so exception
            handlers apply).
        on_startup: Callables (sync or async) run at lifespan startup.
        on_shutdown: Callables (sync or async) run at lifespan shutdown.
        lifespan: ``lifespan(app)`` async context manager factory (or async
            generator function) yielding ``None`` or a state dict; exclusive
            with ``on_startup``/``on_shutdown``.
        middleware: ``Middleware`` specs wrapped around the router.
        max_body_size: Most request body bytes for its routes (413 beyond);
            nearer levels (mount, route) replace it. ``None``: no limit of its own.

    Raises:
        ValueError: If ``lifespan`` is combined with ``on_startup``/``on_shutdown``.
    """

    def __init__(
        self,
        routes: Sequence[BaseRoute] | None = None,
        redirect_slashes: bool = True,
        default: ASGIApp | None = None,
        on_startup: Sequence[Callable[[], Any]] | None = None,
        on_shutdown: Sequence[Callable[[], Any]] | None = None,
        lifespan: Any = None,
        *,
        middleware: Sequence[Middleware] | None = None,
        max_body_size: int | None = None,
    ) -> None:
        self.routes = list(routes or [])
        # Served ahead of ``routes`` without being listed there (_add_own_route).
        self._own_routes: tuple[BaseRoute, ...] = ()
        self.redirect_slashes = redirect_slashes
        self.default: ASGIApp = self.not_found if default is None else default
        self._compiled: CompiledRoutes | None = None
        self._init_lifespan(on_startup, on_shutdown, lifespan)
        limit = check_max_body_size(max_body_size)
        served: ASGIApp = (
            self.app if limit is None else LimitedApp(self.app, limit, innermost=False)
        )
        self.middleware_stack: ASGIApp = wrap_middleware(served, middleware)
        # The router's own layers must see every request, native ones too.
        self._wrapped = limit is not None or bool(middleware)

    @property
    def routes(self) -> list[BaseRoute]:
        """The route list; appending/removing routes recompiles the table lazily."""
        return self._routes

    @routes.setter
    def routes(self, routes: Iterable[BaseRoute]) -> None:
        self._routes = RouteList(routes, on_add=self._route_added)
        self._compiled = None

    def _add_own_route(self, route: BaseRoute) -> None:
        """Serve ``route`` ahead of every route in ``routes``, unlisted.

        For routes of zephyr's own that Starlette and FastAPI have no
        counterpart of (the docs pages' assets): libraries that read, copy or
        rebuild ``app.routes`` find there just the routes FastAPI would have.
        """
        self._own_routes = (*self._own_routes, route)
        self._compiled = None

    def _route_added(self, route: BaseRoute) -> None:
        """Hear of a route added to ``routes``, once it is in the list.

        A plain router has nothing to do; an ``APIRouter`` passes the route
        on to the routers it is included in.
        """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """ASGI entry point (through the router's own middleware, if any)."""
        await self.middleware_stack(scope, receive, send)

    async def not_found(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Default handler for unmatched scopes: 404 or WebSocket close 1000."""
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1000, "reason": ""})
            return
        if "app" in scope:
            raise HTTPException(status_code=404)
        await PlainTextResponse("Not Found", status_code=404)(scope, receive, send)

    def _table(self) -> CompiledRoutes:
        compiled = self._compiled
        if compiled is None or compiled.version != self._routes.version:
            compiled = self._compiled = CompiledRoutes(self._served(), self._routes.version)
        return compiled

    def _served(self) -> Sequence[BaseRoute]:
        """The routes served, in order: the unlisted own ones, then ``routes``."""
        return [*self._own_routes, *self._routes] if self._own_routes else self._routes

    def match(self, scope: Scope) -> tuple[Match, BaseRoute | None, Scope]:
        """Find the route for ``scope`` (first full match, else first partial).

        Args:
            scope: An HTTP or WebSocket scope.

        Returns:
            ``(match, route, child_scope)``; ``(Match.NONE, None, {})`` if nothing matches.
        """
        compiled = self._table()
        tries: Sequence[tuple[int, Any, dict[str, Any] | None]]
        tries = compiled.table.candidates(get_route_path(scope))
        if compiled.fallback:
            # Fallback routes (params None) in declaration order among the
            # candidates; both lists are short, both already sorted.
            tries = sorted([*tries, *compiled.fallback], key=_DECLARED_AT)
        # PERF: one loop for both cases; a table-only router (the usual case)
        # pays one ``is None`` test per candidate for the merge.
        partial: tuple[BaseRoute, Scope] | None = None
        others: list[BaseRoute] | None = None  # PERF: no list unless two routes half-match
        for _, route, params in tries:
            if params is None:  # a fallback route: matched by itself
                match, child_scope = route.matches(scope)
            else:  # a table candidate: the table already parsed its path
                match, child_scope = route.match_params(scope, params)
            if match is _FULL:
                return match, route, child_scope
            if match is _PARTIAL:
                if partial is None:
                    partial = (route, child_scope)
                elif others is None:
                    others = [route]
                else:
                    others.append(route)
        if partial is not None:
            route, child_scope = partial
            if others:
                child_scope = {**child_scope, ALLOW_KEY: allowed_methods([route, *others])}
            return _PARTIAL, route, child_scope
        return _NONE, None, {}

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Dispatch one scope: lifespan, a matching route, a redirect or ``default``."""
        scope_type = scope["type"]
        if "router" not in scope:
            scope["router"] = self
        if scope_type == "lifespan":
            await self.lifespan(scope, receive, send)
            return
        if scope_type not in ("http", "websocket"):
            raise ValueError(f"Unsupported scope type {scope_type!r}")
        _, route, child_scope = self.match(scope)
        if route is not None:
            scope.update(child_scope)
            await route.handle(scope, receive, send)
            return
        await self._unmatched(scope, receive, send)

    def is_native(self) -> bool:
        """Whether :meth:`native_http` may stand in for this router's ASGI entry.

        Not when the router has middleware of its own, nor when a subclass
        redefines how it dispatches (rule 2 of ``zephyr._native``).
        """
        return router_is_native(self)

    def native_http(
        self, scope: Scope, receive: Receive, send: Send, respond: Respond
    ) -> Awaitable[None]:
        """Dispatch one HTTP request from zephyr's server (ASGI plus ``respond``).

        A route with a ``native_app`` gets ``respond`` too; every other case
        (no match, wrong method, mounts, plain ASGI routes) is served as
        :meth:`app` serves it.

        Returns:
            The awaitable serving the request.
        """
        # PERF: a plain function returning the route's coroutine: one
        # coroutine frame fewer per request than awaiting it here.
        if self._wrapped:
            return self.middleware_stack(scope, receive, send)
        if "router" not in scope:
            scope["router"] = self
        match, route, child_scope = self.match(scope)
        if route is None:
            return self._unmatched(scope, receive, send)
        scope.update(child_scope)
        native = route.native_app
        # Rule 5 of ``zephyr._native``: ``native_app`` is the route's own ASGI
        # app taking ``respond`` too; if something replaced ``route.app``
        # since, that replacement must run.
        if native is not None and match is _FULL and native is route.app:  # type: ignore[attr-defined]
            return native(scope, receive, send, respond)
        return route.handle(scope, receive, send)

    async def _unmatched(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer a scope no route matched: the trailing-slash redirect or ``default``."""
        route_path = get_route_path(scope)
        if scope["type"] == "http" and self.redirect_slashes and route_path != "/":
            path: str = scope["path"]
            # Decided on the route path: ``path == root_path`` ("" below it)
            # is redirected to ``root_path + "/"``.
            other_path = path[:-1] if route_path.endswith("/") else path + "/"
            if self.match({**scope, "path": other_path})[0] is not _NONE:
                response = RedirectResponse(redirect_location(scope, other_path))
                await response(scope, receive, send)
                return
        await self.default(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        """Build the path of the route named ``name`` (``"mount:route"`` when nested).

        Args:
            name: The route name.
            **path_params: Values for the route's path parameters (all of them).

        Returns:
            A ``URLPath`` (a ``str``) carrying the protocol and host, if any.

        Raises:
            NoMatchFound: If no route has that name and exactly those parameters.
        """
        for route in self._served():
            try:
                return route.url_path_for(name, **path_params)
            except NoMatchFound:
                pass
        raise NoMatchFound(name, path_params)

    def mount(self, path: str, app: ASGIApp, name: str | None = None) -> None:
        """Append a ``Mount(path, app=app, name=name)``."""
        self._routes.append(Mount(path, app=app, name=name))

    def host(self, host: str, app: ASGIApp, name: str | None = None) -> None:
        """Append a ``Host(host, app=app, name=name)``."""
        self._routes.append(Host(host, app=app, name=name))

    def add_route(
        self,
        path: str,
        endpoint: Callable[..., Any],
        methods: Collection[str] | None = None,
        name: str | None = None,
        include_in_schema: bool = True,
    ) -> None:
        """Append a ``Route`` (see :class:`Route` for the arguments)."""
        route = Route(
            path, endpoint, methods=methods, name=name, include_in_schema=include_in_schema
        )
        self._routes.append(route)

    def route(
        self,
        path: str,
        methods: Collection[str] | None = None,
        name: str | None = None,
        include_in_schema: bool = True,
    ) -> Callable[[T], T]:
        """Decorator form of :meth:`add_route` (kept for porting older code)."""

        def decorator(func: T) -> T:
            self.add_route(path, func, methods, name, include_in_schema)  # type: ignore[arg-type]
            return func

        return decorator

    def add_websocket_route(
        self, path: str, endpoint: Callable[..., Any], name: str | None = None
    ) -> None:
        """Append a ``WebSocketRoute`` (see :class:`WebSocketRoute` for the arguments)."""
        self._routes.append(WebSocketRoute(path, endpoint, name=name))

    def websocket_route(self, path: str, name: str | None = None) -> Callable[[T], T]:
        """Decorator form of :meth:`add_websocket_route`."""

        def decorator(func: T) -> T:
            self.add_websocket_route(path, func, name=name)  # type: ignore[arg-type]
            return func

        return decorator

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Router) and self.routes == other.routes

    __hash__ = object.__hash__


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


# The API layer's routes, importable from here as FastAPI code expects, by module.
_LAZY_NAMES = {
    "APIRoute": "zephyr._api.route",
    "APIRouter": "zephyr._api.routing",
    "APIWebSocketRoute": "zephyr._api.routing",
    "get_request_handler": "zephyr._api.handler",
    "_IncludedRouter": "zephyr._api.routing",
}


def __getattr__(name: str) -> Any:
    """Expose names defined in sibling modules here on first use (PEP 562).

    FastAPI code imports ``APIRoute``/``APIRouter`` from ``routing``; loading
    them lazily keeps the toolkit router free of the Pydantic import (the
    API layer sits above this module and imports it).
    """
    module = _LAZY_NAMES.get(name)
    if module is None:
        raise AttributeError(f"module 'zephyr.routing' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
