"""``BaseHTTPMiddleware``: write HTTP middleware as ``dispatch(request, call_next)``.

Design (no task, no memory streams per request):

``call_next(request)`` creates the downstream app's coroutine and *steps it by
hand* inside the current task, forwarding every future it waits on to the
event loop (``yield`` through a tiny ``types.coroutine`` shim, exactly what
``await`` does; to notice sends from other tasks each wait goes through a
small wake-up future). Its ``send`` is a capture: ``http.response.start`` is
recorded, a body chunk is recorded and *pauses* the coroutine (it yields a
private marker instead of a future, which the stepping loop recognises).

* A normal response (start + full body sent back to back) pauses at its final
  body chunk: ``call_next`` returns a response holding the whole body.
* A streaming response pauses at its first chunk, or, once started, at the
  first real wait (that future is kept and forwarded on the next step):
  ``call_next`` returns as soon as the headers are known, and the response's
  ``body_iterator`` keeps stepping the *same* coroutine for more chunks.
* Sends may also come from another task (a response streaming from its own
  task): they wake the stepping loop, and the sender waits until its chunk is
  taken (a one-chunk hand-over, so memory stays bounded).
* After the body is complete the coroutine is run to its end (background
  tasks); if the middleware dropped an unfinished response, ``CancelledError``
  is thrown into it so its cleanup runs.

Exceptions raised downstream come out of ``call_next`` (or out of the body
iterator, once streaming) as ordinary exceptions. Downstream code runs in the
caller's task, so context variables set there are visible to it. The request
body read by ``dispatch`` is recorded and replayed to the downstream app.
"""

from __future__ import annotations

import asyncio
import types
from collections.abc import AsyncIterator, Awaitable, Callable, Generator
from typing import Any

from zephyr.datastructures import MutableHeaders
from zephyr.requests import Request
from zephyr.responses import Response
from zephyr.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["BaseHTTPMiddleware", "DispatchFunction", "RequestResponseEndpoint"]

RequestResponseEndpoint = Callable[[Request], Awaitable[Response]]
DispatchFunction = Callable[[Request, RequestResponseEndpoint], Awaitable[Response]]

_PAUSE = object()
_NOTHING = object()


@types.coroutine
def _pause() -> Generator[Any, Any, None]:
    yield _PAUSE


@types.coroutine
def _forward(awaited: Any) -> Generator[Any, Any, Any]:
    # Hand a future (or a bare ``None`` yield) the downstream app waits on to
    # the task running us; the task resumes us when it's done.
    return (yield awaited)


