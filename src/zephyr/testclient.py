"""A synchronous test client for ASGI apps, built on ``httpx2.Client`` (or ``httpx.Client``).

Requests never touch the network: a custom transport turns each
``httpx.Request`` into an ASGI HTTP scope and runs the app on an event loop in
a background thread (the *portal*). Inside ``with TestClient(app) as client:``
one portal lives for the whole block and the app's lifespan runs on enter and
exit; without ``with``, each request gets a short-lived portal.
``client.websocket_connect(url)`` runs a WebSocket session the same way
(see :mod:`zephyr._testclient_ws`). The client is an ``httpx2.Client`` when
httpx2 is installed, as Starlette's is, else an ``httpx.Client``
(see :mod:`zephyr._testclient_lib`).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import os
import sys
import threading
import warnings
from collections.abc import Awaitable, Callable, Iterator, Sequence
from concurrent.futures import Future
from types import TracebackType
from typing import Any, Literal, TypeVar
from urllib.parse import unquote

from zephyr._testclient_http import Exchange, ResponseStream, TestResponse
from zephyr._testclient_lib import httpx
from zephyr._testclient_ws import (
    WebSocketDenialResponse,
    WebSocketTestSession,
    handshake_headers,
    offered_subprotocols,
)
from zephyr.api_exceptions import ZephyrDeprecationWarning
from zephyr.types import (
    ASGIApp,
    LifespanReceiveEvent,
    LifespanScope,
    Message,
    Receive,
    Scope,
    Send,
    as_server_app,
)

__all__ = ["ASGIInstance", "TestClient", "WebSocketDenialResponse", "WebSocketTestSession"]

ASGIInstance = Callable[[Receive, Send], Awaitable[None]]
"""The second half of an ASGI 2 app: ``app(scope)`` returns one of these."""

T = TypeVar("T")

_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}

_HANDSHAKE = "zephyr.websocket_handshake"
"""Request extension marking a WebSocket handshake: the transport hands it back unsent."""

USE_NATIVE = True
"""Call an app's native entry (``app.native_http``) when it has one, as zephyr's
server does; ``False`` drives every app through plain ASGI, as other servers do."""


def _is_asgi2(app: Any) -> bool:
    """Tell an ASGI 2 app (``app(scope)`` returns the coroutine function) from ASGI 3.

    ASGI 2 callables are plain (not ``async``) and take the scope alone.
    """
    target = app if inspect.isroutine(app) else type(app).__call__
    if inspect.iscoroutinefunction(target):
        return False
    try:
        parameters = inspect.signature(app).parameters.values()
    except (TypeError, ValueError):
        return False
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return sum(p.kind in positional for p in parameters) == 1


class _ASGI2Adapter:
    """Run an ASGI 2 app (``app(scope)(receive, send)``) as ASGI 3."""

    def __init__(self, app: Callable[[Scope], ASGIInstance]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope)(receive, send)


class _Portal:
    """An asyncio event loop running in a daemon thread; sync code submits coroutines to it."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._run, name="zephyr-testclient-portal", daemon=True
        )
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_forever()
        finally:
            # Let abandoned tasks and async generators unwind before closing.
            pending = asyncio.all_tasks(self.loop)
            for task in pending:
                task.cancel()
            if pending:
                self.loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
            self.loop.close()

    def start_task(self, coro_fn: Callable[..., Awaitable[T]], *args: Any) -> Future[T]:
        """Schedule ``coro_fn(*args)`` on the loop; return a thread-safe future."""

        async def runner() -> T:
            return await coro_fn(*args)

        return asyncio.run_coroutine_threadsafe(runner(), self.loop)

    def call(self, coro_fn: Callable[..., Awaitable[T]], *args: Any) -> T:
        """Run ``coro_fn(*args)`` on the loop and block until it returns (or raises)."""
        return self.start_task(coro_fn, *args).result()

    def stop(self) -> None:
        """Stop the loop and join the thread."""
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join()


