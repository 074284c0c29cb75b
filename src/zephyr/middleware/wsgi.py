"""``WSGIMiddleware``: mount a WSGI application (Flask, Django, ...) inside an ASGI app.

A thin wrapper over the a2wsgi library, which runs the WSGI app in a thread
pool and streams request and response bodies between the two worlds
(PEP 3333 on one side, ASGI 3 on the other).
"""

from __future__ import annotations

import io
import sys
from typing import Any

from zephyr.types import Receive, Scope, Send

__all__ = ["WSGIMiddleware", "build_environ"]

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


def build_environ(scope: Scope, body: bytes) -> dict[str, Any]:
    """Build the PEP 3333 WSGI ``environ`` for an ASGI HTTP scope and its whole body.

    Args:
        scope: An ASGI ``http`` scope.
        body: The complete request body (read by ``environ["wsgi.input"]``).

    Returns:
        The ``environ`` dict: CGI variables (``REQUEST_METHOD``, ``SCRIPT_NAME``,
        ``PATH_INFO``...), ``HTTP_*`` headers (repeated headers joined with
        ``,``, RFC 9110 section 5.3) and the ``wsgi.*`` keys. Paths are
        "bytes as latin-1" strings, as PEP 3333 specifies.
    """
    root_path: str = scope.get("root_path", "")
    path: str = scope["path"]
    # SCRIPT_NAME is the mount point; PATH_INFO what lies below it.
    below = path.startswith(root_path) and (
        root_path.endswith("/") or path[len(root_path) : len(root_path) + 1] in ("", "/")
    )
    path_info = path[len(root_path) :] if below else path  # "/app" is not a prefix of "/apple"
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": root_path.encode("utf-8").decode("latin-1"),
        "PATH_INFO": path_info.encode("utf-8").decode("latin-1"),
        "QUERY_STRING": scope["query_string"].decode("ascii"),
        "SERVER_PROTOCOL": f"HTTP/{scope['http_version']}",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stdout,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    server = scope.get("server") or ("localhost", 80)
    environ["SERVER_NAME"], environ["SERVER_PORT"] = server[0], server[1]
    client = scope.get("client")
    if client:
        environ["REMOTE_ADDR"] = client[0]
    for raw_name, raw_value in scope.get("headers", ()):
        name = raw_name.decode("latin-1").upper().replace("-", "_")
        key = name if name in ("CONTENT_LENGTH", "CONTENT_TYPE") else f"HTTP_{name}"
        value = raw_value.decode("latin-1")
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    return environ
