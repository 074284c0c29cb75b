"""StaticFiles: lookup, HTML mode, methods, conditionals/ranges and a table of traversal attacks."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from tests.toolkit.conftest import Channel, http_scope
from zephyr._app import BaseApp
from zephyr.exceptions import HTTPException
from zephyr.routing import Mount
from zephyr.staticfiles import NotModifiedResponse, StaticFiles
from zephyr.testclient import TestClient

# Request targets below the mount "/static" that must never reach a file
# outside the served directory: all answer 404. Raw, as sent on the wire; the
# server percent-decodes them into scope["path"] (see ``scope_for``).
TRAVERSAL_VECTORS = [
    "/static/../secret.txt",
    "/static/%2e%2e/secret.txt",
    "/static/%2E%2E/secret.txt",
    "/static/%2e%2e%2fsecret.txt",
    "/static/..%2fsecret.txt",
    "/static/.%2e/secret.txt",
    "/static/%2e./secret.txt",
    "/static/%2e%2e%5csecret.txt",
    "/static/..%5csecret.txt",
    "/static/sub%5c..%5c..%5csecret.txt",
    "/static/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/static/" + "%2e%2e%2f" * 12 + "etc%2fpasswd",
    "/static/sub/../../secret.txt",
    "/static/sub/%2e%2e/%2e%2e/secret.txt",
    "/static/sub/..%2f..%2fsecret.txt",
    "/static/a.txt/../../secret.txt",
    "/static/%252e%252e/secret.txt",  # double encoding: a literal "%2e%2e" name
    "/static/%00",
    "/static/a.txt%00.png",
    "/static/%00/../secret.txt",
    "/static/C:/Windows/win.ini",
    "/static/c:%5cwindows%5cwin.ini",
    "/static/C:secret.txt",
    "/static/%5c%5cserver%5cshare%5cfile",
    "/static/%2f%2fserver%2fshare",
    "/static//etc/passwd",
    "/static/%2fetc%2fpasswd",
    "/static/..%c0%af../secret.txt",  # overlong UTF-8 "/"
    "/static/%c0%ae%c0%ae/secret.txt",  # overlong UTF-8 "."
    "/static/%ef%bc%8e%ef%bc%8e/secret.txt",  # fullwidth dots
    "/static/%u002e%u002e/secret.txt",  # IIS-style escapes are not escapes
    "/static/..;/secret.txt",
    "/static/...../secret.txt",
    "/static/~/secret.txt",
    "/static/out_link",  # symlink to a file outside the directory
    "/static/out_dir_link/x.txt",  # through a symlinked directory outside
    "/static/sub/../out_link",
]

ALLOWED = [
    ("/static/a.txt", b"hello"),
    ("/static/./a.txt", b"hello"),
    ("/static//a.txt", b"hello"),
    ("/static/a.txt/", b"hello"),
    ("/static/sub/b.txt", b"bee"),
    ("/static/inner_link", b"hello"),  # a symlink that stays inside is fine
    ("/static/sp%20ace.txt", b"space"),
    ("/static/caf%C3%A9.txt", b"cafe"),
]


def build_tree(tmp_path: Path) -> Path:
    """Lay out the served ``root`` plus secrets next to it (and symlinks to them)."""
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_bytes(b"hello")
    (root / "sp ace.txt").write_bytes(b"space")
    (root / "café.txt").write_bytes(b"cafe")
    (root / "sub" / "b.txt").write_bytes(b"bee")
    (root / "sub" / "index.html").write_bytes(b"<p>sub index</p>")
    (root / "404.html").write_bytes(b"<p>custom 404</p>")
    (root / "empty_dir").mkdir()
    (tmp_path / "secret.txt").write_bytes(b"SECRET")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "x.txt").write_bytes(b"SECRET")
    os.symlink(root / "a.txt", root / "inner_link")
    os.symlink(tmp_path / "secret.txt", root / "out_link")
    os.symlink(tmp_path / "outside", root / "out_dir_link")
    return root


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return build_tree(tmp_path)


def scope_for(target: str, method: str = "GET", **extra: Any) -> dict[str, Any]:
    """The scope zephyr's server builds for a raw request target (path percent-decoded)."""
    raw, _, query = target.partition("?")
    scope = http_scope(path=unquote(raw), method=method, query_string=query.encode(), **extra)
    scope["raw_path"] = raw.encode("latin-1")
    return scope


