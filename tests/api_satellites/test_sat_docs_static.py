"""The offline docs asset app: content types, caching, compression, traversal."""

from __future__ import annotations

import gzip
import os
from pathlib import Path
from typing import Any

import pytest

from zephyr.openapi.docs import (
    DOCS_STATIC_PATH,
    STATIC_DIR,
    DocsStaticFiles,
    docs_asset_urls,
)
from zephyr.routing import Mount, Router
from zephyr.types import ASGIApp, Message

from ._helpers import run


class Reply:
    """Everything an ASGI app sent for one request."""

    def __init__(self, messages: list[Message]) -> None:
        start = messages[0]
        self.status: int = start["status"]
        self.headers = {k.decode(): v.decode() for k, v in start.get("headers", [])}
        self.body = b"".join(m.get("body", b"") for m in messages[1:])


def request(
    app: ASGIApp,
    path: str,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    root_path: str = "",
) -> Reply:
    scope: dict[str, Any] = {
        "type": "http",
        "method": method,
        "path": root_path + path,
        "root_path": root_path,
        "query_string": b"",
        "headers": [(k.encode(), v.encode()) for k, v in (headers or {}).items()],
    }
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    run(app(scope, receive, send))
    return Reply(sent)


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/swagger-ui-dist@5.35.0/swagger-ui-bundle.js", "text/javascript; charset=utf-8"),
        ("/swagger-ui-dist@5.35.0/swagger-ui.css", "text/css; charset=utf-8"),
        ("/swagger-ui-dist@5.35.0/favicon-32x32.png", "image/png"),
        ("/swagger-ui-dist@5.35.0/oauth2-redirect.js", "text/javascript; charset=utf-8"),
        ("/redoc@2.5.4/redoc.standalone.js", "text/javascript; charset=utf-8"),
        ("/redoc@2.5.4/LICENSE", "text/plain; charset=utf-8"),
    ],
)
def test_assets_are_served_with_their_type(
    static_app: DocsStaticFiles, path: str, content_type: str
) -> None:
    reply = request(static_app, path)
    assert reply.status == 200
    assert reply.headers["content-type"] == content_type
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert reply.headers["cache-control"] == "public, max-age=86400"
    assert "content-encoding" not in reply.headers
    assert reply.body == (STATIC_DIR / path.lstrip("/")).read_bytes()
    assert int(reply.headers["content-length"]) == len(reply.body)
    assert reply.headers["etag"].startswith('"') and reply.headers["etag"].endswith('"')


def test_every_default_docs_url_resolves(static_app: DocsStaticFiles) -> None:
    for url in docs_asset_urls():
        assert url.startswith(DOCS_STATIC_PATH + "/")
        assert request(static_app, url[len(DOCS_STATIC_PATH) :]).status == 200, url


def test_licenses_are_shipped(static_app: DocsStaticFiles) -> None:
    assert {
        "swagger-ui-dist@5.35.0/LICENSE",
        "swagger-ui-dist@5.35.0/NOTICE",
        "redoc@2.5.4/LICENSE",
    } <= set(static_app.paths)
    assert b"Apache License" in request(static_app, "/swagger-ui-dist@5.35.0/LICENSE").body
    assert b"MIT" in request(static_app, "/redoc@2.5.4/LICENSE").body


def test_gzip_when_accepted(static_app: DocsStaticFiles) -> None:
    plain = request(static_app, "/swagger-ui-dist@5.35.0/swagger-ui.css")
    packed = request(
        static_app,
        "/swagger-ui-dist@5.35.0/swagger-ui.css",
        headers={"accept-encoding": "br, gzip"},
    )
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.headers["vary"] == "Accept-Encoding"
    assert gzip.decompress(packed.body) == plain.body
    assert len(packed.body) < len(plain.body) // 3
    assert packed.headers["etag"] != plain.headers["etag"]  # distinct representations
    for refused in ("gzip;q=0", "br", "identity", "gzip;q=bogus"):
        reply = request(
            static_app,
            "/swagger-ui-dist@5.35.0/swagger-ui.css",
            headers={"accept-encoding": refused},
        )
        assert "content-encoding" not in reply.headers, refused
    png = request(
        static_app, "/swagger-ui-dist@5.35.0/favicon-32x32.png", headers={"accept-encoding": "gzip"}
    )
    assert "content-encoding" not in png.headers and "vary" not in png.headers


