"""An ASGI app serving the vendored Swagger UI / ReDoc files, so docs work offline.

Only files found under the asset directory when the app is created can be
served: requests are looked up by exact relative path in that table, so no
request path (``..``, encoded separators, absolute paths, NUL bytes) can
reach anything else on disk.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from zephyr.concurrency import run_in_threadpool
from zephyr.routing import get_route_path
from zephyr.types import Receive, Scope, Send

__all__ = ["STATIC_DIR", "DocsStaticFiles", "PathParamEndpoint"]

STATIC_DIR = Path(__file__).parent / "static"

_CONTENT_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
    ".html": "text/html; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}
_DEFAULT_CONTENT_TYPE = "text/plain; charset=utf-8"  # LICENSE, NOTICE
# Text compresses 3-5x; PNG is already compressed.
_COMPRESSIBLE = frozenset({".js", ".css", ".html", ".md", ".txt", ""})


@dataclass
class _Asset:
    """One servable file; its bytes are read (and gzipped) on first use."""

    path: Path
    content_type: str
    compressible: bool
    body: bytes | None = None
    etag: str = ""
    gzip_body: bytes | None = field(default=None, repr=False)

    def load(self) -> None:
        """Read the file once; blocking, so callers run it in the thread pool."""
        body = self.path.read_bytes()
        digest = hashlib.sha256(body).hexdigest()[:32]
        if self.compressible:
            self.gzip_body = gzip.compress(body, compresslevel=6, mtime=0)
        self.etag = f'"{digest}"'
        self.body = body


class DocsStaticFiles:
    """Serve the docs UI assets over ASGI (HTTP only, ``GET``/``HEAD``).

    Responses carry a strong ``ETag`` (content hash), ``Cache-Control``,
    ``X-Content-Type-Options: nosniff``, and a gzip body when the client
    accepts it. ``If-None-Match`` gets ``304 Not Modified`` (RFC 9110
    section 13.1.2). Unknown paths get 404, other methods 405.

    Args:
        directory: The asset directory; default the vendored ``static/``.
        cache_control: The ``Cache-Control`` value, default one day.
    """

    def __init__(
        self,
        directory: str | os.PathLike[str] | None = None,
        *,
        cache_control: str = "public, max-age=86400",
    ) -> None:
        self.directory = Path(directory) if directory is not None else STATIC_DIR
        self.cache_control = cache_control
        self._assets = _scan(self.directory)

    @property
    def paths(self) -> list[str]:
        """The servable relative paths, e.g. ``"swagger-ui-dist@5.35.0/swagger-ui.css"``."""
        return sorted(self._assets)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection (ASGI 3); websockets are closed with 1000."""
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1000, "reason": ""})
            return
        if scope["type"] != "http":
            return
        await self.serve(scope, send, get_route_path(scope).lstrip("/"))

    async def serve(self, scope: Scope, send: Send, relative_path: str) -> None:
        """Answer one HTTP request for the asset at ``relative_path``.

        Args:
            scope: The request's HTTP scope (its method and headers are read).
            send: The ASGI ``send`` callable.
            relative_path: The asset's path below the directory, e.g.
                ``"swagger-ui-dist@5.35.0/swagger-ui.css"``; anything not in the table
                (``..``, absolute paths) gets 404.
        """
        if scope["method"] not in ("GET", "HEAD"):
            await _plain(send, 405, b"Method Not Allowed", [(b"allow", b"GET, HEAD")])
            return
        # PERF: one dict lookup decides existence and safety at once.
        asset = self._assets.get(relative_path)
        if asset is None:
            await _plain(send, 404, b"Not Found", [])
            return
        if asset.body is None:
            await run_in_threadpool(asset.load)
        await self._send_asset(scope, send, asset)

    async def _send_asset(self, scope: Scope, send: Send, asset: _Asset) -> None:
        request_headers = dict(scope.get("headers", ()))
        use_gzip = asset.gzip_body is not None and _accepts_gzip(
            request_headers.get(b"accept-encoding", b"")
        )
        etag = asset.etag[:-1] + '-gz"' if use_gzip else asset.etag
        headers = [
            (b"etag", etag.encode()),
            (b"cache-control", self.cache_control.encode("latin-1")),
        ]
        if asset.compressible:
            headers.append((b"vary", b"Accept-Encoding"))
        if _etag_matches(request_headers.get(b"if-none-match"), etag):
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        body = asset.gzip_body if use_gzip else asset.body
        assert body is not None
        headers += [
            (b"content-type", asset.content_type.encode()),
            (b"content-length", str(len(body)).encode()),
            (b"x-content-type-options", b"nosniff"),
        ]
        if use_gzip:
            headers.append((b"content-encoding", b"gzip"))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        payload = b"" if scope["method"] == "HEAD" else body
        await send({"type": "http.response.body", "body": payload})


class PathParamEndpoint:
    """An ASGI endpoint for a ``Route`` at ``.../{path:path}`` serving ``files``.

    A route in the app's compiled table, unlike a ``Mount``, costs other
    routes nothing per request (a mount is matched in order against every
    path the table misses).

    Args:
        files: The asset app; the route's ``path`` parameter names the asset.
    """

    def __init__(self, files: DocsStaticFiles) -> None:
        self.files = files

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the asset named by ``scope["path_params"]["path"]`` (ASGI 3, HTTP)."""
        await self.files.serve(scope, send, scope["path_params"]["path"])


def _scan(directory: Path) -> dict[str, _Asset]:
    assets: dict[str, _Asset] = {}
    for path in sorted(directory.rglob("*")):
        if not path.is_file() or path.is_symlink() or "__pycache__" in path.parts:
            continue
        suffix = path.suffix.lower()
        relative = path.relative_to(directory).as_posix()
        content_type = _CONTENT_TYPES.get(suffix, _DEFAULT_CONTENT_TYPE)
        assets[relative] = _Asset(path, content_type, suffix in _COMPRESSIBLE)
    return assets


def _accepts_gzip(value: bytes) -> bool:
    """Whether ``Accept-Encoding`` (RFC 9110 section 12.5.3) allows gzip."""
    for item in value.decode("latin-1").lower().split(","):
        coding, _, params = item.partition(";")
        if coding.strip() not in ("gzip", "*"):
            continue
        weight = params.strip()
        if not weight.startswith("q="):
            return True
        try:
            return float(weight[2:]) > 0
        except ValueError:
            return False
    return False


def _etag_matches(if_none_match: bytes | None, etag: str) -> bool:
    """Weak comparison of ``If-None-Match`` against our ETag (RFC 9110 13.1.2)."""
    if not if_none_match:
        return False
    value = if_none_match.decode("latin-1").strip()
    if value == "*":
        return True
    candidates = (tag.strip().removeprefix("W/") for tag in value.split(","))
    return etag in candidates


async def _plain(send: Send, status: int, body: bytes, extra: list[tuple[bytes, bytes]]) -> None:
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
