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
from typing import Any, Literal, NotRequired, TypedDict, TypeVar, cast

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


# -- typed ASGI events ---------------------------------------------------------
#
# The events of the ASGI 3 specification as TypedDicts (HTTP 2.4, WebSocket
# 2.4, lifespan 2.0). zephyr's server builds the scopes and the receive events
# with these types. ``Message`` stays a plain mapping, as in Starlette, so that
# user code typed against either accepts the other's callables; a TypedDict
# event is a dict at run time, hence a valid ``Message``.


class ASGIVersions(TypedDict):
    """The ``asgi`` key of every scope."""

    version: str
    spec_version: str


class _ConnectionScope(TypedDict):
    """The keys an ``http`` and a ``websocket`` scope share."""

    asgi: ASGIVersions
    http_version: str
    scheme: str
    path: str
    raw_path: bytes
    query_string: bytes
    root_path: str
    headers: list[tuple[bytes, bytes]]
    client: tuple[str, int] | None
    server: tuple[str, int | None] | None
    state: dict[str, Any]
    extensions: NotRequired[dict[str, dict[str, Any]]]


class HTTPScope(_ConnectionScope):
    """An ``http`` connection scope."""

    type: Literal["http"]
    method: str


class WebSocketScope(_ConnectionScope):
    """A ``websocket`` connection scope."""

    type: Literal["websocket"]
    subprotocols: list[str]


class LifespanScope(TypedDict):
    """The ``lifespan`` scope."""

    type: Literal["lifespan"]
    asgi: ASGIVersions
    state: NotRequired[dict[str, Any]]


class HTTPRequestEvent(TypedDict):
    """``http.request``: a piece of the request body."""

    type: Literal["http.request"]
    body: bytes
    more_body: bool


class HTTPDisconnectEvent(TypedDict):
    """``http.disconnect``: the response is complete or the client is gone."""

    type: Literal["http.disconnect"]


class HTTPResponseStartEvent(TypedDict):
    """``http.response.start``: status and headers."""

    type: Literal["http.response.start"]
    status: int
    headers: NotRequired[Iterable[tuple[bytes, bytes]]]
    trailers: NotRequired[bool]


class HTTPResponseBodyEvent(TypedDict):
    """``http.response.body``: a piece of the response body."""

    type: Literal["http.response.body"]
    body: NotRequired[bytes]
    more_body: NotRequired[bool]


class HTTPResponsePathsendEvent(TypedDict):
    """``http.response.pathsend``: the body is a whole file (ends the response)."""

    type: Literal["http.response.pathsend"]
    path: str


class SendfileEvent(TypedDict):
    """``zephyr.sendfile``: the body continues with a slice of a file."""

    type: Literal["zephyr.sendfile"]
    path: str
    offset: NotRequired[int]
    count: NotRequired[int | None]
    more_body: NotRequired[bool]


class WebSocketConnectEvent(TypedDict):
    """``websocket.connect``: the client asks to open the connection."""

    type: Literal["websocket.connect"]


class WebSocketAcceptEvent(TypedDict):
    """``websocket.accept``: the app opens the connection."""

    type: Literal["websocket.accept"]
    subprotocol: NotRequired[str | None]
    headers: NotRequired[Iterable[tuple[bytes, bytes]]]


class WebSocketReceiveEvent(TypedDict):
    """``websocket.receive``: a message from the client (``bytes`` or ``text``)."""

    type: Literal["websocket.receive"]
    bytes: NotRequired[bytes | None]
    text: NotRequired[str | None]


class WebSocketSendEvent(TypedDict):
    """``websocket.send``: a message to the client (``bytes`` or ``text``)."""

    type: Literal["websocket.send"]
    bytes: NotRequired[bytes | None]
    text: NotRequired[str | None]


class WebSocketDisconnectEvent(TypedDict):
    """``websocket.disconnect``: the connection is closed."""

    type: Literal["websocket.disconnect"]
    code: int
    reason: NotRequired[str | None]


