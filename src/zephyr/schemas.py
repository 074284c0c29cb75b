"""``SchemaGenerator``: an OpenAPI document from the routes' docstrings (Starlette's ``schemas``).

For a plain toolkit app (a FastAPI-style app has its typed ``/openapi.json``
already): each endpoint's docstring may carry a YAML operation object, after a
``---`` line when prose comes first::

    async def list_users(request):
        \"\"\"
        responses:
          200:
            description: A list of users.
        \"\"\"

``get_schema(routes)`` walks routes, mounts (their path prefixes the
operations) and hosts, skips WebSocket routes, ``include_in_schema=False``
routes and ``HEAD``, and keeps ``QUERY`` operations only for OpenAPI 3.2 or
later (the first version that defines them). ``OpenAPIResponse`` serves the
document as YAML. Requires PyYAML.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple

from zephyr.endpoints import HTTPEndpoint
from zephyr.requests import Request
from zephyr.responses import Response
from zephyr.routing import BaseRoute, Host, Mount, Route

try:
    import yaml
except ModuleNotFoundError:  # pragma: no cover - depends on the install
    yaml = None

__all__ = ["BaseSchemaGenerator", "EndpointInfo", "OpenAPIResponse", "SchemaGenerator"]

_CONVERTOR = re.compile(r"\{([^:{}]+):[^{}]+\}")  # "{id:int}" -> "{id}"
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace", "query")


def _require_yaml() -> Any:
    if yaml is None:
        raise ImportError("zephyr.schemas requires PyYAML: pip install pyyaml")
    return yaml


class OpenAPIResponse(Response):
    """A response holding an OpenAPI document rendered as YAML.

    Args:
        content: The document (a dict).
    """

    media_type = "application/vnd.oai.openapi"

    def render(self, content: Any) -> bytes:
        assert isinstance(content, dict), "The schema passed to OpenAPIResponse should be a dict."
        dumped: bytes = _require_yaml().dump(content, default_flow_style=False).encode("utf-8")
        return dumped


class EndpointInfo(NamedTuple):
    """One operation: its path (convertors removed), lower-case method and handler."""

    path: str
    http_method: str
    func: Callable[..., Any]


class BaseSchemaGenerator:
    """Walks routes into :class:`EndpointInfo` and reads operation YAML from docstrings."""

    def get_schema(self, routes: list[BaseRoute]) -> dict[str, Any]:
        """Return the OpenAPI document for ``routes`` (subclasses decide the frame)."""
        raise NotImplementedError()

    def get_endpoints(self, routes: Iterable[BaseRoute]) -> list[EndpointInfo]:
        """List every documented-able HTTP operation under ``routes``.

        Args:
            routes: Routes, mounts and hosts, walked recursively.

        Returns:
            One entry per (path, method), ``HEAD`` left out.
        """
        found: list[EndpointInfo] = []
        for route in routes:
            if isinstance(route, Mount | Host):
                prefix = route.path if isinstance(route, Mount) else ""
                inner = self.get_endpoints(route.routes or [])
                found.extend(sub._replace(path=prefix + sub.path) for sub in inner)
            elif isinstance(route, Route) and route.include_in_schema:
                found.extend(_route_endpoints(route))
        return found

    def parse_docstring(self, func_or_method: Callable[..., Any]) -> dict[str, Any]:
        """Return the YAML operation object of a docstring (``{}`` when it has none)."""
        docstring = func_or_method.__doc__
        if not docstring:
            return {}
        text = docstring.split("---")[-1]
        parsed = _require_yaml().safe_load(inspect.cleandoc(text))
        return parsed if isinstance(parsed, dict) else {}

    def OpenAPIResponse(self, request: Request) -> Response:  # Starlette's name
        """Serve this generator's document for the app that received ``request``."""
        routes = request.app.routes
        return OpenAPIResponse(self.get_schema(routes=routes))


class SchemaGenerator(BaseSchemaGenerator):
    """Build an OpenAPI document from ``base_schema`` plus the routes' docstrings.

    Args:
        base_schema: The document's frame: ``openapi`` (version), ``info``...
    """

    def __init__(self, base_schema: Mapping[str, Any]) -> None:
        self.base_schema = base_schema

    def get_schema(self, routes: list[BaseRoute]) -> dict[str, Any]:
        """Return ``base_schema`` with ``paths`` filled from ``routes``."""
        schema = dict(self.base_schema)
        schema.setdefault("paths", {})
        allow_query = _version(str(schema.get("openapi", "3.0.0"))) >= (3, 2)
        for endpoint in self.get_endpoints(routes):
            if endpoint.http_method == "query" and not allow_query:
                continue
            operation = self.parse_docstring(endpoint.func)
            if operation:
                schema["paths"].setdefault(endpoint.path, {})[endpoint.http_method] = operation
        return schema


def _route_endpoints(route: Route) -> list[EndpointInfo]:
    path = _CONVERTOR.sub(r"{\1}", route.path)
    endpoint = route.endpoint
    if inspect.isclass(endpoint) and issubclass(endpoint, HTTPEndpoint):
        return [
            EndpointInfo(path, method, getattr(endpoint, method))
            for method in _METHODS
            if method != "head" and hasattr(endpoint, method)
        ]
    methods = [m.lower() for m in route.methods or ("GET",)]
    return [EndpointInfo(path, m, endpoint) for m in methods if m != "head"]


def _version(text: str) -> tuple[int, ...]:
    parts = []
    for piece in text.split(".")[:2]:
        digits = re.match(r"\d+", piece)
        parts.append(int(digits.group()) if digits else 0)
    return tuple(parts)
