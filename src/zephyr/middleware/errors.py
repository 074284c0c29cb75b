"""``ServerErrorMiddleware``: the outermost safety net, answering unhandled errors with 500.

It always re-raises, so the server logs the exception; the client only sees
internals (a traceback page) when the application runs with ``debug=True``.
"""

from __future__ import annotations

import html
import inspect
import traceback
from collections.abc import Iterable
from typing import Any

from zephyr.concurrency import run_in_threadpool
from zephyr.requests import Request
from zephyr.responses import HTMLResponse, PlainTextResponse, Response
from zephyr.types import ASGIApp, ExceptionHandler, Message, Receive, Respond, Scope, Send

__all__ = ["ResponseTracker", "ServerErrorMiddleware"]

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>500 Internal Server Error</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; }}
.frame {{ border: 1px solid #ccc; margin: 0.5em 0; padding: 0.5em; }}
.where {{ color: #555; }}
pre {{ background: #f6f6f6; padding: 0.5em; overflow-x: auto; }}
</style></head>
<body>
<h1>500 Internal Server Error</h1>
<h2>{title}</h2>
<p>Most recent call last:</p>
{frames}
</body>
</html>
"""

_FRAME = """<div class="frame"><div class="where">{file}, line {line}, in <b>{func}</b></div>
<pre>{code}</pre></div>"""


class ResponseTracker:
    """A ``send`` wrapper remembering whether the response has started.

    ``ExceptionMiddleware`` receives this very object when nothing sits
    between the two middlewares and reads ``started`` from it instead of
    wrapping ``send`` again.

    Args:
        send: The ASGI ``send`` to forward to.
        respond: The server's native ``respond`` to forward to, if any
            (see ``zephyr.types.Respond``).

    Attributes:
        started: Whether ``http.response.start`` has been sent, or a whole
            response handed to ``respond``.
    """

    __slots__ = ("_respond", "send", "started")

    def __init__(self, send: Send, respond: Respond | None = None) -> None:
        self.send = send
        self._respond = respond
        self.started = False

    def __call__(self, message: Message) -> Any:
        # PERF: returns send's awaitable: no extra coroutine frame per message.
        if message["type"] == "http.response.start":
            self.started = True
        return self.send(message)

    def respond(
        self, status: int, headers: Iterable[tuple[bytes, bytes]], body: bytes | memoryview
    ) -> None:
        """Forward a whole response to the server's ``respond``."""
        self.started = True
        self._respond(status, headers, body)  # type: ignore[misc]  # only bound when given


class ServerErrorMiddleware:
    """Answer unhandled exceptions with a 500 response, then re-raise them.

    Args:
        app: The wrapped ASGI app.
        handler: ``(request, exc) -> Response`` for the 500 response (async
            awaited, sync run in the thread pool); default a plain
            ``Internal Server Error``. Ignored when ``debug`` is on.
        debug: Serve a traceback page (HTML if the client accepts it, else
            plain text) instead. Never enable in production.
    """

    def __init__(
        self, app: ASGIApp, handler: ExceptionHandler | None = None, debug: bool = False
    ) -> None:
        self.app = app
        self.handler = handler
        self.debug = debug

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Call the app; on an exception, send a 500 if nothing was sent yet and re-raise."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sender = ResponseTracker(send)
        try:
            await self.app(scope, receive, sender)
        except Exception as exc:
            await self.answer(exc, scope, receive, send, sender.started)
            # Re-raise so the server logs it (and closes the connection if
            # the response was already under way).
            raise

    async def answer(
        self, exc: Exception, scope: Scope, receive: Receive, send: Send, started: bool
    ) -> None:
        """Send the 500 response for ``exc`` unless the response has ``started``.

        The caller re-raises ``exc`` afterwards, so the server logs it.

        Args:
            exc: The unhandled exception.
            scope: The request's ASGI scope.
            receive: The ASGI ``receive``.
            send: The ASGI ``send`` the 500 response goes to.
            started: Whether the response had already started.
        """
        request = Request(scope)
        if self.debug:
            response: Any = self.debug_response(request, exc)
        elif self.handler is None:
            response = self.error_response(request, exc)
        elif inspect.iscoroutinefunction(self.handler):
            response = await self.handler(request, exc)
        else:
            response = await run_in_threadpool(self.handler, request, exc)
        if not started and response is not None:
            await response(scope, receive, send)

    def error_response(self, request: Request, exc: Exception) -> Response:
        """The default 500 response: no internals."""
        return PlainTextResponse("Internal Server Error", status_code=500)

    def debug_response(self, request: Request, exc: Exception) -> Response:
        """A traceback page: HTML when the client accepts it, else plain text."""
        if "text/html" in request.headers.get("accept", ""):
            return HTMLResponse(self.generate_html(exc), status_code=500)
        return PlainTextResponse(self.generate_plain_text(exc), status_code=500)

    def generate_plain_text(self, exc: BaseException) -> str:
        """The formatted traceback."""
        return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))

    def generate_html(self, exc: BaseException, limit: int = 20) -> str:
        """An HTML traceback page; every piece of text is HTML-escaped.

        Args:
            exc: The exception.
            limit: Most frames shown (innermost ones kept).

        Returns:
            The page.
        """
        summary = traceback.TracebackException.from_exception(exc, limit=-limit)
        frames = "\n".join(
            _FRAME.format(
                file=html.escape(frame.filename),
                line=frame.lineno,
                func=html.escape(frame.name),
                code=html.escape(frame.line or ""),
            )
            for frame in summary.stack
        )
        title = html.escape("".join(summary.format_exception_only()).strip())
        return _PAGE.format(title=title, frames=frames)
