"""The HTTP half of the test client: one request/response exchange with the app.

The app runs as a task on the test client's portal loop. The request returns
to the test as soon as ``http.response.start`` arrives; the body is handed
over one message at a time (a send returns only when the test has taken its
chunk, so a streaming app is paced by its reader, as over a socket). Closing
the response waits for the app when its response is complete (background
tasks run to their end) and cancels it otherwise. Trailers and
``http.response.debug`` info land in ``response.extensions``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Iterator
from typing import Any, Protocol, TypeVar

from zephyr._testclient_lib import httpx
from zephyr.types import ASGIApp, Message, Scope

__all__ = ["Exchange", "ResponseStream", "TestResponse"]

T = TypeVar("T")

TRAILERS = "http.response.trailers"
DEBUG = "http.response.debug"


class PortalLike(Protocol):
    """What an exchange needs of the test client's portal."""

    def call(self, coro_fn: Callable[..., Awaitable[T]], *args: Any) -> T: ...


class Exchange:
    """One request/response exchange with the app, driven on the portal's loop.

    Args:
        app: The ASGI app (its ``native_http`` entry is used when ``native``).
        scope: The HTTP scope.
        request: The httpx request (its stream is the request body).
        raise_exceptions: Re-raise what the app raises.
        native: Call ``app.native_http`` (zephyr's server entry) when it has one.
    """

    def __init__(
        self,
        app: ASGIApp,
        scope: Scope,
        request: httpx.Request,
        raise_exceptions: bool,
        native: bool,
    ) -> None:
        self.app = app
        self.scope = scope
        self.raise_exceptions = raise_exceptions
        self.native = native and hasattr(type(app), "native_http")
        assert isinstance(request.stream, httpx.SyncByteStream), "TestClient needs a sync body"
        self.body_chunks = iter(request.stream)
        # An in-memory body is sliced inline; any other (files, generators) may
        # block on I/O, so it is read in a worker thread, off the app's loop.
        self.body_in_memory = isinstance(request.stream, httpx.ByteStream)
        self.next_chunk: bytes | None = self._read_chunk()
        self.request_complete = False
        self.status_code = 500
        self.headers: list[tuple[bytes, bytes]] = []
        # The producer's view (what the app sent) ...
        self.started = False
        self.body_sent = False
        self.trailers_declared = False
        self.trailers_sent = False
        # ... and the reader's (what the test took).
        self.pending: tuple[bytes, bool] | None = None
        self.body_taken = False
        self.error_reported = False
        self.extensions: dict[str, Any] = {}
        self.task: asyncio.Task[None] | None = None
        self.changed = asyncio.Event()  # any of the above moved
        self.taken = asyncio.Event()  # the reader took the pending chunk
        self.response_complete = asyncio.Event()  # for receive(): the body is over

    def _read_chunk(self) -> bytes | None:
        return next(self.body_chunks, None)

    def _wake(self) -> None:
        self.changed.set()

    async def _wait_change(self) -> None:
        self.changed.clear()
        await self.changed.wait()

    @property
    def complete(self) -> bool:
        """The app sent its whole response (body, and trailers when it declared them)."""
        return self.body_sent and (self.trailers_sent or not self.trailers_declared)

    # -- the app's side ------------------------------------------------------

    async def receive(self) -> Message:
        """The ASGI ``receive``: the request body, then a disconnect once the response is over."""
        if self.request_complete:
            await self.response_complete.wait()
            return {"type": "http.disconnect"}
        chunk = self.next_chunk
        # Look ahead one chunk so more_body is accurate (request body streaming).
        if chunk is None:
            self.next_chunk = None
        elif self.body_in_memory:
            self.next_chunk = self._read_chunk()
        else:
            self.next_chunk = await asyncio.to_thread(self._read_chunk)
        more_body = self.next_chunk is not None
        if not more_body:
            self.request_complete = True
        return {"type": "http.request", "body": chunk or b"", "more_body": more_body}

    async def send(self, message: Message) -> None:
        """The ASGI ``send``: checks the message order; a body chunk waits for its reader.

        Raises:
            AssertionError: A message out of order (as a strict server would refuse it).
        """
        kind = message["type"]
        if kind == "http.response.start":
            self._start(message["status"], message.get("headers", []))
            if message.get("trailers", False):
                self.trailers_declared = True
                self.extensions[TRAILERS] = []
        elif kind == "http.response.body":
            self._body(message.get("body", b""), message.get("more_body", False))
            # One chunk in flight: the app goes on once the test took it.
            while self.pending is not None:
                self.taken.clear()
                await self.taken.wait()
        elif kind == TRAILERS:
            self._trailers(message.get("headers", []), message.get("more_trailers", False))
        elif kind == DEBUG:
            self.extensions[DEBUG] = message["info"]

    def respond(
        self, status: int, headers: Iterable[tuple[bytes, bytes]], body: bytes | memoryview
    ) -> None:
        """zephyr's native whole response: a start and a final body event in one call."""
        self._start(status, headers)
        self._body(body, False)

    def _start(self, status: int, headers: Iterable[tuple[bytes, bytes]]) -> None:
        assert not self.started, 'Received multiple "http.response.start" messages.'
        self.started = True
        self.status_code = status
        self.headers = [(bytes(k), bytes(v)) for k, v in headers]
        self._wake()

    def _body(self, body: bytes | memoryview, more_body: bool) -> None:
        assert self.started, 'Received "http.response.body" before "http.response.start".'
        assert not self.body_sent, 'Received "http.response.body" after body completed.'
        # A copy: the app may reuse its buffer once the send returns.
        self.pending = (b"" if self.scope["method"] == "HEAD" else bytes(body), more_body)
        if not more_body:
            self.body_sent = True
            self.response_complete.set()
        self._wake()

    def _trailers(self, headers: Iterable[tuple[bytes, bytes]], more: bool) -> None:
        assert self.started and self.trailers_declared, (
            'Received "http.response.trailers" without declaring trailers.'
        )
        assert self.body_sent, 'Received "http.response.trailers" before body completed.'
        assert not self.trailers_sent, 'Received "http.response.trailers" after response completed.'
        self.extensions[TRAILERS].extend((bytes(k), bytes(v)) for k, v in headers)
        self.trailers_sent = not more
        self._wake()

    async def _run_app(self) -> None:
        try:
            if self.native:
                # As zephyr's server does: the app's native entry, ASGI plus respond.
                await self.app.native_http(  # type: ignore[attr-defined]
                    self.scope, self.receive, self.send, self.respond
                )
            else:
                await self.app(self.scope, self.receive, self.send)
        finally:
            self.response_complete.set()
            self._wake()

    # -- the test's side (each runs on the portal loop) ----------------------

    async def start(self) -> None:
        """Start the app; return once its response has started (or it ended without one).

        Raises:
            Exception: What the app raised before starting its response, when
                exceptions are re-raised.
            AssertionError: The app ended without a response, when exceptions are re-raised.
        """
        task = self.task = asyncio.ensure_future(self._run_app())
        while not self.started and not task.done():
            await self._wait_change()
        if self.started:
            return
        self._report(task)
        if self.raise_exceptions:
            raise AssertionError("TestClient did not receive any response.")
        # Without re-raising, an app that failed before responding answers 500.
        self.status_code, self.headers, self.body_taken = 500, [], True

    async def next_body(self) -> bytes | None:
        """Take the next body chunk (``b""`` for an empty one); ``None`` once the body is over.

        Raises:
            Exception: What the app raised mid-body, when exceptions are re-raised.
        """
        task = self.task
        assert task is not None
        while self.pending is None and not self.body_taken:
            if task.done():
                self.body_taken = True
                self._report(task)
                return None
            await self._wait_change()
        if self.pending is None:
            return None
        chunk, more = self.pending
        self.pending = None
        self.body_taken = not more
        self.taken.set()
        return chunk

    async def wait_trailers(self) -> None:
        """Wait until the trailers are complete or the app ended (reading to the end)."""
        task = self.task
        assert task is not None
        while self.trailers_declared and not self.trailers_sent and not task.done():
            await self._wait_change()

    async def close(self, cancel: bool) -> None:
        """Wait for the app when its response is complete, else cancel it.

        Args:
            cancel: Cancel the app whatever its state (the client is closing).

        Raises:
            Exception: What the app raised, when exceptions are re-raised.
        """
        task = self.task
        if task is None:
            return
        if cancel or not (self.complete or task.done()):
            task.cancel()
        # An unread chunk is dropped, so an app waiting on its hand-over goes on.
        self.pending = None
        self.taken.set()
        await asyncio.wait([task])
        self._report(task)

    def _report(self, task: asyncio.Task[None]) -> None:
        if task.cancelled() or self.error_reported:
            return
        error = task.exception()
        if error is not None and self.raise_exceptions:
            self.error_reported = True
            raise error


