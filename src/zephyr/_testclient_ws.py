"""The WebSocket half of the test client: ``WebSocketTestSession``.

The app runs as a task on the test client's portal loop, as a real server
would run it: messages to the app go through an ``asyncio.Queue`` on that
loop, messages from the app through a thread-safe ``queue.Queue`` the test
thread blocks on. When the app returns the session reports a close the way
an ASGI server would (1000 after a normal return, 1011 after an error when
server exceptions are not re-raised).

Leaving the session tells the app the client disconnected and, if the app
does not take that, cancels it, so a test never hangs on an app that would
only end when its connection is dropped. An app that took the disconnect is
winding down by its own choice and is left to finish its cleanup (one that
then waits forever hangs the test, as it would hold a server's connection
task); asking for more after it gets it cancelled. The cancel goes through an
anyio cancel scope around the app, as a task group would deliver it: cleanup
that shields itself from cancellation (zephyr's ``yield`` dependencies once
the endpoint is done) still runs to its end.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import queue
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import Future
from types import TracebackType
from typing import Any, Literal, Protocol

import anyio

from zephyr._testclient_lib import httpx
from zephyr.types import ASGIApp, Message, Scope
from zephyr.websockets import WebSocketDisconnect

__all__ = [
    "WebSocketDenialResponse",
    "WebSocketTestSession",
    "handshake_headers",
    "offered_subprotocols",
]

# What Starlette's test client sends (no ``Upgrade``: ASGI apps see the handshake
# as a websocket scope, and tests that compare headers expect exactly these).
_HANDSHAKE_HEADERS = (
    ("connection", "upgrade"),
    ("sec-websocket-key", "testserver=="),
    ("sec-websocket-version", "13"),
)


def handshake_headers(headers: httpx.Headers, subprotocols: Sequence[str] | None) -> httpx.Headers:
    """Add the handshake's own headers to a request's, where it does not set them.

    Args:
        headers: The headers given to ``websocket_connect`` (changed in place).
        subprotocols: Subprotocols to offer in ``Sec-WebSocket-Protocol``.

    Returns:
        ``headers``.
    """
    for name, value in _HANDSHAKE_HEADERS:
        headers.setdefault(name, value)
    if subprotocols:
        headers.setdefault("sec-websocket-protocol", ", ".join(subprotocols))
    return headers


def offered_subprotocols(headers: httpx.Headers) -> list[str]:
    """The subprotocols a handshake offers (``scope["subprotocols"]``), in order.

    Args:
        headers: The handshake request's headers.

    Returns:
        The comma-separated tokens of its ``Sec-WebSocket-Protocol`` headers.
    """
    tokens = headers.get_list("sec-websocket-protocol", split_commas=True)
    return [token for token in tokens if token]


class _PortalLike(Protocol):
    loop: asyncio.AbstractEventLoop

    def start_task(self, coro_fn: Callable[..., Awaitable[Any]], *args: Any) -> Future[Any]: ...


class WebSocketDenialResponse(httpx.Response, WebSocketDisconnect):  # type: ignore[misc]
    """The app refused the handshake with an HTTP response (ASGI ``websocket.http.response``).

    It is an ``httpx.Response`` (``status_code``, ``headers``, ``content``,
    ``text``, ``json()``) and a ``WebSocketDisconnect``, so code catching
    disconnects also sees refusals.
    """

    def __str__(self) -> str:
        return f"WebSocket handshake denied with HTTP {self.status_code}"


class _AppEnded:
    """Marker put on the outgoing queue when the app's task finishes."""

    def __init__(self, exc: BaseException | None) -> None:
        self.exc = exc


