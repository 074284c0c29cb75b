"""Validation exceptions of the API layer (request and response validation)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = [
    "DependencyScopeError",
    "PydanticV1NotSupportedError",
    "RequestValidationError",
    "ResponseValidationError",
    "ValidationException",
    "WebSocketRequestValidationError",
    "ZephyrDeprecationWarning",
    "ZephyrError",
]


class ZephyrError(RuntimeError):
    """A misuse of the API layer that zephyr detects (for example while compiling a route)."""


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


class ValidationException(Exception):
    """Base of validation failures.

    Args:
        errors: Error dicts ``{"type", "loc", "msg", "input", "ctx"?}``.
    """

    def __init__(self, errors: Sequence[Any]) -> None:
        self._errors = errors

    def errors(self) -> Sequence[Any]:
        """Return the error dicts."""
        return self._errors

    def __str__(self) -> str:
        lines = [f"{len(self._errors)} validation error(s):"]
        lines.extend(f"  {error}" for error in self._errors)
        return "\n".join(lines)


class RequestValidationError(ValidationException):
    """The request's parameters or body did not validate (answered with 422).

    Args:
        errors: Error dicts with ``loc`` starting with the location
            (``"query"``, ``"body"``...).
        body: The received body (parsed JSON, form or raw), if any.
    """

    def __init__(self, errors: Sequence[Any], *, body: Any = None) -> None:
        super().__init__(errors)
        self.body = body


class WebSocketRequestValidationError(ValidationException):
    """A WebSocket endpoint's parameters did not validate (closed with 1008)."""


class ResponseValidationError(ValidationException):
    """An endpoint's return value did not match its response model (a server bug: 500).

    Args:
        errors: Error dicts with ``loc`` starting with ``"response"``.
        body: The value the endpoint returned.
    """

    def __init__(self, errors: Sequence[Any], *, body: Any = None) -> None:
        super().__init__(errors)
        self.body = body