class TestResponse(httpx.Response):
    """A test client's response: ``template`` and ``context`` of a rendered template.

    They come from the ``http.response.debug`` info the app sent (kept in
    ``extensions``); a response without a template has neither attribute.
    """

    __test__ = False  # tell pytest this is not a test class

    def _debug_item(self, name: str) -> Any:
        info = self.extensions.get(DEBUG)
        if not isinstance(info, dict) or "template" not in info:
            raise AttributeError(name)
        return info.get(name)

    @property
    def template(self) -> Any:
        """The template the app rendered (a ``jinja2.Template`` for zephyr's templates)."""
        return self._debug_item("template")

    @property
    def context(self) -> Any:
        """The context the template was rendered with."""
        return self._debug_item("context")


class ResponseStream(httpx.SyncByteStream):
    """The body of a test response: pulls chunks from the app as it is read.

    Args:
        exchange: The exchange whose body this is.
        portal: The portal the exchange runs on.
        on_close: Called once when the stream closes (releases the portal).
    """

    def __init__(
        self, exchange: Exchange, portal: PortalLike, on_close: Callable[[], None]
    ) -> None:
        self.exchange = exchange
        self.portal = portal
        self.on_close: Callable[[], None] | None = on_close

    def __iter__(self) -> Iterator[bytes]:
        exchange, portal = self.exchange, self.portal
        while (chunk := portal.call(exchange.next_body)) is not None:
            if chunk:
                yield chunk
        # The message ends after its trailers: a full read includes them.
        portal.call(exchange.wait_trailers)

    def close(self, cancel: bool = False) -> None:
        """Finish the exchange (see :meth:`Exchange.close`) and release the portal.

        Args:
            cancel: Cancel the app even when its response is complete.

        Raises:
            Exception: What the app raised, when exceptions are re-raised.
        """
        on_close, self.on_close = self.on_close, None
        if on_close is None:
            return
        try:
            self.portal.call(self.exchange.close, cancel)
        finally:
            on_close()
