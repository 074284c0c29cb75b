"""Route primitives: ``BaseRoute``, ``Route``, match results and path templates.

The layer below :mod:`zephyr.routing`: ``Route`` and the pieces every route
kind shares (``Mount``/``Host`` and the ``Router`` in ``routing.py``, the
WebSocket route in ``_websocket_routing.py``), so those modules import this
one and none of them imports another in a circle. Everything public here is
importable from :mod:`zephyr.routing`.
"""

from __future__ import annotations

import enum
import functools
import inspect
import re
from collections.abc import Awaitable, Callable, Collection, Iterable, Sequence
from typing import Any, TypeVar
from urllib.parse import quote

from zephyr._body_limit import LimitedApp, check_declared_length, check_max_body_size
from zephyr._exception_handlers import RAISING_REQUEST_KEY, wrap_route_middleware
from zephyr._native import deliver, route_takes_respond
from zephyr._routetree import PARAM_REGEX
from zephyr.concurrency import run_in_threadpool
from zephyr.convertors import CONVERTOR_TYPES, Convertor
from zephyr.datastructures import URL, URLPath
from zephyr.exceptions import HTTPException
from zephyr.middleware import Middleware
from zephyr.requests import Request
from zephyr.responses import PlainTextResponse, Response
from zephyr.types import ASGIApp, NativeHTTPApp, Receive, Respond, Scope, Send

__all__ = [
    "FULL",
    "NONE",
    "PARTIAL",
    "BaseRoute",
    "Match",
    "NoMatchFound",
    "Route",
    "compile_path",
    "get_name",
    "get_route_path",
    "is_async_callable",
    "is_function",
    "redirect_location",
    "replace_params",
    "request_response",
    "served_by",
]

F = TypeVar("F", bound=Callable[..., Any])

_SERVED_BY = "_zephyr_served_by"


def served_by(func: F, app: Callable[[], ASGIApp]) -> F:
    """Mark a ``request -> response`` handler that an app of its own already serves.

    An API route's handler (``route.get_route_handler()``) does what the
    route's own app does; code written for FastAPI rebuilds a route with
    ``route.app = request_response(route.get_route_handler())``. For a
    handler marked here, :func:`request_response` gives back ``app()``
    (the route's app as it stands: its body limits, its ``yield``
    dependencies' exit stack, zephyr's native entry) instead of a second
    wrapper around the same work. A handler wrapped by other code is wrapped
    as any other (also one that copied the mark with ``functools.wraps``).

    Args:
        func: The handler.
        app: Returns the ASGI app serving it, when asked.

    Returns:
        ``func`` itself, marked.
    """
    # The handler itself is kept with the mark: ``functools.wraps`` copies
    # ``__dict__`` onto a wrapper, which must not pass for the handler.
    setattr(func, _SERVED_BY, (func, app))
    return func


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
FULL, PARTIAL, NONE = Match.FULL, Match.PARTIAL, Match.NONE


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


def is_function(endpoint: Any) -> bool:
    while isinstance(endpoint, functools.partial):
        endpoint = endpoint.func
    return inspect.isfunction(endpoint) or inspect.ismethod(endpoint)


def is_async_callable(obj: Any) -> bool:
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
        An ASGI app calling ``func`` once per request; for a handler marked
        with :func:`served_by`, the app that serves it.
    """
    served: tuple[Any, Callable[[], ASGIApp]] | None = getattr(func, _SERVED_BY, None)
    if served is not None and served[0] is func:
        return served[1]()
    is_async = is_async_callable(func)

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


def allowed_methods(routes: Iterable[BaseRoute]) -> list[str]:
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
        if match is NONE:
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
            return NONE, {}
        match = self.path_regex.fullmatch(get_route_path(scope))
        if match is None:
            return NONE, {}
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
        if is_function(endpoint):
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
            return NONE, {}
        outer = scope.get("path_params")
        if outer:
            path_params = {**outer, **path_params}
        child_scope = {"endpoint": self.endpoint, "path_params": path_params, "route": self}
        if self.methods is not None and scope["method"] not in self.methods:
            return PARTIAL, child_scope
        return FULL, child_scope

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


def redirect_location(scope: Scope, path: str) -> str:
    """Build the trailing-slash redirect's ``Location``: the request's URL with another path.

    Absolute, as Starlette's and FastAPI's (scheme and Host header, or the
    ``server``, from the scope; the query string kept), so a proxy's
    ``X-Forwarded-Proto`` reaches the client. An absolute URL names its host,
    so a path such as ``//evil.example/`` stays a path of this host; without a
    Host header or ``server`` the URL is relative and that path is defused
    (``datastructures.URL``).

    Args:
        scope: The HTTP scope being redirected.
        path: The new decoded path (``root_path`` included).

    Returns:
        The URL, path percent-encoded (a literal ``%`` too).
    """
    quoted = quote(path, safe="/:@!$&'()*+,;=-._~")
    return str(URL(scope={**scope, "path": quoted}))