def call(app: Any, scope: dict[str, Any]) -> Channel:
    channel = Channel()
    asyncio.run(asyncio.wait_for(app(scope, channel.receive, channel.send), timeout=10))
    return channel


def make_app(root: Path, **options: Any) -> BaseApp:
    return BaseApp(routes=[Mount("/static", StaticFiles(directory=root, **options))])


@pytest.mark.parametrize("target", TRAVERSAL_VECTORS)
def test_traversal_vectors_are_404(tree: Path, target: str) -> None:
    for html in (False, True):
        channel = call(make_app(tree, html=html), scope_for(target))
        assert channel.start["status"] == 404, (target, html)
        assert b"SECRET" not in channel.body


@pytest.mark.parametrize(("target", "body"), ALLOWED)
def test_allowed_paths(tree: Path, target: str, body: bytes) -> None:
    channel = call(make_app(tree), scope_for(target))
    assert channel.start["status"] == 200, target
    assert channel.body == body


def test_follow_symlink_serves_outside_targets(tree: Path) -> None:
    app = make_app(tree, follow_symlink=True)
    assert call(app, scope_for("/static/out_link")).body == b"SECRET"
    assert call(app, scope_for("/static/out_dir_link/x.txt")).body == b"SECRET"
    # ... but ``..`` is still refused before any symlink is looked at.
    assert call(app, scope_for("/static/../secret.txt")).start["status"] == 404


@pytest.mark.parametrize(
    "target", ["/../outside.txt", "/..\\outside.txt", "/sub/../../outside.txt"]
)
def test_hostile_paths_from_get_path_are_404_in_get_response(tree: Path, target: str) -> None:
    (tree.parent / "outside.txt").write_text("secret")
    static = StaticFiles(directory=tree, follow_symlink=True)
    path = static.get_path(http_scope(path=target))
    with pytest.raises(HTTPException) as info:
        asyncio.run(static.get_response(path, {"method": "GET"}))
    assert info.value.status_code == 404
    assert static.lookup_path(path) == ("", None)


def test_get_path_joins_segments(tree: Path) -> None:
    static = StaticFiles(directory=tree)
    assert static.get_path(http_scope(path="/sub//b.txt")) == os.path.join("sub", "b.txt")
    assert static.get_path(http_scope(path="/./sub/")) == "sub"
    assert static.get_path(http_scope(path="/")) == ""


