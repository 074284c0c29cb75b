"""``WSGIMiddleware``: mount a WSGI application (Flask, Django, ...) inside an ASGI app.

A thin wrapper over the a2wsgi library, which runs the WSGI app in a thread
pool and streams request and response bodies between the two worlds
(PEP 3333 on one side, ASGI 3 on the other).
"""

from __future__ import annotations

from typing import Any

from zephyr.types import Receive, Scope, Send

__all__ = ["WSGIMiddleware"]

_MISSING = "WSGIMiddleware requires a2wsgi. Install it with: pip install 'zephyr[standard]'"


class WSGIMiddleware:
    """Serve a WSGI application as an ASGI app (HTTP only).

    Args:
        app: The WSGI callable ``(environ, start_response) -> iterable of bytes``.
        workers: Threads running WSGI calls. Default 10.

    Raises:
        ImportError: a2wsgi is not installed.
    """

    def __init__(self, app: Any, workers: int = 10) -> None:
        try:
            from a2wsgi import WSGIMiddleware as _A2WSGI
        except ModuleNotFoundError as exc:  # pragma: no cover - depends on the install
            raise ImportError(_MISSING) from exc
        self.app = app
        self._asgi = _A2WSGI(app, workers=workers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http", "WSGIMiddleware serves HTTP requests only"
        await self._asgi(scope, receive, send)  # type: ignore[arg-type]