class WebSocketTestSession:
    """One WebSocket connection from a ``TestClient`` to the app.

    Use as a context manager: entering performs the handshake, leaving
    sends a disconnect (if the app is still running), cancels the app if it
    does not take the disconnect, and waits for the app.

    Attributes:
        accepted_subprotocol: The subprotocol the app chose, or ``None``.
        extra_headers: Headers the app sent with ``websocket.accept``.

    Args:
        app: The ASGI app.
        scope: The WebSocket scope for the connection.
        portal_factory: Context manager factory giving the portal the app runs on.
        raise_exceptions: Re-raise app exceptions in the test thread (else
            the session sees a 1011 close).
    """

    __test__ = False

    def __init__(
        self,
        app: ASGIApp,
        scope: Scope,
        portal_factory: Callable[[], contextlib.AbstractContextManager[Any]],
        raise_exceptions: bool = True,
    ) -> None:
        self.app = app
        self.scope = scope
        self.accepted_subprotocol: str | None = None
        self.extra_headers: list[tuple[bytes, bytes]] = []
        self._portal_factory = portal_factory
        self._raise_exceptions = raise_exceptions
        self._from_app: queue.Queue[Message | _AppEnded] = queue.Queue()
        self._ended: _AppEnded | None = None
        self._client_closed = False
        # Loop-side state of the app, read when the session is left.
        self._cancel_scope: anyio.CancelScope | None = None
        self._app_running = False
        self._app_receiving = False
        self._took_disconnect = False
        self._leaving = False
        self._stack = contextlib.ExitStack()

    # -- app side (runs on the portal loop) --------------------------------

    async def _run(self) -> None:
        self._app_running = True
        try:
            # Our own cancel ends inside this scope: the app then ends normally.
            with anyio.CancelScope() as self._cancel_scope:
                await self.app(self.scope, self._app_receive, self._app_send)
        except BaseException as exc:
            self._from_app.put(_AppEnded(exc))
            if not isinstance(exc, Exception):
                raise
        else:
            self._from_app.put(_AppEnded(None))
        finally:
            self._app_running = False

    async def _app_receive(self) -> Message:
        if self._leaving and self._took_disconnect:
            # Asking for more after the disconnect: nothing would ever answer.
            self._cancel()
        self._app_receiving = True
        try:
            message = await self._to_app.get()
        finally:
            self._app_receiving = False
        if message["type"] == "websocket.disconnect":
            self._took_disconnect = True
        return message

    async def _leave(self) -> None:
        """Cancel the app unless it took the disconnect (queued just before) and winds down."""
        # The disconnect was queued first, so an app waiting in receive has
        # taken it by now; one more pass covers a receive a task hop away.
        await asyncio.sleep(0)
        self._leaving = True
        if not self._app_running:
            return
        if self._app_receiving or not self._took_disconnect:
            # Blocked on something else, or back in receive: only a cancel ends it.
            self._cancel()

    def _cancel(self) -> None:
        if self._cancel_scope is not None:
            self._cancel_scope.cancel()

    async def _app_send(self, message: Message) -> None:
        if self._client_closed:
            if message["type"] == "websocket.close":
                return
            # ASGI WebSocket 2.4: sending after the client went away raises OSError.
            raise OSError("The WebSocket client has disconnected.")
        self._from_app.put(message)

    # -- test side ----------------------------------------------------------

    def __enter__(self) -> WebSocketTestSession:
        """Start the app and complete the handshake.

        Raises:
            WebSocketDisconnect: The app closed (refused) the handshake, or
                returned without accepting (code 1006).
            WebSocketDenialResponse: The app answered with an HTTP response.
            Exception: The app raised before accepting.
        """
        portal: _PortalLike = self._stack.enter_context(self._portal_factory())
        self._loop = portal.loop
        self._to_app: asyncio.Queue[Message] = asyncio.Queue()
        self._future = portal.start_task(self._run)
        try:
            self.send({"type": "websocket.connect"})
            message = self._next(handshake=True)
            if message["type"] != "websocket.accept":
                self._refused(message)
            self.accepted_subprotocol = message.get("subprotocol")
            self.extra_headers = list(message.get("headers") or [])
        except BaseException:
            self._shutdown(raise_app_error=False)
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Disconnect (code 1000), cancel the app if it does not take that, wait for it.

        Raises:
            Exception: The app raised (when server exceptions are re-raised).
        """
        self._shutdown(raise_app_error=exc_type is None)

    def _shutdown(self, raise_app_error: bool) -> None:
        try:
            if not self._client_closed:
                self.close(1000)
            if self._ended is None:
                # Queued after the disconnect, so it runs once the app could take it.
                asyncio.run_coroutine_threadsafe(self._leave(), self._loop)
            while self._ended is None:
                item = self._from_app.get()
                if isinstance(item, _AppEnded):
                    self._ended = item
            exc = self._ended.exc
            self._ended.exc = None
            if raise_app_error and exc is not None and self._raise_exceptions:
                raise exc
        finally:
            self._stack.close()

    def _next(self, handshake: bool = False) -> Message:
        """Next message from the app; a finished app reads as a close."""
        ended = self._ended
        if ended is None:
            item = self._from_app.get()
            if not isinstance(item, _AppEnded):
                return item
            ended = self._ended = item
        exc, ended.exc = ended.exc, None
        if exc is not None and self._raise_exceptions:
            raise exc
        if handshake:
            reason = "The application returned without accepting the connection."
            return {"type": "websocket.close", "code": 1006, "reason": reason}
        return {"type": "websocket.close", "code": 1000 if exc is None else 1011, "reason": ""}

    def _refused(self, message: Message) -> None:
        if message["type"] == "websocket.http.response.start":
            chunks: list[bytes] = []
            while True:
                body = self._next()
                if body["type"] != "websocket.http.response.body":
                    break
                chunks.append(bytes(body.get("body", b"")))
                if not body.get("more_body", False):
                    break
            raise WebSocketDenialResponse(
                status_code=message["status"],
                headers=list(message.get("headers") or []),
                content=b"".join(chunks),
            )
        if message["type"] == "websocket.close":
            raise WebSocketDisconnect(message.get("code", 1000), message.get("reason"))
        raise RuntimeError(f"Unexpected ASGI message during the handshake: {message!r}")

    def send(self, message: Message) -> None:
        """Deliver a raw ASGI message to the app's ``receive``."""
        self._loop.call_soon_threadsafe(self._to_app.put_nowait, message)

    def send_text(self, data: str) -> None:
        """Send a text message."""
        self.send({"type": "websocket.receive", "text": data})

    def send_bytes(self, data: bytes) -> None:
        """Send a binary message."""
        self.send({"type": "websocket.receive", "bytes": data})

    def send_json(self, data: Any, mode: Literal["text", "binary"] = "text") -> None:
        """Send ``data`` as JSON in a text (default) or binary message."""
        text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
        if mode == "text":
            self.send_text(text)
        else:
            self.send_bytes(text.encode("utf-8"))

    def close(self, code: int = 1000, reason: str | None = None) -> None:
        """Tell the app the client disconnected (``websocket.disconnect`` with ``code``)."""
        self._client_closed = True
        self.send({"type": "websocket.disconnect", "code": code, "reason": reason or ""})

    def receive(self) -> Message:
        """Block until the app sends a message; return it (a close included).

        Raises:
            Exception: The app raised (when server exceptions are re-raised).
        """
        return self._next()

    def _receive_data(self) -> Message:
        message = self._next()
        if message["type"] == "websocket.close":
            raise WebSocketDisconnect(message.get("code", 1000), message.get("reason"))
        return message

    def receive_text(self) -> str:
        """Receive a text message.

        Raises:
            WebSocketDisconnect: The app closed the connection.
            TypeError: The app sent a binary message.
        """
        text = self._receive_data().get("text")
        if text is None:
            raise TypeError("Expected a text message from the app, received a binary one.")
        return str(text)

    def receive_bytes(self) -> bytes:
        """Receive a binary message (``WebSocketDisconnect`` on close, ``TypeError`` on text)."""
        data = self._receive_data().get("bytes")
        if data is None:
            raise TypeError("Expected a binary message from the app, received a text one.")
        return bytes(data)

    def receive_json(self, mode: Literal["text", "binary"] = "text") -> Any:
        """Receive a text (default) or binary message and parse it as JSON."""
        if mode == "text":
            return json.loads(self.receive_text())
        return json.loads(self.receive_bytes().decode("utf-8"))