def test_unsearchable_directory_is_401(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # As root the permission bits deny nothing, so the refusal is simulated.
    real_stat = os.stat

    def refuse(path: Any, *args: Any, **kwargs: Any) -> Any:
        if str(path).endswith("a.txt"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_stat(path, *args, **kwargs)

    client = TestClient(make_app(tree))
    monkeypatch.setattr(os, "stat", refuse)
    response = client.get("/static/a.txt")
    assert response.status_code == 401
    assert response.text == "Unauthorized"


def test_a_denied_directory_does_not_hide_a_later_one(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    (second / "f.txt").write_text("found")
    static = StaticFiles(directory=first)
    static.all_directories.append(second)
    real_stat = os.stat

    def stat_denying_first(path: Any, *args: Any, **kwargs: Any) -> Any:
        if str(path).startswith(str(first)):
            raise PermissionError(13, "Permission denied", str(path))
        return real_stat(path, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "stat", stat_denying_first)
        full, found = static.lookup_path("f.txt")
    assert full == str(second / "f.txt")
    assert found is not None


# -- behaviour through the test client ------------------------------------------------


@pytest.fixture
def client(tree: Path) -> TestClient:
    app = BaseApp(
        routes=[
            Mount("/static", StaticFiles(directory=tree)),
            Mount("/site", StaticFiles(directory=tree, html=True)),
        ]
    )
    return TestClient(app, follow_redirects=False)


def test_file_with_validators(client: TestClient) -> None:
    response = client.get("/static/a.txt")
    assert response.status_code == 200
    assert response.text == "hello"
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["etag"]
    assert response.headers["last-modified"]


def test_conditional_and_range(client: TestClient) -> None:
    etag = client.get("/static/a.txt").headers["etag"]
    not_modified = client.get("/static/a.txt", headers={"if-none-match": etag})
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    partial = client.get("/static/a.txt", headers={"range": "bytes=1-3"})
    assert partial.status_code == 206
    assert partial.content == b"ell"
    assert partial.headers["content-range"] == "bytes 1-3/5"
    bad = client.get("/static/a.txt", headers={"range": "bytes=9-"})
    assert bad.status_code == 416
    assert bad.headers["content-range"] == "bytes */5"


def test_head(client: TestClient) -> None:
    response = client.head("/static/a.txt")
    assert response.status_code == 200
    assert response.headers["content-length"] == "5"
    assert response.content == b""


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
def test_other_methods_405(client: TestClient, method: str) -> None:
    response = client.request(method, "/static/a.txt")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"


def test_directories_without_html_mode_are_404(client: TestClient) -> None:
    assert client.get("/static/sub").status_code == 404
    assert client.get("/static/sub/").status_code == 404
    assert client.get("/static/").status_code == 404
    assert client.get("/static/missing.txt").status_code == 404


def test_html_mode(client: TestClient) -> None:
    redirect = client.get("/site/sub")
    assert redirect.status_code == 307
    assert redirect.headers["location"] == "http://testserver/site/sub/"
    index = client.get("/site/sub/")
    assert index.status_code == 200
    assert index.text == "<p>sub index</p>"
    assert index.headers["content-type"] == "text/html; charset=utf-8"
    for missing in ("/site/missing", "/site/empty_dir/", "/site/"):
        response = client.get(missing)
        assert response.status_code == 404, missing
        assert response.text == "<p>custom 404</p>"
        assert response.headers["content-type"] == "text/html; charset=utf-8"


def test_html_mode_without_404_page(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("root")
    client = TestClient(BaseApp(routes=[Mount("/", StaticFiles(directory=tmp_path, html=True))]))
    assert client.get("/").text == "root"
    assert client.get("/nope").status_code == 404


def test_404_page_ignores_range_and_conditionals(client: TestClient) -> None:
    response = client.get("/site/missing", headers={"range": "bytes=0-1", "if-none-match": "*"})
    assert response.status_code == 404
    assert response.text == "<p>custom 404</p>"


# -- configuration -----------------------------------------------------------------


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="does not exist"):
        StaticFiles(directory=tmp_path / "nope")
    lazy = StaticFiles(directory=tmp_path / "nope", check_dir=False)
    with pytest.raises(RuntimeError, match="does not exist"):
        call(lazy, http_scope(path="/x"))


def test_directory_is_a_file(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    static = StaticFiles(directory=target, check_dir=False)
    with pytest.raises(RuntimeError, match="is not a directory"):
        call(static, http_scope(path="/x"))


def test_websocket_scope_is_closed_normally(tree: Path) -> None:
    channel = call(StaticFiles(directory=tree), {"type": "websocket", "path": "/a.txt"})
    assert channel.sent == [{"type": "websocket.close", "code": 1000}]


def test_other_scopes_are_refused(tree: Path) -> None:
    with pytest.raises(RuntimeError, match="HTTP and WebSocket"):
        call(StaticFiles(directory=tree), {"type": "lifespan"})


def test_packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "zephyr_static_pkg"
    (package / "statics").mkdir(parents=True)
    (package / "assets").mkdir()
    (package / "__init__.py").write_text("")
    (package / "statics" / "p.txt").write_text("from statics")
    (package / "assets" / "q.txt").write_text("from assets")
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("zephyr_static_pkg", None)
    static = StaticFiles(packages=["zephyr_static_pkg", ("zephyr_static_pkg", "assets")])
    client = TestClient(BaseApp(routes=[Mount("/", static)]))
    assert client.get("/p.txt").text == "from statics"
    assert client.get("/q.txt").text == "from assets"
    with pytest.raises(RuntimeError, match="could not be found"):
        StaticFiles(packages=["zephyr_no_such_package_xyz"])
    with pytest.raises(RuntimeError, match="could not be found"):
        StaticFiles(packages=[("zephyr_static_pkg", "nothing")])


def test_directory_searched_before_packages(tree: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "a.txt").write_text("other")
    (other / "only.txt").write_text("only")
    static = StaticFiles(directory=tree)
    static.all_directories.append(other)
    client = TestClient(BaseApp(routes=[Mount("/", static)]))
    assert client.get("/a.txt").text == "hello"
    assert client.get("/only.txt").text == "only"


def test_not_modified_response_keeps_only_validators() -> None:
    response = NotModifiedResponse(
        [(b"ETag", b'"x"'), (b"content-length", b"5"), (b"cache-control", b"max-age=60")]
    )
    assert response.status_code == 304
    assert response.body == b""
    assert sorted(response.raw_headers) == [(b"cache-control", b"max-age=60"), (b"etag", b'"x"')]
