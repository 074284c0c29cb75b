"""``BaseHTTPMiddleware``: write HTTP middleware as ``dispatch(request, call_next)``.

The semantics are Starlette's (1.10), so middleware written for it behaves the same:

* ``call_next(request)`` runs the rest of the stack in a task of its own
  (a copy of the caller's context: context variables the endpoint sets are
  not seen by ``dispatch``) and returns as soon as the response headers are
  known. The body streams through a one-message hand-over, so memory stays
  bounded whatever the body size.
* The request body is shared: what ``dispatch`` read with ``body()`` is given
  to the app whole; after ``dispatch`` read it with ``stream()`` the app gets
  an empty body; while ``dispatch`` has not read it all, the app reads the
  rest from the client. A body the app consumed cannot be streamed again by
  ``dispatch`` (``RuntimeError("Stream consumed")``) unless ``dispatch`` had
  cached it with ``body()`` first. One ``http.disconnect``, seen by either
  side, is answered to every later receive of both.
* The app's last body message is held until the response has gone out to
  the client, so its background tasks run after the response is sent; the
  middleware's call ends once the app (and those tasks) did.
* ``http.response.early_hint`` messages go straight out; an
  ``http.response.pathsend`` response is passed on as such.
* An exception raised downstream before the response starts comes out of
  ``call_next``; after, out of the body iterator. An app that is still
  running once the middleware's response has been sent (its response was
  dropped) is cancelled.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable

from zephyr.datastructures import MutableHeaders
from zephyr.requests import Request
from zephyr.responses import Response
from zephyr.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["BaseHTTPMiddleware", "DispatchFunction", "RequestResponseEndpoint"]

RequestResponseEndpoint = Callable[[Request], Awaitable[Response]]
DispatchFunction = Callable[[Request, RequestResponseEndpoint], Awaitable[Response]]

_DISCONNECT: Message = {"type": "http.disconnect"}
# A zephyr-only extension whose message the re-sent response can't carry.
_BODY_ONLY_EXTENSIONS = ("zephyr.sendfile",)


def _is_last_body(message: Message) -> bool:
    return message["type"] == "http.request" and not message.get("more_body", False)


class _SharedBodyRequest(Request):
    """The request ``dispatch`` sees; its body is also the downstream app's receive channel.

    Args:
        scope: The HTTP scope.
        receive: The client's receive channel.
        send: The client's send channel (early hints from ``dispatch``).
    """

    def __init__(self, scope: Scope, receive: Receive, send: Send) -> None:
        super().__init__(scope, self._receive_for_dispatch, send)
        self._source = receive
        self._dispatch_read_all = False  # dispatch received the last body message
        self._app_read_all = False  # the app received the last body message
        self._client_gone = False  # an http.disconnect arrived

    def _note(self, message: Message) -> None:
        if message["type"] == "http.disconnect":
            self._client_gone = True

    async def _receive_for_dispatch(self) -> Message:
        if self._client_gone:
            return _DISCONNECT
        message = await self._source()
        self._note(message)
        if _is_last_body(message):
            self._dispatch_read_all = True
        return message

    def _check_not_taken(self) -> None:
        if self.received_body is None and self._app_read_all and not self._dispatch_read_all:
            raise RuntimeError("Stream consumed")

    async def stream(self) -> AsyncGenerator[bytes, None]:
        """As :meth:`Request.stream`; ``RuntimeError`` if the app consumed the body.

        Raises:
            RuntimeError: The downstream app read the body and ``body()`` had not cached it.
        """
        self._check_not_taken()
        async for chunk in super().stream():
            yield chunk

    async def body(self) -> bytes:
        """As :meth:`Request.body`; ``RuntimeError`` if the app consumed the body first.

        Raises:
            RuntimeError: The downstream app read the body and it was not cached.
        """
        self._check_not_taken()
        return await super().body()

    async def receive_for_app(self) -> Message:
        """The downstream app's receive channel (the shared-body rules of the module doc)."""
        if self._dispatch_read_all and not self._app_read_all:
            self._app_read_all = True
            # body() cached it: the whole body; read by stream(): nothing is left.
            body = self.received_body
            return {"type": "http.request", "body": body or b"", "more_body": False}
        if self._client_gone:
            return _DISCONNECT
        message = await self._source()
        self._note(message)
        if _is_last_body(message):
            self._app_read_all = True
        return message


