"""Server-Sent Events over a real socket, consumed by an httpx streaming client."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import ServerProcess, app_path, get_with_retry

pytestmark = pytest.mark.slow

Serve = Callable[..., ServerProcess]


@pytest.fixture
def sse_server(serve: Serve, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ServerProcess:
    monkeypatch.setenv("ZEPHYR_E2E_FILES", str(tmp_path))
    server = serve("run", app_path("files_app.py"))
    with httpx.Client(timeout=10) as client:
        assert get_with_retry(client, server.url + "/health").status_code == 200
    return server


def blocks(lines: Iterator[str]) -> Iterator[list[str]]:
    """Group an event stream's lines into blocks (events or comments) at blank lines."""
    block: list[str] = []
    for line in lines:
        if line == "":
            if block:
                yield block
            block = []
        else:
            block.append(line)


def parse_event(block: list[str]) -> dict[str, Any]:
    event: dict[str, Any] = {"data": []}
    for line in block:
        name, _, value = line.partition(": ")
        if name == "data":
            event["data"].append(value)
        else:
            event[name] = value
    event["data"] = "\n".join(event["data"])
    return event


def wait_stats(client: httpx.Client, url: str, predicate: Callable[[dict[str, int]], bool]) -> None:
    deadline = time.monotonic() + 10
    while True:
        stats = client.get(url + "/sse/stats").json()
        if predicate(stats):
            return
        assert time.monotonic() < deadline, stats
        time.sleep(0.05)


def test_events_parsed_then_disconnect_stops_generator(sse_server: ServerProcess) -> None:
    url = sse_server.url
    with httpx.Client(timeout=10) as client:
        before = client.get(url + "/sse/stats").json()
        events = []
        with client.stream("GET", url + "/sse", params={"interval": 0.02}) as response:
            assert response.status_code == 200
            assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
            assert response.headers["cache-control"] == "no-cache"
            assert response.headers["x-accel-buffering"] == "no"
            for block in blocks(response.iter_lines()):
                events.append(parse_event(block))
                if len(events) == 5:
                    break
        assert [e["event"] for e in events] == ["tick"] * 5
        assert [json.loads(e["data"]) for e in events] == [{"n": n} for n in range(5)]
        assert [e["id"] for e in events] == ["0", "1", "2", "3", "4"]
        # The client closed the connection: the server's generator is closed too
        # and stops producing.
        wait_stats(client, url, lambda s: s["closed"] == s["opened"] == before["opened"] + 1)
        sent = client.get(url + "/sse/stats").json()["sent"]
        time.sleep(0.2)
        assert client.get(url + "/sse/stats").json()["sent"] == sent


def test_keep_alive_comments(sse_server: ServerProcess) -> None:
    url = sse_server.url
    with httpx.Client(timeout=10) as client:
        comments = []
        started = time.monotonic()
        with client.stream("GET", url + "/sse/quiet", params={"ping": 0.1}) as response:
            for block in blocks(response.iter_lines()):
                assert all(line.startswith(":") for line in block), block
                comments.extend(block)
                if len(comments) == 3:
                    break
        assert comments == [": ping"] * 3
        assert time.monotonic() - started >= 0.25  # paced by the ping interval
        wait_stats(client, url, lambda s: s["closed"] == s["opened"])


def test_last_event_id_resumes(sse_server: ServerProcess) -> None:
    with httpx.Client(timeout=10) as client:
        headers = {"last-event-id": "41"}
        with client.stream("GET", sse_server.url + "/sse", headers=headers) as response:
            first = parse_event(next(blocks(response.iter_lines())))
        assert first["id"] == "42"
        assert json.loads(first["data"]) == {"n": 42}
        assert client.get(sse_server.url + "/health").status_code == 200
