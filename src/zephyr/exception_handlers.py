"""Default exception handlers of the API layer (JSON error bodies)."""

from __future__ import annotations

import json
from typing import Any

from zephyr._nocontent import has_content
from zephyr.api_exceptions import RequestValidationError, WebSocketRequestValidationError
from zephyr.encoders import jsonable_encoder
from zephyr.exceptions import HTTPException
from zephyr.middleware.exceptions import close_reason
from zephyr.requests import Request
from zephyr.responses import JSONResponse, Response

__all__ = [
    "http_exception_handler",
    "request_validation_exception_handler",
    "websocket_request_validation_exception_handler",
]


async def http_exception_handler(request: Request, exc: Exception) -> Response:
    """Answer an ``HTTPException`` with ``{"detail": exc.detail}`` and its headers.

    Returns:
        A ``JSONResponse`` with the exception's status, or an empty
        ``Response`` for statuses that carry no content (1xx, 204, 205, 304).
    """
    assert isinstance(exc, HTTPException)
    headers = dict(exc.headers) if exc.headers else None
    if not has_content(exc.status_code):
        return Response(status_code=exc.status_code, headers=headers)
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)


async def request_validation_exception_handler(request: Request, exc: Exception) -> JSONResponse:
    """Answer a ``RequestValidationError`` with 422 ``{"detail": [errors...]}``."""
    assert isinstance(exc, RequestValidationError)
    return JSONResponse({"detail": jsonable_encoder(exc.errors())}, status_code=422)


async def websocket_request_validation_exception_handler(websocket: Any, exc: Exception) -> None:
    """Close the WebSocket with 1008 (policy violation), the errors as JSON reason.

    The reason is cut to the 123 bytes a close frame carries (RFC 6455 5.5.1).
    """
    assert isinstance(exc, WebSocketRequestValidationError)
    errors = json.dumps(jsonable_encoder(exc.errors()), separators=(",", ":"))
    await websocket.close(code=1008, reason=close_reason(errors))