class _Downstream:
    """The downstream app's coroutine, stepped by hand; collects what it sends."""

    def __init__(self, app: ASGIApp, scope: Scope, receive: Receive) -> None:
        self.start: Message | None = None
        self.debug: Message | None = None  # http.response.debug, passed on to the client
        self.chunks: list[bytes] = []
        self.complete = False  # The final body message arrived.
        self.finished = False  # The coroutine returned or raised.
        self._pending: Any = _NOTHING
        self._task: asyncio.Task[Any] | None = None
        self._wake: asyncio.Future[None] | None = None
        self._drained: asyncio.Future[None] | None = None
        self._closing = False
        self._coro = app(scope, receive, self._send).__await__()

    async def _send(self, message: Message) -> None:
        kind = message["type"]
        is_body = False
        if kind == "http.response.start":
            if self.start is not None:
                raise RuntimeError("http.response.start sent twice")
            self.start = message
        elif kind == "http.response.debug":
            self.debug = message
        elif kind == "http.response.body" and not self.complete:
            if self.start is None:
                raise RuntimeError("http.response.body sent before http.response.start")
            is_body = True
            body = message.get("body", b"")
            if body:
                self.chunks.append(bytes(body))
            if not message.get("more_body", False):
                self.complete = True
        if asyncio.current_task() is self._task:
            if is_body:
                await _pause()
            return
        # Sent from another task (e.g. a response streaming from its own
        # task): wake the stepper and hold the sender until the chunk is taken.
        wake = self._wake
        if wake is not None and not wake.done():
            wake.set_result(None)
        while is_body and self.chunks and not self._closing:
            drained = self._drained = asyncio.get_running_loop().create_future()
            await drained

    def _drain(self) -> None:
        drained = self._drained
        if drained is not None and not drained.done():
            drained.set_result(None)

    async def _block(self, awaited: Any) -> tuple[bool, Any, BaseException | None]:
        """Wait for what the coroutine waits on, or for a send from another task.

        Returns:
            ``(resumed, value, error)``: ``resumed`` is ``False`` when a send
            from another task woke us while ``awaited`` is still pending.
        """
        if not isinstance(awaited, asyncio.Future):
            # A bare yield (``asyncio.sleep(0)``): hand it to the task as is.
            try:
                return True, await _forward(awaited), None
            except BaseException as exc:  # Cancellation: pass it down.
                return True, None, exc
        if awaited.done():
            return True, None, None
        wake = self._wake = awaited.get_loop().create_future()

        def on_done(_: Any) -> None:
            if not wake.done():
                wake.set_result(None)

        awaited.add_done_callback(on_done)
        try:
            await wake
        except BaseException as exc:
            # Our task is cancelled: cancel what the coroutine waits on, as a task would.
            awaited.remove_done_callback(on_done)
            awaited.cancel()
            return True, None, exc
        finally:
            self._wake = None
        if awaited.done():
            return True, None, None
        awaited.remove_done_callback(on_done)
        return False, None, None

    def _should_stop(self, stop_when_blocked: bool, to_the_end: bool) -> bool:
        if to_the_end:
            return False
        if stop_when_blocked:
            return self.start is not None
        return bool(self.chunks) or self.complete

    async def step(
        self,
        stop_when_blocked: bool,
        error: BaseException | None = None,
        to_the_end: bool = False,
    ) -> None:
        """Run the coroutine until it pauses, finishes or (optionally) blocks after start.

        Args:
            stop_when_blocked: Once the response started, return at the first
                real wait (what it waits on is kept for the next step).
            error: Throw this into the coroutine first (to cancel it).
            to_the_end: Don't stop at pauses; run until the coroutine ends.

        Raises:
            BaseException: Whatever the downstream app raised.
        """
        self._task = asyncio.current_task()
        value: Any = None
        awaited, self._pending = self._pending, _NOTHING
        if error is not None and isinstance(awaited, asyncio.Future):
            awaited.cancel()
            awaited = _NOTHING
        while True:
            if awaited is not _NOTHING:
                resumed, value, error = await self._block(awaited)
                if not resumed:
                    if self._should_stop(stop_when_blocked, to_the_end):
                        self._pending = awaited
                        return
                    continue
            try:
                awaited = self._coro.send(value) if error is None else self._coro.throw(error)
            except StopIteration:
                self.finished = True
                return
            except BaseException:
                self.finished = True
                raise
            value, error = None, None
            if awaited is _PAUSE:
                awaited = _NOTHING
                if to_the_end:
                    continue
                return
            if stop_when_blocked and self.start is not None:
                self._pending = awaited
                return

    async def body(self) -> AsyncIterator[bytes]:
        """Yield body chunks, stepping the coroutine for more as needed."""
        while True:
            if self.chunks:
                chunks, self.chunks = self.chunks, []
                self._drain()
                for chunk in chunks:
                    yield chunk
            if self.complete or self.finished:
                return
            await self.step(stop_when_blocked=False)

    async def close(self) -> None:
        """Run to the end after a complete body; otherwise cancel what's left."""
        self._closing = True
        self._drain()
        if self.finished:
            return
        if self.complete:
            await self.step(stop_when_blocked=False, to_the_end=True)
            return
        try:
            await self.step(False, error=asyncio.CancelledError(), to_the_end=True)
        except (Exception, asyncio.CancelledError):
            pass  # The response was dropped; its cancellation ending in an error is moot.