class WebSocketCloseEvent(TypedDict):
    """``websocket.close``: the app closes (or refuses) the connection."""

    type: Literal["websocket.close"]
    code: NotRequired[int]
    reason: NotRequired[str | None]


class WebSocketResponseStartEvent(TypedDict):
    """``websocket.http.response.start``: refuse the handshake with an HTTP response."""

    type: Literal["websocket.http.response.start"]
    status: int
    headers: NotRequired[Iterable[tuple[bytes, bytes]]]


class WebSocketResponseBodyEvent(TypedDict):
    """``websocket.http.response.body``: a piece of that HTTP response's body."""

    type: Literal["websocket.http.response.body"]
    body: NotRequired[bytes]
    more_body: NotRequired[bool]


class LifespanStartupEvent(TypedDict):
    """``lifespan.startup``."""

    type: Literal["lifespan.startup"]


class LifespanShutdownEvent(TypedDict):
    """``lifespan.shutdown``."""

    type: Literal["lifespan.shutdown"]


class LifespanStartupCompleteEvent(TypedDict):
    """``lifespan.startup.complete``."""

    type: Literal["lifespan.startup.complete"]


class LifespanStartupFailedEvent(TypedDict):
    """``lifespan.startup.failed``."""

    type: Literal["lifespan.startup.failed"]
    message: NotRequired[str]


class LifespanShutdownCompleteEvent(TypedDict):
    """``lifespan.shutdown.complete``."""

    type: Literal["lifespan.shutdown.complete"]


class LifespanShutdownFailedEvent(TypedDict):
    """``lifespan.shutdown.failed``."""

    type: Literal["lifespan.shutdown.failed"]
    message: NotRequired[str]


HTTPReceiveEvent = HTTPRequestEvent | HTTPDisconnectEvent
HTTPSendEvent = (
    HTTPResponseStartEvent | HTTPResponseBodyEvent | HTTPResponsePathsendEvent | SendfileEvent
)
WebSocketReceiveEvents = WebSocketConnectEvent | WebSocketReceiveEvent | WebSocketDisconnectEvent
WebSocketSendEvents = (
    WebSocketAcceptEvent
    | WebSocketSendEvent
    | WebSocketCloseEvent
    | WebSocketResponseStartEvent
    | WebSocketResponseBodyEvent
)
LifespanReceiveEvent = LifespanStartupEvent | LifespanShutdownEvent
LifespanSendEvent = (
    LifespanStartupCompleteEvent
    | LifespanStartupFailedEvent
    | LifespanShutdownCompleteEvent
    | LifespanShutdownFailedEvent
)
ASGIReceiveEvent = HTTPReceiveEvent | WebSocketReceiveEvents | LifespanReceiveEvent
ASGISendEvent = HTTPSendEvent | WebSocketSendEvents | LifespanSendEvent

ServerScope = HTTPScope | WebSocketScope | LifespanScope
ServerReceive = Callable[[], Awaitable[ASGIReceiveEvent]]
"""The server's ``receive``: it returns typed events."""

ServerApp = Callable[[ServerScope | Scope, ServerReceive, Send], Awaitable[None]]
"""An ASGI app as zephyr calls it: a ``receive`` returning typed events.

Every ``ASGIApp`` is one at run time (a TypedDict event is a dict); the server
and the test client cast the app once per connection (:func:`as_server_app`).
The scope is typed where zephyr builds it as a TypedDict (the server's) and a
plain ``Scope`` where it is built as a mapping (the test client's HTTP one)."""

NativeServerApp = Callable[[ServerScope | Scope, ServerReceive, Send, Respond], Awaitable[None]]
"""``NativeHTTPApp`` as the server calls it (see :data:`ServerApp`)."""


def as_server_app(app: ASGIApp) -> ServerApp:
    """Return ``app`` typed as the server calls it (the same object).

    Args:
        app: Any ASGI 3 app.

    Returns:
        ``app`` itself: its ``receive`` may return typed events, which are dicts.
    """
    return cast("ServerApp", app)
