"""Routing: ``Route`` and the ``Router`` that dispatches to routes.

Semantics follow the toolkit contract (Starlette's public API): routes are
tried in declaration order, the first one whose path *and* method match wins,
otherwise the first whose path matches answers 405, otherwise 404 (or a
trailing-slash redirect). The ``Router`` gets there without trying every
route: it compiles its route list into a :class:`~zephyr._routetree.RouteTable`
(static dict + segment tree) and only walks, in order, the routes the table
can't represent (mounts, hosts, unusual templates). ``Mount`` and ``Host``
live in :mod:`zephyr._mounts`, ``WebSocketRoute`` in
:mod:`zephyr._websocket_routing`; all are importable from here. Lifespan
handling lives in :mod:`zephyr._lifespan`; the router only delegates to it.
"""

from __future__ import annotations

import enum
import functools
import importlib
import inspect
import operator
import re
from collections.abc import Awaitable, Callable, Collection, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

from zephyr._body_limit import LimitedApp, check_declared_length, check_max_body_size
from zephyr._exception_handlers import RAISING_REQUEST_KEY, wrap_route_middleware
from zephyr._lifespan import LifespanMixin
from zephyr._native import deliver, route_takes_respond, router_is_native
from zephyr._routetree import PARAM_REGEX, CompiledRoutes, RouteList
from zephyr.concurrency import run_in_threadpool
from zephyr.convertors import CONVERTOR_TYPES, Convertor
from zephyr.datastructures import URLPath
from zephyr.exceptions import HTTPException
from zephyr.middleware import Middleware, wrap_middleware
from zephyr.requests import Request
from zephyr.responses import PlainTextResponse, RedirectResponse, Response
from zephyr.types import ASGIApp, NativeHTTPApp, Receive, Respond, Scope, Send

if TYPE_CHECKING:
    from zephyr._mounts import Host, Mount
    from zephyr._websocket_routing import WebSocketRoute, websocket_session