class _DownstreamResponse(Response):
    """The response ``call_next`` returns: headers known, body from the downstream app."""

    def __init__(self, downstream: _Downstream) -> None:
        start = downstream.start
        assert start is not None
        self.status_code = start["status"]
        self.raw_headers = list(start.get("headers") or [])
        self.background = None
        self._downstream = downstream
        self.body_iterator: AsyncIterator[bytes] = downstream.body()

    @property
    def headers(self) -> MutableHeaders:
        if self._headers is None:
            self._headers = MutableHeaders(raw=self.raw_headers)
        return self._headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        downstream = self._downstream
        if downstream.debug is not None:
            await send(downstream.debug)
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        if downstream.complete and len(downstream.chunks) <= 1:
            # PERF: a buffered response goes out as one body message.
            body = downstream.chunks[0] if downstream.chunks else b""
            downstream.chunks = []
            await send({"type": "http.response.body", "body": body, "more_body": False})
        else:
            async for chunk in self.body_iterator:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        await downstream.close()


class _ReceiveTap:
    """Records the request body ``dispatch`` reads so the downstream app gets it too."""

    __slots__ = ("_position", "consumed", "receive")

    def __init__(self, receive: Receive) -> None:
        self.receive = receive
        self.consumed: list[Message] = []
        self._position = 0

    async def for_middleware(self) -> Message:
        message = await self.receive()
        if message["type"] == "http.request":
            self.consumed.append(message)
        return message

    async def for_app(self) -> Message:
        if self._position < len(self.consumed):
            message = self.consumed[self._position]
            self._position += 1
            return message
        return await self.receive()


_FILE_EXTENSIONS = ("http.response.pathsend", "zephyr.sendfile")


def _body_only(scope: Scope) -> Scope:
    """The scope without the file-sending extensions: the response is re-sent as body chunks."""
    extensions = scope.get("extensions")
    if not extensions or not any(name in extensions for name in _FILE_EXTENSIONS):
        return scope
    kept = {k: v for k, v in extensions.items() if k not in _FILE_EXTENSIONS}
    return {**scope, "extensions": kept}


class BaseHTTPMiddleware:
    """HTTP middleware written as ``async def dispatch(request, call_next) -> Response``.

    ``call_next(request)`` runs the rest of the stack and returns its
    response (headers may be read and changed, the body streams through);
    ``dispatch`` may also return a different response. Non-HTTP scopes pass
    straight through.

    Args:
        app: The wrapped ASGI app.
        dispatch: The dispatch function; default the ``dispatch`` method
            (override it in a subclass).
    """

    def __init__(self, app: ASGIApp, dispatch: DispatchFunction | None = None) -> None:
        self.app = app
        self.dispatch_func = self.dispatch if dispatch is None else dispatch

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run ``dispatch`` for HTTP scopes and send the response it returns."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        tap = _ReceiveTap(receive)
        request = Request(scope, tap.for_middleware)
        calls: list[_Downstream] = []

        async def call_next(request: Request) -> Response:
            if calls:
                raise RuntimeError("call_next() may only be called once per request")
            # PERF: no replay wrapper unless dispatch actually read the body.
            app_receive = tap.for_app if tap.consumed else receive
            downstream = _Downstream(self.app, _body_only(request.scope), app_receive)
            calls.append(downstream)
            await downstream.step(stop_when_blocked=True)
            if downstream.start is None:
                raise RuntimeError("No response returned.")
            return _DownstreamResponse(downstream)

        try:
            response = await self.dispatch_func(request, call_next)
            await response(scope, receive, send)
        finally:
            for downstream in calls:
                await downstream.close()

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        """Override in subclasses: handle ``request``, usually via ``call_next``."""
        raise NotImplementedError()  # pragma: no cover