def test_conditional_get(static_app: DocsStaticFiles) -> None:
    first = request(static_app, "/redoc@2.5.4/redoc.standalone.js")
    etag = first.headers["etag"]
    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        reply = request(
            static_app, "/redoc@2.5.4/redoc.standalone.js", headers={"if-none-match": header}
        )
        assert reply.status == 304, header
        assert reply.body == b""
        assert reply.headers["etag"] == etag
    stale = request(
        static_app, "/redoc@2.5.4/redoc.standalone.js", headers={"if-none-match": '"nope"'}
    )
    assert stale.status == 200 and stale.body == first.body


def test_head_has_headers_but_no_body(static_app: DocsStaticFiles) -> None:
    reply = request(static_app, "/swagger-ui-dist@5.35.0/swagger-ui.css", method="HEAD")
    assert reply.status == 200 and reply.body == b""
    assert (
        int(reply.headers["content-length"])
        == (STATIC_DIR / "swagger-ui-dist@5.35.0/swagger-ui.css").stat().st_size
    )


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "OPTIONS"])
def test_other_methods_are_405(static_app: DocsStaticFiles, method: str) -> None:
    reply = request(static_app, "/swagger-ui-dist@5.35.0/swagger-ui.css", method=method)
    assert reply.status == 405
    assert reply.headers["allow"] == "GET, HEAD"


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "",
        "/swagger-ui",
        "/swagger-ui-dist@5.35.0/",
        "/swagger-ui-dist@5.35.0/missing.js",
        "/swagger-ui-dist@5.35.0/swagger-ui-bundle.js.map",
        "/../docs.py",
        "/swagger-ui-dist@5.35.0/../../docs.py",
        "/swagger-ui-dist@5.35.0/../../../__init__.py",
        "/..%2fdocs.py",
        "/%2e%2e/docs.py",
        "/swagger-ui-dist@5.35.0/..\\..\\docs.py",
        "//etc/passwd",
        "/etc/passwd",
        "/" + str(STATIC_DIR.parent / "docs.py"),
        "/swagger-ui-dist@5.35.0/swagger-ui.css\x00.png",
        "/./swagger-ui-dist@5.35.0/swagger-ui.css",
        "/SWAGGER-UI/swagger-ui.css",
        "/__pycache__/x.pyc",
    ],
)
def test_traversal_and_unknown_paths_are_404(static_app: DocsStaticFiles, path: str) -> None:
    reply = request(static_app, path)
    assert reply.status == 404
    assert reply.body == b"Not Found"


def test_mounted_under_a_router_and_root_path(static_app: DocsStaticFiles) -> None:
    router = Router(routes=[Mount(DOCS_STATIC_PATH, app=static_app)])
    reply = request(
        router, DOCS_STATIC_PATH + "/swagger-ui-dist@5.35.0/swagger-ui.css", root_path="/api"
    )
    assert reply.status == 200
    assert reply.headers["content-type"] == "text/css; charset=utf-8"
    assert request(router, DOCS_STATIC_PATH + "/../openapi/docs.py").status == 404


def test_websocket_is_closed(static_app: DocsStaticFiles) -> None:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "websocket.connect"}

    async def send(message: Message) -> None:
        sent.append(message)

    run(static_app({"type": "websocket", "path": "/x", "headers": []}, receive, send))
    assert sent == [{"type": "websocket.close", "code": 1000, "reason": ""}]


def test_custom_directory_skips_symlinks_and_caches(tmp_path: Path) -> None:
    (tmp_path / "a.js").write_text("let a = 1;")
    outside = tmp_path.parent / f"{tmp_path.name}-secret.txt"
    outside.write_text("secret")
    os.symlink(outside, tmp_path / "link.txt")
    app = DocsStaticFiles(tmp_path, cache_control="no-cache")
    assert app.paths == ["a.js"]
    assert request(app, "/link.txt").status == 404
    first = request(app, "/a.js")
    assert (first.status, first.body, first.headers["cache-control"]) == (
        200,
        b"let a = 1;",
        "no-cache",
    )
    # Files are read once: later edits on disk are not picked up until restart.
    (tmp_path / "a.js").write_text("changed")
    assert request(app, "/a.js").body == b"let a = 1;"
