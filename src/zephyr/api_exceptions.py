"""Validation exceptions of the API layer (request and response validation)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypedDict

__all__ = [
    "DependencyScopeError",
    "EndpointContext",
    "InvalidParameterError",
    "PydanticV1NotSupportedError",
    "RequestValidationError",
    "ResponseValidationError",
    "ValidationException",
    "WebSocketRequestValidationError",
    "ZephyrDeprecationWarning",
    "ZephyrError",
    "endpoint_context",
]


class ZephyrError(RuntimeError):
    """A misuse of the API layer that zephyr detects (for example while compiling a route)."""


class InvalidParameterError(ZephyrError, AssertionError):
    """A route declares a parameter its location cannot carry (a model as a path segment).

    Also an ``AssertionError``, as FastAPI reports these with ``assert``, so
    code that catches that keeps working.
    """


class PydanticV1NotSupportedError(ZephyrError):
    """A ``pydantic.v1`` model was used where zephyr needs a Pydantic v2 model."""


class ZephyrDeprecationWarning(UserWarning):
    """A deprecated API-layer feature was used (``Query(regex=...)``, ``example=``...).

    A ``UserWarning`` rather than a ``DeprecationWarning``: Python hides the
    latter by default outside ``__main__``, so users of a library would never
    see it. (``fastapi.exceptions.FastAPIDeprecationWarning`` under compat.)
    """


class DependencyScopeError(ZephyrError):
    """A dependency needs something its scope can't provide.

    For example a ``Depends(..., scope="lifespan")`` dependency (created once
    at startup) reading a query parameter or the ``Request``.
    """


class EndpointContext(TypedDict, total=False):
    """Where a validation error happened, for its message (every key optional).

    Keys:
        file: The endpoint's source file.
        line: The line its definition starts on.
        function: Its name.
        path: The operation, e.g. ``"GET /users/{user_id}"``.
    """

    file: str
    line: int
    function: str
    path: str


def endpoint_context(endpoint: Callable[..., Any], path: str) -> EndpointContext:
    """Describe ``endpoint`` for a validation error raised while serving ``path``.

    Only called once an error happened: reads the code object, no source.

    Args:
        endpoint: The route's endpoint (wrappers are followed via ``__wrapped__``).
        path: The operation as the client asked for it, e.g. ``"GET /items/"``.

    Returns:
        An ``EndpointContext``; ``file``/``line`` are left out when the callable
        has no Python code object (a builtin, a callable instance).
    """
    while hasattr(endpoint, "__wrapped__"):
        endpoint = endpoint.__wrapped__
    context = EndpointContext(path=path)
    name = getattr(endpoint, "__qualname__", None) or getattr(endpoint, "__name__", None)
    if name:
        context["function"] = name
    code = getattr(endpoint, "__code__", None)
    if code is not None:
        context["file"] = code.co_filename
        context["line"] = code.co_firstlineno
    return context


class ValidationException(Exception):
    """Base of validation failures.

    Args:
        errors: Error dicts ``{"type", "loc", "msg", "input", "ctx"?}``.
        endpoint_ctx: Where it happened (see ``EndpointContext``), shown by
            ``str()``; ``None`` or empty when unknown.
    """

    def __init__(
        self, errors: Sequence[Any], *, endpoint_ctx: EndpointContext | None = None
    ) -> None:
        self._errors = errors
        self.endpoint_ctx: EndpointContext = endpoint_ctx or {}

    def errors(self) -> Sequence[Any]:
        """Return the error dicts."""
        return self._errors

    def __str__(self) -> str:
        count = len(self._errors)
        lines = [f"{count} validation error{'' if count == 1 else 's'}:"]
        lines.extend(f"  {error}" for error in self._errors)
        ctx = self.endpoint_ctx
        if "file" in ctx:
            where = f'  File "{ctx["file"]}", line {ctx.get("line", "?")}'
            function = ctx.get("function")
            lines.append(f"{where}, in {function}" if function else where)
        elif "function" in ctx:
            lines.append(f"  In {ctx['function']}")
        if "path" in ctx:
            lines.append(f"  Endpoint: {ctx['path']}")
        return "\n".join(lines)


class RequestValidationError(ValidationException):
    """The request's parameters or body did not validate (answered with 422).

    Args:
        errors: Error dicts with ``loc`` starting with the location
            (``"query"``, ``"body"``...).
        body: The received body (parsed JSON, form or raw), if any.
        endpoint_ctx: Where it happened (see ``EndpointContext``).
    """

    def __init__(
        self,
        errors: Sequence[Any],
        *,
        body: Any = None,
        endpoint_ctx: EndpointContext | None = None,
    ) -> None:
        super().__init__(errors, endpoint_ctx=endpoint_ctx)
        self.body = body


class WebSocketRequestValidationError(ValidationException):
    """A WebSocket endpoint's parameters did not validate (closed with 1008)."""


class ResponseValidationError(ValidationException):
    """An endpoint's return value did not match its response model (a server bug: 500).

    Args:
        errors: Error dicts with ``loc`` starting with ``"response"``.
        body: The value the endpoint returned.
        endpoint_ctx: Where it happened (see ``EndpointContext``).
    """

    def __init__(
        self,
        errors: Sequence[Any],
        *,
        body: Any = None,
        endpoint_ctx: EndpointContext | None = None,
    ) -> None:
        super().__init__(errors, endpoint_ctx=endpoint_ctx)
        self.body = body
