"""ASGI 3 type aliases shared by the server, the toolkit and the API layer.

The shapes follow the ASGI 3.0 specification (HTTP 2.4, WebSocket 2.4,
lifespan 2.0): a *scope* is a dict describing one connection, *receive* is an
awaitable callable yielding event dicts, *send* is an awaitable callable
taking event dicts.
"""

from __future__ import annotations

from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Mapping,
    MutableMapping,
)
from contextlib import AbstractAsyncContextManager
from typing import Any, TypeVar

AppType = TypeVar("AppType")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]

Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

Respond = Callable[[int, Iterable[tuple[bytes, bytes]], bytes | memoryview], None]
"""zephyr's native fast path: ``respond(status, headers, body)`` sends a whole
response at once, as ``http.response.start`` plus one final ``http.response.body``
would. Offered by zephyr's own server and by ``TestClient``."""

NativeHTTPApp = Callable[[Scope, Receive, Send, Respond], Awaitable[None]]
"""An app's native HTTP entry: ASGI's ``(scope, receive, send)`` plus ``respond``.

zephyr's server calls ``app.native_http`` instead of the ASGI callable when the
app has one; the app may answer with ``respond`` or with ASGI ``send`` events,
never both."""

StatelessLifespan = Callable[[AppType], AbstractAsyncContextManager[None]]
StatefulLifespan = Callable[[AppType], AbstractAsyncContextManager[Mapping[str, Any]]]
Lifespan = StatelessLifespan[AppType] | StatefulLifespan[AppType]
LifespanGenerator = Callable[[AppType], AsyncIterator[Any]]

ExceptionHandler = Callable[..., Any]
"""``(request_or_websocket, exc) -> Response | Awaitable[Response] | None``."""
