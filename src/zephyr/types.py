"""ASGI 3 type aliases shared by the server, the toolkit and the API layer.

The shapes follow the ASGI 3.0 specification (HTTP 2.4, WebSocket 2.4,
lifespan 2.0): a *scope* is a dict describing one connection, *receive* is an
awaitable callable yielding event dicts, *send* is an awaitable callable
taking event dicts.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, MutableMapping
from contextlib import AbstractAsyncContextManager
from typing import Any, TypeVar

AppType = TypeVar("AppType")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]

Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

StatelessLifespan = Callable[[AppType], AbstractAsyncContextManager[None]]
StatefulLifespan = Callable[[AppType], AbstractAsyncContextManager[Mapping[str, Any]]]
Lifespan = StatelessLifespan[AppType] | StatefulLifespan[AppType]
LifespanGenerator = Callable[[AppType], AsyncIterator[Any]]

ExceptionHandler = Callable[..., Any]
"""``(request_or_websocket, exc) -> Response | Awaitable[Response] | None``."""
