"""``OpenTelemetryMiddleware``: one server span per HTTP request, named after its route.

The span follows OpenTelemetry's HTTP semantic conventions: it is named
``"{method} {route}"`` (``"GET /users/{username}"``, the route's *template*,
so every user shares one name), carries ``http.request.method``,
``http.route``, ``url.*``, ``server.*``, ``client.*``,
``network.protocol.version``, ``user_agent.original`` and
``http.response.status_code``, continues a trace the client propagated
(``traceparent``), and is marked as an error for an exception (recorded as
an event) or a 5xx status (``error.type``).

The route is known only after routing, further in: routes leave it in the
scope (``scope["route"]``, and each ``Mount`` its template prefix), and the
middleware reads it when the app is done, so nothing is matched twice.

Only the outermost instance traces a request: a mounted sub-application
with its own instance, or the same middleware listed twice, adds no second
span (and an excluded URL stays excluded inside). WebSocket and lifespan
scopes pass through untraced. Requires the ``opentelemetry-api`` package;
spans go wherever the configured tracer provider sends them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from zephyr.routing import ROUTE_PREFIX_SCOPE_KEY
from zephyr.types import ASGIApp, Message, Receive, Scope, Send

try:
    from opentelemetry import propagate, trace
except ModuleNotFoundError:  # pragma: no cover - depends on the install
    propagate = trace = None  # type: ignore[assignment]

__all__ = ["ROUTE_PREFIX_SCOPE_KEY", "OpenTelemetryMiddleware"]

_TRACED_SCOPE_KEY = "zephyr.opentelemetry"  # set by the instance that owns the request

# Methods the semantic conventions name; any other is reported as "_OTHER".
_KNOWN_METHODS = frozenset(
    {"CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "QUERY", "TRACE"}
)


class OpenTelemetryMiddleware:
    """Trace every HTTP request as an OpenTelemetry server span.

    Args:
        app: The wrapped ASGI app.
        tracer_provider: Where spans go. Default: the global provider,
            looked up per request (so one configured after the app was
            built is still used).
        meter_provider: Accepted for the metrics instruments; unused while
            zephyr records traces only.
        excluded_urls: Regular expressions searched in the full request URL
            (``"http://host/health?x=1"``); a match is not traced. A list,
            or one string of comma-separated expressions.

    Raises:
        ImportError: ``opentelemetry-api`` is not installed.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        tracer_provider: Any = None,
        meter_provider: Any = None,
        excluded_urls: str | Sequence[str] | None = None,
    ) -> None:
        if trace is None:
            raise ImportError(
                "OpenTelemetryMiddleware requires opentelemetry-api: pip install opentelemetry-api"
            )
        self.app = app
        self.tracer_provider = tracer_provider
        self.meter_provider = meter_provider
        if isinstance(excluded_urls, str):
            excluded_urls = [p.strip() for p in excluded_urls.split(",")]
        self.excluded_urls = [re.compile(p) for p in excluded_urls or () if p]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _TRACED_SCOPE_KEY in scope:
            await self.app(scope, receive, send)
            return
        scope[_TRACED_SCOPE_KEY] = True  # inner instances (and shallow copies) see it
        try:
            provider = self.tracer_provider or trace.get_tracer_provider()
            if isinstance(provider, trace.NoOpTracerProvider) or self._excluded(scope):
                await self.app(scope, receive, send)
            else:
                await self._traced(provider.get_tracer("zephyr"), scope, receive, send)
        finally:
            del scope[_TRACED_SCOPE_KEY]  # a scope dict used again is a new request

    def _excluded(self, scope: Scope) -> bool:
        if not self.excluded_urls:
            return False
        url = _full_url(scope)
        return any(pattern.search(url) for pattern in self.excluded_urls)

    async def _traced(self, tracer: Any, scope: Scope, receive: Receive, send: Send) -> None:
        headers = _header_dict(scope)
        method, attributes = _request_attributes(scope, headers)
        status: list[int] = []

        async def send_recording_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        with tracer.start_as_current_span(
            method,
            context=propagate.extract(headers),
            kind=trace.SpanKind.SERVER,
            attributes=attributes,
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            try:
                await self.app(scope, receive, send_recording_status)
            except BaseException as exc:
                span.record_exception(exc)
                span.set_attribute("error.type", type(exc).__qualname__)
                span.set_status(trace.Status(trace.StatusCode.ERROR, str(exc)))
                raise
            finally:
                route = _route_template(scope)
                if route is not None:
                    span.set_attribute("http.route", route)
                    span.update_name(f"{method} {route}")
                if status:
                    span.set_attribute("http.response.status_code", status[0])
            if status and status[0] >= 500:
                span.set_attribute("error.type", str(status[0]))
                span.set_status(trace.Status(trace.StatusCode.ERROR))


def _header_dict(scope: Scope) -> dict[str, str]:
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope.get("headers", ()):
        name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
        headers[name] = f"{headers[name]},{value}" if name in headers else value
    return headers


def _request_attributes(scope: Scope, headers: dict[str, str]) -> tuple[str, dict[str, Any]]:
    original = scope.get("method", "GET")
    method = original.upper()
    if method not in _KNOWN_METHODS:
        method = "_OTHER"
    attributes: dict[str, Any] = {
        "http.request.method": method,
        "url.path": scope.get("path", "/"),
        "url.scheme": scope.get("scheme", "http"),
    }
    if original != method:
        attributes["http.request.method_original"] = original
    query = scope.get("query_string", b"")
    if query:
        attributes["url.query"] = query.decode("latin-1")
    server = scope.get("server")
    if server:
        attributes["server.address"] = server[0]
        if server[1] is not None:
            attributes["server.port"] = server[1]
    client = scope.get("client")
    if client:
        attributes["client.address"], attributes["client.port"] = client[0], client[1]
    if "http_version" in scope:
        attributes["network.protocol.version"] = scope["http_version"]
    if "user-agent" in headers:
        attributes["user_agent.original"] = headers["user-agent"]
    return method, attributes


def _route_template(scope: Scope) -> str | None:
    """The matched path template: mount prefixes plus the route's own path."""
    prefix: str = scope.get(ROUTE_PREFIX_SCOPE_KEY, "")
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str):
        return prefix + path
    return prefix or None


def _full_url(scope: Scope) -> str:
    host = _header_dict(scope).get("host")
    if host is None:
        server = scope.get("server") or ("", None)
        host = server[0] if server[1] is None else f"{server[0]}:{server[1]}"
    query = scope.get("query_string", b"").decode("latin-1")
    url = f"{scope.get('scheme', 'http')}://{host}{scope['path']}"  # path includes root_path
    return f"{url}?{query}" if query else url
