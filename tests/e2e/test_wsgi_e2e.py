"""A Flask app mounted under a zephyr API app, served by a real zephyr process."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from tests.e2e.conftest import ServerProcess, app_path, get_with_retry

pytestmark = pytest.mark.slow


def test_flask_mount_over_real_socket(serve: Callable[..., ServerProcess]) -> None:
    server = serve("run", app_path("wsgi_mount.py"))
    with httpx.Client(base_url=server.url, timeout=10) as client:
        assert get_with_retry(client, server.url + "/api/items/1").json() == {"item_id": 1}
        hello = client.get("/legacy/hello", params={"name": "e2e"}, headers={"X-Agent": "h"})
        assert hello.json()["hello"] == "e2e"
        assert hello.json()["agent"] == "h"
        body = b"\x00\xff" * 100_000
        echo = client.post("/legacy/echo", content=body)
        assert echo.status_code == 201
        assert echo.content == body[::-1]
        assert client.get("/legacy/crash").status_code == 500
        assert client.get("/legacy/stream").text == "part0;part1;part2;"
        assert client.get("/api/items/2").json() == {"item_id": 2}
    assert server.proc.poll() is None