class _Downstream:
    """The rest of the stack, run in its own task; hands its messages over one at a time.

    Args:
        app: The wrapped ASGI app.
        scope: The scope it is called with.
        receive: Its receive channel.
        send: The client's send channel (for early hints, sent straight out).
    """

    def __init__(self, app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        self._client_send = send
        self._slot: Message | None = None
        self._taker: asyncio.Future[None] | None = None  # the middleware waits for a message
        self._giver: asyncio.Future[None] | None = None  # the app waits for the slot to empty
        self.response_sent = asyncio.Event()  # the middleware's response has gone out
        self.ended = False
        self.complete = False  # the app sent its last body (or pathsend) message
        self._error_delivered = False  # its exception already came out of call_next/the body
        self.task = asyncio.get_running_loop().create_task(self._run(app, scope, receive))

    async def _run(self, app: ASGIApp, scope: Scope, receive: Receive) -> None:
        try:
            await app(scope, receive, self._send)
        finally:
            self.ended = True
            _wake(self._taker)

    async def _send(self, message: Message) -> None:
        if message["type"] == "http.response.early_hint":
            await self._client_send(message)
            return
        while self._slot is not None and not self.response_sent.is_set():
            giver = self._giver = asyncio.get_running_loop().create_future()
            await giver
        if self.response_sent.is_set():
            return  # the response went out (or was dropped): nothing takes more
        self._slot = message
        _wake(self._taker)
        if message["type"] == "http.response.pathsend" or (
            message["type"] == "http.response.body" and not message.get("more_body", False)
        ):
            self.complete = True
            # Hold the app (and its background tasks) until the response went out.
            await self.response_sent.wait()

    async def next_message(self) -> Message | None:
        """The app's next message; ``None`` once it ended without one.

        Raises:
            BaseException: What the app raised, once it ended by raising.
        """
        while self._slot is None:
            if self.ended:
                self._error_delivered = True
                _reraise(self.task)
                return None
            taker = self._taker = asyncio.get_running_loop().create_future()
            await taker
        message, self._slot = self._slot, None
        _wake(self._giver)
        return message

    async def finish(self) -> None:
        """After the middleware's response: let the app end (cancel it if it still streams).

        Raises:
            Exception: What the app (or a background task of its response) raised.
        """
        self.response_sent.set()
        _wake(self._giver)
        task = self.task
        if task.done() and self._error_delivered:
            return  # its exception already came out of call_next or the body
        dropped = not task.done() and not self.complete
        if dropped:
            task.cancel()  # its response was dropped before its end
        try:
            await task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if not (dropped and task.cancelled()) or (current and current.cancelling()):
                raise
            # The dropped response's cancellation is ours, not an error.


def _wake(waiter: asyncio.Future[None] | None) -> None:
    if waiter is not None and not waiter.done():
        waiter.set_result(None)


def _reraise(task: asyncio.Task[None]) -> None:
    """Raise what the finished ``task`` raised, keeping its own cause in the traceback."""
    if task.cancelled():
        raise asyncio.CancelledError()
    error = task.exception()
    if error is None:
        return
    try:
        raise _AppEnded()
    except _AppEnded:
        # Raised from its cause, or its context: that chain is what explains it.
        raise error from (error.__cause__ or error.__context__)


class _AppEnded(Exception):
    """The downstream app ended by raising (the context its error is re-raised in)."""


class _DownstreamResponse(Response):
    """The response ``call_next`` returns: headers known, body from the downstream app."""

    def __init__(self, downstream: _Downstream, start: Message, debug: Message | None) -> None:
        self.status_code = start["status"]
        # ``http.response.debug`` (a template's name and context, for the test
        # client) the app sent before its start: passed on ahead of the start.
        self._debug = debug
        self.raw_headers = list(start.get("headers") or [])
        self.background = None
        self._downstream = downstream
        self._file_message: Message | None = None
        self.body_iterator: AsyncIterator[bytes] = self._body()

    @property
    def headers(self) -> MutableHeaders:
        if self._headers is None:
            self._headers = MutableHeaders(raw=self.raw_headers)
        return self._headers

    async def _body(self) -> AsyncGenerator[bytes, None]:
        while True:
            message = await self._downstream.next_message()
            if message is None:
                return
            kind = message["type"]
            if kind == "http.response.pathsend":
                self._file_message = message
                return
            if kind != "http.response.body":
                continue
            body = message.get("body", b"")
            if body:
                yield bytes(body)
            if not message.get("more_body", False):
                return

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._debug is not None:
            await send(self._debug)
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        async for chunk in self.body_iterator:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        if self._file_message is not None:
            await send(self._file_message)
        else:
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        self._downstream.response_sent.set()
        if self.background is not None:
            await self.background()


def _app_scope(scope: Scope) -> Scope:
    """The scope without the extensions the re-sent response cannot carry."""
    extensions = scope.get("extensions")
    if not extensions or not any(name in extensions for name in _BODY_ONLY_EXTENSIONS):
        return scope
    kept = {k: v for k, v in extensions.items() if k not in _BODY_ONLY_EXTENSIONS}
    return {**scope, "extensions": kept}


class BaseHTTPMiddleware:
    """HTTP middleware written as ``async def dispatch(request, call_next) -> Response``.

    ``call_next(request)`` runs the rest of the stack and returns its
    response (headers may be read and changed, the body streams through);
    ``dispatch`` may also return a different response. Non-HTTP scopes pass
    straight through. See the module doc for the request-body, background
    and exception rules.

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
        request = _SharedBodyRequest(scope, receive, send)
        calls: list[_Downstream] = []

        async def call_next(request: Request) -> Response:
            if calls:
                raise RuntimeError("call_next() may only be called once per request")
            app_receive = (
                request.receive_for_app if isinstance(request, _SharedBodyRequest) else receive
            )
            downstream = _Downstream(self.app, _app_scope(request.scope), app_receive, send)
            calls.append(downstream)
            start = await downstream.next_message()
            debug = None
            if start is not None and start["type"] == "http.response.debug":
                debug, start = start, await downstream.next_message()
            if start is None:
                raise RuntimeError("No response returned.")
            if start["type"] != "http.response.start":
                raise RuntimeError(f"Expected http.response.start, got {start['type']!r}")
            return _DownstreamResponse(downstream, start, debug)

        try:
            response = await self.dispatch_func(request, call_next)
            await response(scope, receive, send)
        except BaseException:
            for downstream in calls:
                if not downstream.task.done():
                    downstream.task.cancel()
            raise
        for downstream in calls:
            await downstream.finish()

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        """Override in subclasses: handle ``request``, usually via ``call_next``."""
        raise NotImplementedError()  # pragma: no cover