def _caller_stacklevel() -> int:
    """The ``stacklevel`` that points a warning from ``request`` at the test's own line.

    ``get``, ``post``... are the library's and call ``request``: skip their frames.
    """
    library = os.path.dirname(httpx.__file__) + os.sep
    frame = sys._getframe(2)  # the caller of TestClient.request
    level = 2
    while frame.f_back is not None and frame.f_code.co_filename.startswith(library):
        frame = frame.f_back
        level += 1
    return level


class _HandshakeReady(Exception):
    """Raised by the transport for a handshake request; carries it as the client finished it.

    The handshake goes through ``Client.send`` so that auth, event hooks and
    cookies apply as to any request, but it gets no HTTP response: this stops
    the send and hands the request back to ``websocket_connect``.
    """

    def __init__(self, request: httpx.Request) -> None:
        super().__init__("WebSocket handshake request")
        self.request = request


class _ASGITransport(httpx.BaseTransport):
    """An httpx transport that serves requests by calling the ASGI app in a portal."""

    def __init__(
        self,
        app: ASGIApp,
        portal_factory: Callable[[], contextlib.AbstractContextManager[_Portal]],
        raise_server_exceptions: bool,
        root_path: str,
        client: tuple[str, int],
        app_state: dict[str, Any],
    ) -> None:
        self.app = app
        self.portal_factory = portal_factory
        self.raise_server_exceptions = raise_server_exceptions
        self.root_path = root_path
        self.client = client
        self.app_state = app_state
        self.open_streams: set[ResponseStream] = set()

    def _build_scope(self, request: httpx.Request) -> Scope:
        url = request.url
        scheme = url.scheme
        raw_path, _, query = url.raw_path.partition(b"?")
        port = url.port if url.port is not None else _DEFAULT_PORTS.get(scheme, 80)
        headers = [(name.lower(), value) for name, value in request.headers.raw]
        if not any(name == b"host" for name, _ in headers):
            headers.insert(0, (b"host", url.netloc))
        return {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.4"},
            "http_version": "1.1",
            "method": request.method,
            "path": unquote(raw_path.decode("ascii")),
            "raw_path": raw_path,
            "root_path": self.root_path,
            "scheme": scheme,
            "query_string": query,
            "headers": headers,
            "client": self.client,
            "server": [url.host, port],
            "extensions": {"http.response.debug": {}, "http.response.trailers": {}},
            "state": self.app_state.copy(),
        }

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Run the app for one request; return once its response has started.

        The body streams from the app as the response is read; closing the
        response finishes the exchange (see :mod:`zephyr._testclient_http`).

        Raises:
            Exception: Whatever the app raised before responding, when
                ``raise_server_exceptions`` is set.
        """
        if request.extensions.get(_HANDSHAKE):
            raise _HandshakeReady(request)
        scope = self._build_scope(request)
        resources = contextlib.ExitStack()
        portal = resources.enter_context(self.portal_factory())
        exchange = Exchange(self.app, scope, request, self.raise_server_exceptions, USE_NATIVE)
        try:
            portal.call(exchange.start)
        except BaseException:
            resources.close()
            raise
        stream = ResponseStream(exchange, portal, resources.close)
        self.open_streams.add(stream)
        resources.callback(self.open_streams.discard, stream)
        return TestResponse(
            status_code=exchange.status_code,
            headers=exchange.headers,
            stream=stream,
            request=request,
            extensions=exchange.extensions,
        )

    def cancel_open_responses(self) -> None:
        """Cancel the apps of responses still open (the client is closing)."""
        for stream in list(self.open_streams):
            stream.close(cancel=True)

    def close(self) -> None:
        """Cancel the apps of responses still open (``httpx.Client.close``)."""
        self.cancel_open_responses()


class TestClient(httpx.Client):
    """A synchronous ``httpx2.Client`` (or ``httpx.Client``) that calls an ASGI app in-process.

    Args:
        app: The ASGI app under test.
        base_url: Base URL for relative request paths. Default ``"http://testserver"``.
        raise_server_exceptions: Re-raise app exceptions in the test (default
            ``True``); when ``False`` an app that fails before responding yields a 500.
        root_path: ASGI ``root_path`` for every request. Default ``""``.
        backend: Only ``"asyncio"`` is supported.
        backend_options: Accepted for compatibility; ignored.
        cookies: Initial client cookies.
        headers: Default request headers (``User-Agent: testclient`` is added).
        follow_redirects: Follow redirects (default ``True``).
        client: The ``(host, port)`` reported as ``scope["client"]``.
    """

    __test__ = False  # tell pytest this is not a test class

    def __init__(
        self,
        app: ASGIApp,
        base_url: str = "http://testserver",
        raise_server_exceptions: bool = True,
        root_path: str = "",
        backend: Literal["asyncio", "trio"] = "asyncio",
        backend_options: dict[str, Any] | None = None,
        cookies: httpx._types.CookieTypes | None = None,
        headers: dict[str, str] | None = None,
        follow_redirects: bool = True,
        client: tuple[str, int] = ("testclient", 50000),
    ) -> None:
        if backend != "asyncio":
            raise ValueError(f"Unsupported backend {backend!r}: zephyr supports only 'asyncio'.")
        if _is_asgi2(app):
            app = _ASGI2Adapter(app)  # type: ignore[arg-type]
        self.app = app
        self.app_state: dict[str, Any] = {}
        self._portal: _Portal | None = None
        self._lifespan: _Lifespan | None = None
        transport = _ASGITransport(
            app,
            portal_factory=self._portal_for_request,
            raise_server_exceptions=raise_server_exceptions,
            root_path=root_path,
            client=client,
            app_state=self.app_state,
        )
        headers = dict(headers or {})
        headers.setdefault("user-agent", "testclient")
        super().__init__(
            base_url=base_url,
            headers=headers,
            transport=transport,
            follow_redirects=follow_redirects,
            cookies=cookies,
        )

    @contextlib.contextmanager
    def _portal_for_request(self) -> Iterator[_Portal]:
        if self._portal is not None:
            yield self._portal
            return
        portal = _Portal()
        try:
            yield portal
        finally:
            portal.stop()

    def request(self, method: str, url: httpx.URL | str, **kwargs: Any) -> httpx.Response:
        """Send a request to the app (``get``, ``post``... come here too).

        As ``httpx.Client.request``; ``timeout=`` is accepted but warned
        about, as Starlette's client does: the app runs in-process, and
        nothing times it out.

        Returns:
            The app's response.

        Raises:
            Exception: Whatever the app raised, when ``raise_server_exceptions``.
        """
        if kwargs.get("timeout", httpx.USE_CLIENT_DEFAULT) is not httpx.USE_CLIENT_DEFAULT:
            warnings.warn(
                "You should not use the 'timeout' argument with the TestClient: the app "
                "runs in-process, and no timeout applies to it.",
                ZephyrDeprecationWarning,
                stacklevel=_caller_stacklevel(),
            )
        return super().request(method, url, **kwargs)

    def websocket_connect(
        self, url: str, subprotocols: Sequence[str] | None = None, **kwargs: Any
    ) -> WebSocketTestSession:
        """Open an in-process WebSocket session to the app (use it with ``with``).

        The handshake is a GET request that goes through the client as any
        other (default headers, cookies, ``auth``, request event hooks) but
        is answered by the app's WebSocket session instead of over HTTP.

        Args:
            url: Path or URL (``http(s)``/``ws(s)``), resolved against ``base_url``.
            subprotocols: Offered subprotocols (``Sec-WebSocket-Protocol``,
                unless ``headers`` sets it, and ``scope["subprotocols"]``).
            **kwargs: As for a request: ``headers`` (which override the
                handshake's own ``Connection``, ``Sec-WebSocket-Key`` and
                ``Sec-WebSocket-Version``), ``params``, ``cookies``, ``auth``.

        Returns:
            A session; entering it performs the handshake.

        Raises:
            WebSocketDisconnect: (on enter) the app closed the handshake.
            WebSocketDenialResponse: (on enter) the app answered with HTTP.
        """
        if url.startswith(("ws://", "wss://")):
            url = "http" + url[2:]
        auth = kwargs.pop("auth", httpx.USE_CLIENT_DEFAULT)
        headers = handshake_headers(httpx.Headers(kwargs.pop("headers", None)), subprotocols)
        request = self.build_request("GET", url, headers=headers, **kwargs)
        request.url = request.url.copy_with(scheme="wss" if request.url.scheme == "https" else "ws")
        request.extensions[_HANDSHAKE] = True
        try:
            self.send(request, auth=auth, follow_redirects=False)
        except _HandshakeReady as ready:
            request = ready.request
        else:  # an auth flow sent a request of its own, without the marker
            raise RuntimeError("the WebSocket handshake request was sent as plain HTTP")
        transport = self._transport
        assert isinstance(transport, _ASGITransport)
        scope = transport._build_scope(request)
        del scope["method"]
        scope.update(
            type="websocket",
            subprotocols=offered_subprotocols(request.headers),
            extensions={"websocket.http.response": {}},
        )
        return WebSocketTestSession(
            self.app, scope, self._portal_for_request, transport.raise_server_exceptions
        )

    def __enter__(self) -> TestClient:
        """Start the portal and run the app's lifespan startup.

        Raises:
            Exception: Whatever the app raised during startup.
            RuntimeError: The app reported ``lifespan.startup.failed``.
        """
        self._portal = _Portal()
        self._lifespan = _Lifespan(self.app, self.app_state)
        try:
            self._portal.call(self._lifespan.startup)
        except BaseException:
            self._portal.stop()
            self._portal = None
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        """Run the lifespan shutdown, then stop the portal.

        The client stays usable (and can be entered again, running the
        lifespan again): its transport calls the app in-process and holds no
        connection, so there is nothing of httpx's to close.
        """
        portal, lifespan = self._portal, self._lifespan
        transport = self._transport
        assert isinstance(transport, _ASGITransport)
        try:
            transport.cancel_open_responses()
        finally:
            self._portal = self._lifespan = None
        try:
            if portal is not None and lifespan is not None:
                portal.call(lifespan.shutdown)
        finally:
            if portal is not None:
                portal.stop()
        # The httpx client is not closed: the transport holds no connection, and
        # the client stays usable (and can be entered again) after the block.


class _Lifespan:
    """Drives the ASGI lifespan protocol (ASGI lifespan 2.0) for a TestClient."""

    def __init__(self, app: ASGIApp, state: dict[str, Any]) -> None:
        self.app = app
        self.state = state

    async def startup(self) -> None:
        self.to_app: asyncio.Queue[LifespanReceiveEvent] = asyncio.Queue()
        self.from_app: asyncio.Queue[Message | None] = asyncio.Queue()
        scope: LifespanScope = {
            "type": "lifespan",
            "asgi": {"version": "3.0", "spec_version": "2.0"},
            "state": self.state,
        }
        self.task = asyncio.ensure_future(self._run(scope))
        await self.to_app.put({"type": "lifespan.startup"})
        await self._expect("lifespan.startup")

    async def shutdown(self) -> None:
        if self.task.done():
            self._reraise()
            return
        await self.to_app.put({"type": "lifespan.shutdown"})
        await self._expect("lifespan.shutdown")
        await self.task

    async def _run(self, scope: LifespanScope) -> None:
        try:
            await as_server_app(self.app)(scope, self.to_app.get, self._send)
        finally:
            await self.from_app.put(None)

    async def _send(self, message: Message) -> None:
        await self.from_app.put(message)

    async def _expect(self, phase: str) -> None:
        message = await self.from_app.get()
        if message is None:
            # The app returned or raised instead of answering.
            self._reraise()
            return
        if message["type"] == f"{phase}.failed":
            # The app usually re-raises right after reporting; surface that error.
            await asyncio.wait([self.task], timeout=1.0)
            self._reraise()
            raise RuntimeError(f"{phase} failed: {message.get('message', '')}")
        assert message["type"] == f"{phase}.complete", f"Unexpected lifespan message {message!r}"

    def _reraise(self) -> None:
        if self.task.done() and not self.task.cancelled():
            exc = self.task.exception()
            if exc is not None:
                raise exc