__all__ = [
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


class NoMatchFound(Exception):
    """Raised by ``url_path_for`` when no route has that name and those parameters.

    Args:
        name: The route name asked for (``"mount:route"`` for nested routes).
        path_params: The parameters given.
    """

    def __init__(self, name: str, path_params: dict[str, Any]) -> None:
        params = ", ".join(sorted(path_params))
        super().__init__(f'No route exists for name "{name}" and params "{params}".')


class Match(enum.Enum):
    """How well a route matches a scope: not at all, path only (wrong method), fully."""

    NONE = 0
    PARTIAL = 1
    FULL = 2


# PERF: module constants: reading ``Match.FULL`` goes through the enum
# class's attribute lookup (~55 ns); these are plain globals (~4 ns), and the
# router compares a few of them per request.
_FULL, _PARTIAL, _NONE = Match.FULL, Match.PARTIAL, Match.NONE
_DECLARED_AT = operator.itemgetter(0)  # a candidate's declaration index


def get_name(endpoint: Callable[..., Any]) -> str:
    """Return the default route name for an endpoint: its ``__name__`` or its class name."""
    return getattr(endpoint, "__name__", endpoint.__class__.__name__)


def get_route_path(scope: Scope) -> str:
    """Return the part of ``scope["path"]`` below ``scope["root_path"]``.

    Per ASGI, ``path`` includes ``root_path``; routes match what is below it.
    A ``path`` that doesn't start with ``root_path`` (some servers strip it
    themselves) is returned whole.

    Args:
        scope: An HTTP or WebSocket scope.

    Returns:
        The path routes are matched against; ``""`` when ``path == root_path``.
    """
    path: str = scope["path"]
    root_path: str = scope.get("root_path", "")
    if not root_path or not path.startswith(root_path):
        return path
    if len(path) == len(root_path):
        return ""
    if path[len(root_path)] == "/":
        return path[len(root_path) :]
    return path


def _is_function(endpoint: Any) -> bool:
    while isinstance(endpoint, functools.partial):
        endpoint = endpoint.func
    return inspect.isfunction(endpoint) or inspect.ismethod(endpoint)


def _is_async_callable(obj: Any) -> bool:
    while isinstance(obj, functools.partial):
        obj = obj.func
    call = obj if inspect.isroutine(obj) else type(obj).__call__
    return inspect.iscoroutinefunction(call)


def request_response(func: Callable[[Request], Awaitable[Response] | Response]) -> ASGIApp:
    """Wrap an endpoint taking a ``Request`` and returning a ``Response`` as an ASGI app.

    Args:
        func: ``(request) -> Response``; async functions are awaited, sync
            ones run in the thread pool (they may block).

    Returns:
        An ASGI app calling ``func`` once per request.
    """
    is_async = _is_async_callable(func)

    async def app(
        scope: Scope, receive: Receive, send: Send, respond: Respond | None = None
    ) -> None:
        # PERF: one dict lookup when no limit is in force (the usual case).
        check_declared_length(scope)
        request = Request(scope, receive, send)
        try:
            if is_async:
                response: Any = await func(request)  # type: ignore[misc]
            else:
                response = await run_in_threadpool(func, request)
        except Exception:
            # PERF: only on the way out of a raising endpoint (a ``try`` is free otherwise).
            scope[RAISING_REQUEST_KEY] = request
            raise
        pending = deliver(response, scope, receive, send, respond)
        if pending is not None:
            await pending

    return app


def compile_path(path: str) -> tuple[re.Pattern[str], str, dict[str, Convertor[Any]]]:
    """Compile a route template into a regex, a format string and its convertors.

    ``"/users/{id:int}"`` gives the regex ``^/users/(?P<id>[0-9]+)$``, the
    format ``"/users/{id}"`` and ``{"id": IntegerConvertor()}``. For ``Host``
    templates (no leading ``/``), a ``:port`` suffix is left out of the regex
    (the port doesn't take part in matching) but kept in the format.

    Args:
        path: The template; ``{name}`` or ``{name:convertor}`` placeholders.

    Returns:
        ``(regex, format, convertors)``.

    Raises:
        ValueError: On an unknown convertor or a duplicated parameter name.
    """
    is_host = not path.startswith("/")
    regex = "^"
    fmt = ""
    duplicated: set[str] = set()
    convertors: dict[str, Convertor[Any]] = {}
    index = 0
    for match in PARAM_REGEX.finditer(path):
        name, key = match.groups("str")
        key = key.lstrip(":")
        convertor = CONVERTOR_TYPES.get(key)
        if convertor is None:
            raise ValueError(f"Unknown path convertor '{key}' in {path!r}")
        regex += re.escape(path[index : match.start()]) + f"(?P<{name}>{convertor.regex})"
        fmt += path[index : match.start()] + "{" + name + "}"
        if name in convertors:
            duplicated.add(name)
        convertors[name] = convertor
        index = match.end()
    if duplicated:
        names = ", ".join(sorted(duplicated))
        noun = "name" if len(duplicated) == 1 else "names"
        raise ValueError(f"Duplicated param {noun} {names} at path {path}")
    tail = path[index:]
    if is_host:
        # Drop a ":port" suffix, but not the colons inside an IP literal ("[::1]:8000").
        colon = tail.find(":", tail.rfind("]") + 1)
        regex += re.escape(tail if colon < 0 else tail[:colon]) + "$"
    else:
        regex += re.escape(tail) + "$"
    return re.compile(regex), fmt + tail, convertors


# A ``{name}`` placeholder of a compiled path format (convertor already stripped).
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


def replace_params(
    path_format: str, convertors: dict[str, Convertor[Any]], path_params: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    """Fill ``{name}`` placeholders; return the path and the params left unused.

    The template is filled in one pass, so a value that looks like a
    placeholder (``"{id}"``) stays text. A path that would start with ``//``
    or ``/\\`` gets that second character percent-encoded: a client would
    read it as another host (``//example.org/a``), an open redirect.

    Args:
        path_format: The template, e.g. ``"/users/{id}"``.
        convertors: The convertor of each placeholder.
        path_params: Values by name; those the template has no placeholder for are left.

    Returns:
        ``(path, unused params)``.

    Raises:
        InvalidPathParam: A value its convertor cannot put in a path.
    """
    remaining = dict(path_params)

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in path_params:
            return match.group(0)
        del remaining[name]
        return convertors[name].to_string(path_params[name])

    path = _PLACEHOLDER.sub(fill, path_format)
    if path[1:2] in ("/", "\\") and path[:1] == "/":
        path = "/" + quote(path[1], safe="") + path[2:]
    return path, remaining


# Scope key: the methods of all the routes whose path matched but whose
# methods did not, set by ``Router.match`` when there are several such routes.
ALLOW_KEY = "zephyr.allowed_methods"


def _allowed(routes: Iterable[BaseRoute]) -> list[str]:
    """The methods of ``routes`` (those that list any), in order, each once."""
    methods: dict[str, None] = {}
    for route in routes:
        for method in getattr(route, "methods", None) or ():
            methods[method] = None
    return list(methods)


class BaseRoute:
    """Interface of everything a ``Router`` holds.

    Subclasses implement :meth:`matches`, :meth:`url_path_for` and
    :meth:`handle`. A route whose template the compiled table can represent
    returns it from :meth:`table_entry`; the router then calls
    :meth:`match_params` instead of :meth:`matches`.
    """

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        """Decide whether this route serves ``scope``.

        Returns:
            ``(match, child_scope)``; the router merges ``child_scope`` into
            the scope before calling :meth:`handle`.
        """
        raise NotImplementedError()  # pragma: no cover

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        """Build the path of the route called ``name``; raise ``NoMatchFound`` if not here."""
        raise NotImplementedError()  # pragma: no cover

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve a scope this route matched."""
        raise NotImplementedError()  # pragma: no cover

    native_app: NativeHTTPApp | None = None
    """Set by routes whose ``app`` also takes zephyr's ``respond``: :meth:`Router.native_http`
    calls it as ``(scope, receive, send, respond)`` for a full match, instead of
    :meth:`handle`, as long as it is still the route's ``app``."""

    def table_entry(self) -> tuple[str, dict[str, Convertor[Any]]] | None:
        """Return ``(template, convertors)`` if the compiled table may match this route."""
        return None

    def match_params(self, scope: Scope, path_params: dict[str, Any]) -> tuple[Match, Scope]:
        """Finish a match the table started: the path matched with ``path_params``."""
        raise NotImplementedError()  # pragma: no cover

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Use the route as a stand-alone ASGI app (404 if it doesn't match)."""
        match, child_scope = self.matches(scope)
        if match is _NONE:
            if scope["type"] == "http":
                await PlainTextResponse("Not Found", status_code=404)(scope, receive, send)
            elif scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1000, "reason": ""})
            return
        scope.update(child_scope)
        await self.handle(scope, receive, send)


class _TemplateRoute(BaseRoute):
    """One endpoint at a path template, for one ASGI scope type.

    What ``Route`` and ``WebSocketRoute`` share: template compilation, regex
    matching, the compiled-table entry and ``url_path_for``. Subclasses set
    ``_scope_type`` (also the ``URLPath`` protocol) and implement
    :meth:`match_params`, the method the router calls per request.
    """

    _scope_type = "http"
    # Documented-only operations (webhooks, callbacks) may have other "paths".
    _require_leading_slash = True

    def __init__(self, path: str, endpoint: Callable[..., Any], name: str | None) -> None:
        if self._require_leading_slash and not path.startswith("/"):
            raise ValueError("Routed paths must start with '/'")
        self.path = path
        self.endpoint = endpoint
        self.name = get_name(endpoint) if name is None else name
        self.app: ASGIApp = endpoint
        self.path_regex, self.path_format, self.param_convertors = compile_path(path)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != self._scope_type:
            return _NONE, {}
        match = self.path_regex.fullmatch(get_route_path(scope))
        if match is None:
            return _NONE, {}
        params = {
            name: self.param_convertors[name].convert(value)
            for name, value in match.groupdict().items()
        }
        return self.match_params(scope, params)

    def table_entry(self) -> tuple[str, dict[str, Convertor[Any]]] | None:
        # A subclass with its own ``matches`` must keep getting called.
        if type(self).matches is not _TemplateRoute.matches:
            return None
        return self.path, self.param_convertors

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        if name != self.name or set(path_params) != set(self.param_convertors):
            raise NoMatchFound(name, path_params)
        path, _ = replace_params(self.path_format, self.param_convertors, path_params)
        return URLPath(path=path, protocol=self._scope_type)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


class Route(_TemplateRoute):
    """An HTTP endpoint at a path template.

    Args:
        path: Template starting with ``/``, e.g. ``"/users/{id:int}"``.
        endpoint: A function ``(request) -> Response`` (async awaited, sync
            run in the thread pool), or an ASGI app / class called with
            ``(scope, receive, send)``.
        methods: Allowed methods; default ``["GET"]`` for functions (``HEAD``
            is added whenever ``GET`` is present), any method for ASGI apps.
        name: Name for ``url_path_for``; default the endpoint's ``__name__``.
        include_in_schema: Whether schema generators list the route.
        middleware: ``Middleware`` specs wrapped around this route only.
        max_body_size: Most request body bytes for this route (413 beyond),
            replacing the limit of the app, router or mount above; ``None`` inherits.

    Raises:
        ValueError: If ``path`` doesn't start with ``/`` or the template is invalid.
    """

    def __init__(
        self,
        path: str,
        endpoint: Callable[..., Any],
        *,
        methods: Collection[str] | None = None,
        name: str | None = None,
        include_in_schema: bool = True,
        middleware: Sequence[Middleware] | None = None,
        max_body_size: int | None = None,
    ) -> None:
        super().__init__(path, endpoint, name)
        self.include_in_schema = include_in_schema
        limit = check_max_body_size(max_body_size)
        if _is_function(endpoint):
            self.app = request_response(endpoint)
            if methods is None:
                methods = ["GET"]
            if route_takes_respond(self, bool(middleware) or limit is not None):
                self.native_app = self.app  # type: ignore[assignment]  # takes respond too
        if limit is not None:
            self.app = LimitedApp(self.app, limit, innermost=True)
        self.app = wrap_route_middleware(self.app, middleware)
        self.methods: list[str] | None = None
        if methods is not None:
            self.methods = []
            for method in methods:
                upper = method.upper()
                if upper not in self.methods:
                    self.methods.append(upper)
            if "GET" in self.methods and "HEAD" not in self.methods:
                self.methods.insert(self.methods.index("GET") + 1, "HEAD")

    def match_params(self, scope: Scope, path_params: dict[str, Any]) -> tuple[Match, Scope]:
        if scope["type"] != "http":
            return _NONE, {}
        outer = scope.get("path_params")
        if outer:
            path_params = {**outer, **path_params}
        child_scope = {"endpoint": self.endpoint, "path_params": path_params, "route": self}
        if self.methods is not None and scope["method"] not in self.methods:
            return _PARTIAL, child_scope
        return _FULL, child_scope

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.methods is not None and scope["method"] not in self.methods:
            # Every method of every route on this path, when the router found several.
            headers = {"Allow": ", ".join(scope.get(ALLOW_KEY) or self.methods)}
            if "app" in scope:
                raise HTTPException(status_code=405, headers=headers)
            response = PlainTextResponse("Method Not Allowed", status_code=405, headers=headers)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Route)
            and self.path == other.path
            and self.endpoint == other.endpoint
            and self.methods == other.methods
        )

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        methods = sorted(self.methods or [])
        return f"{type(self).__name__}(path={self.path!r}, name={self.name!r}, methods={methods!r})"


