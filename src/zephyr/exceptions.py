"""HTTP and WebSocket exceptions raised by application code and turned into responses."""

from __future__ import annotations

import http
from collections.abc import Mapping

# FastAPI apps import the validation errors from here (``fastapi.exceptions``).
from zephyr.api_exceptions import (
    RequestValidationError,
    ResponseValidationError,
    ValidationException,
    WebSocketRequestValidationError,
    ZephyrDeprecationWarning,
)

__all__ = [
    "HTTPException",
    "RequestValidationError",
    "ResponseValidationError",
    "ValidationException",
    "WebSocketException",
    "WebSocketRequestValidationError",
    "ZephyrDeprecationWarning",
]


class HTTPException(Exception):
    """Abort a request with an HTTP error status.

    Args:
        status_code: The HTTP status (RFC 9110 section 15), e.g. ``404``.
        detail: A message for the client; defaults to the status phrase
            (``"Not Found"``). FastAPI allows any JSON-able value here.
        headers: Extra response headers, or ``None``.
    """

    def __init__(
        self,
        status_code: int,
        detail: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if detail is None:
            detail = _status_phrase(status_code)
        self.status_code = status_code
        self.detail = detail
        self.headers = headers

    def __str__(self) -> str:
        return f"{self.status_code}: {self.detail}"

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__name__}(status_code={self.status_code!r}, detail={self.detail!r})"
        )


class WebSocketException(Exception):
    """Close a WebSocket with a close code.

    Args:
        code: The close code (RFC 6455 section 7.4), e.g. ``1008``.
        reason: A short reason sent with the close frame (default ``""``).
    """

    def __init__(self, code: int, reason: str | None = None) -> None:
        self.code = code
        self.reason = reason or ""

    def __str__(self) -> str:
        return f"{self.code}: {self.reason}"

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(code={self.code!r}, reason={self.reason!r})"


def _status_phrase(status_code: int) -> str:
    try:
        return http.HTTPStatus(status_code).phrase
    except ValueError:
        return ""
