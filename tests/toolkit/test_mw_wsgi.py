"""WSGIMiddleware: a Flask app mounted under a zephyr API app."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from zephyr.middleware.wsgi import WSGIMiddleware
from zephyr.testclient import TestClient

APP_FILE = Path(__file__).parents[1] / "e2e" / "apps" / "wsgi_mount.py"


def load_app_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("wsgi_mount_app", APP_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(load_app_module().app, raise_server_exceptions=False)


def test_get_with_query_and_headers(client: TestClient) -> None:
    response = client.get("/legacy/hello", params={"name": "zé"}, headers={"X-Agent": "t/1"})
    assert response.status_code == 200
    assert response.json() == {
        "hello": "zé",
        "path": "/hello",
        "script_root": "/legacy",
        "agent": "t/1",
    }


def test_post_body_round_trip(client: TestClient) -> None:
    body = bytes(range(256)) * 300  # 75 KiB, binary
    response = client.post("/legacy/echo", content=body)
    assert response.status_code == 201
    assert response.content == body[::-1]
    assert response.headers["x-length"] == str(len(body))
    assert response.headers["content-type"] == "application/octet-stream"


def test_post_form(client: TestClient) -> None:
    response = client.post("/legacy/form", data={"a": "1", "b": "two words"})
    assert response.json() == {"fields": {"a": "1", "b": "two words"}}


def test_flask_errors(client: TestClient) -> None:
    missing = client.get("/legacy/missing")
    assert missing.status_code == 404
    assert "no such legacy thing" in missing.text
    assert client.get("/legacy/nothing-here").status_code == 404
    crash = client.get("/legacy/crash")
    assert crash.status_code == 500


def test_streamed_wsgi_body(client: TestClient) -> None:
    assert client.get("/legacy/stream").text == "part0;part1;part2;"


def test_zephyr_routes_keep_working(client: TestClient) -> None:
    assert client.get("/api/items/5").json() == {"item_id": 5}
    assert client.get("/api/items/x").status_code == 422
    assert client.get("/legacy/hello").status_code == 200
    assert client.get("/api/items/6").json() == {"item_id": 6}


def test_http_only() -> None:
    import asyncio

    async def run() -> None:
        async def nothing() -> dict[str, str]:
            return {}

        async def drop(message: object) -> None:
            pass

        await WSGIMiddleware(lambda environ, start: [])({"type": "websocket"}, nothing, drop)

    with pytest.raises(AssertionError, match="HTTP requests only"):
        asyncio.run(run())


def test_build_environ_follows_pep_3333() -> None:
    import sys

    from zephyr.middleware.wsgi import build_environ

    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": "POST",
        "scheme": "https",
        "path": "/mount/café",
        "root_path": "/mount",
        "query_string": b"q=1",
        "headers": [
            (b"content-type", b"text/plain"),
            (b"content-length", b"2"),
            (b"x-tag", b"a"),
            (b"x-tag", b"b"),
        ],
        "client": ("10.1.2.3", 4000),
        "server": ("api.test", 8443),
    }
    environ = build_environ(scope, b"hi")
    assert environ.pop("wsgi.input").read() == b"hi"
    assert environ["SCRIPT_NAME"] == "/mount"
    assert environ["PATH_INFO"] == "/café".encode().decode("latin-1")  # bytes as latin-1
    assert environ["CONTENT_TYPE"] == "text/plain" and environ["CONTENT_LENGTH"] == "2"
    assert "HTTP_CONTENT_TYPE" not in environ
    assert environ["HTTP_X_TAG"] == "a,b"  # repeated fields join with commas
    assert (environ["SERVER_NAME"], environ["SERVER_PORT"]) == ("api.test", 8443)
    assert environ["REMOTE_ADDR"] == "10.1.2.3"
    assert environ["SERVER_PROTOCOL"] == "HTTP/1.1"
    assert environ["wsgi.url_scheme"] == "https" and environ["wsgi.version"] == (1, 0)
    assert environ["wsgi.errors"] is sys.stdout
    # A path outside the mount point keeps its whole self as PATH_INFO.
    outside = build_environ({**scope, "path": "/elsewhere", "client": None}, b"")
    assert outside["PATH_INFO"] == "/elsewhere" and "REMOTE_ADDR" not in outside


def test_build_environ_strips_the_mount_point_only_at_a_segment_boundary() -> None:
    from zephyr.middleware.wsgi import build_environ

    def path_info(root_path: str, path: str) -> str:
        scope = {"method": "GET", "path": path, "root_path": root_path, "query_string": b""}
        info: str = build_environ({**scope, "http_version": "1.1", "headers": []}, b"")["PATH_INFO"]
        return info

    assert path_info("/app", "/application") == "/application"
    assert path_info("/app", "/app/users") == "/users"
    assert path_info("/app", "/app") == ""
    assert path_info("/app/", "/app/users") == "users"