def _redirect_location(scope: Scope, path: str) -> str:
    """Build a same-origin ``Location`` from a path (never a ``//host`` reference)."""
    # A path like ``//evil.com/`` (or ``/\\evil.com``) would be read by browsers
    # as a network-path reference to another host: collapse the leading run.
    location = "/" + quote(path.lstrip("/\\"), safe="/:@!$&'()*+,;=-._~")
    query = scope.get("query_string", b"")
    if query:
        location += "?" + query.decode("latin-1")
    return location


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
        self._routes = routes if isinstance(routes, RouteList) else RouteList(routes)
        self._compiled = None

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
            compiled = self._compiled = CompiledRoutes(self._routes, self._routes.version)
        return compiled

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
                child_scope = {**child_scope, ALLOW_KEY: _allowed([route, *others])}
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
                response = RedirectResponse(_redirect_location(scope, other_path))
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
        for route in self.routes:
            try:
                return route.url_path_for(name, **path_params)
            except NoMatchFound:
                pass
        raise NoMatchFound(name, path_params)

    def mount(self, path: str, app: ASGIApp, name: str | None = None) -> None:
        """Append a ``Mount(path, app=app, name=name)``."""
        from zephyr._mounts import Mount

        self._routes.append(Mount(path, app=app, name=name))

    def host(self, host: str, app: ASGIApp, name: str | None = None) -> None:
        """Append a ``Host(host, app=app, name=name)``."""
        from zephyr._mounts import Host

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
        from zephyr._websocket_routing import WebSocketRoute

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


# Public names defined in sibling modules (which import this one), by module.
_LAZY_NAMES = {
    "Host": "zephyr._mounts",
    "Mount": "zephyr._mounts",
    "WebSocketRoute": "zephyr._websocket_routing",
    "websocket_session": "zephyr._websocket_routing",
    "APIRoute": "zephyr._api.routing",
    "APIRouter": "zephyr._api.routing",
    "APIWebSocketRoute": "zephyr._api.routing",
}


def __getattr__(name: str) -> Any:
    """Expose names defined in sibling modules here on first use (PEP 562).

    FastAPI code imports ``APIRoute``/``APIRouter`` from ``routing``; loading
    them lazily keeps the toolkit router free of the Pydantic import. The
    WebSocket route and ``Mount``/``Host`` live in their own modules (they
    import this one).
    """
    module = _LAZY_NAMES.get(name)
    if module is None:
        raise AttributeError(f"module 'zephyr.routing' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
