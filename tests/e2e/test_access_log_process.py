"""Access lines of a real server process: all of them are written before it exits."""

from __future__ import annotations

import signal
from collections.abc import Callable

import httpx
import pytest

from tests.e2e.conftest import ServerProcess, app_path, get_with_retry

pytestmark = pytest.mark.slow

Serve = Callable[..., ServerProcess]
REQUESTS = 200


def _hit(server: ServerProcess) -> None:
    with httpx.Client(timeout=10) as client:
        assert get_with_retry(client, server.url + "/pid?n=first").status_code == 200
        for i in range(REQUESTS):
            assert client.get(f"{server.url}/pid?n={i}").status_code == 200


@pytest.mark.parametrize("workers", [None, "2"])
def test_sigterm_writes_every_access_line_before_exit(serve: Serve, workers: str | None) -> None:
    args = ["run", app_path("basic.py")] + (["--workers", workers] if workers else [])
    server = serve(*args)
    if workers:
        server.wait_for_log("Application startup complete.", count=2)
    _hit(server)
    # No wait for the lines: the signal comes right after the last answer.
    server.signal(signal.SIGTERM)
    assert server.wait(20) == 0
    lines = [line for line in server.output().splitlines() if '"GET /pid?n=' in line]
    shown = {line.split("?n=")[1].split()[0] for line in lines}
    assert shown == {"first", *map(str, range(REQUESTS))}
    assert len(lines) == REQUESTS + 1
    assert all(line.startswith("INFO:     127.0.0.1:") for line in lines)
    assert all(line.endswith(' HTTP/1.1" 200 OK') for line in lines)
