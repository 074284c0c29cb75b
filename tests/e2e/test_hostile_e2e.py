"""Hostile traffic against a real ``zephyr`` process: the attack is refused, others are served.

Each test starts the server on a socket it bound (127.0.0.1, port 0), sends
one hostile request with a real client (httpx, or a raw socket for the
trickle), and meanwhile a second client sends small GETs on its own
keep-alive connection. It checks the hostile request's answer (status and
the limit named), that the client read it (no reset), the server's memory
(``VmRSS`` / ``VmHWM`` from ``/proc/<pid>/status``) and the GETs' p99
latency. The figures are printed (``pytest -s``) and summarised in the
README. The machine running CI is shared and noisy, so the latency bound
asserted is generous (the target is 50 ms): 500 ms, or ten times the p99 of
the same GETs measured just before on the idle server, whichever is larger.
"""

from __future__ import annotations

import json
import math
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import ROOT, ServerProcess, app_path, get_with_retry

pytestmark = pytest.mark.slow

Serve = Callable[..., ServerProcess]
MiB = 1 << 20
P99_BOUND = 0.5  # seconds; the target is 0.05 on an idle machine
RESULTS: dict[str, dict[str, float]] = {}


def memory_kib(pid: int) -> dict[str, int]:
    """``VmRSS`` (now) and ``VmHWM`` (peak) of ``pid``, in KiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0])
    return fields


def p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.99 * len(ordered)) - 1)]


class Pinger:
    """A ``tests.e2e._pinger`` process sending small GETs while the block runs."""

    def __init__(self, url: str) -> None:
        self.url = url + "/ping"
        self.latencies: list[float] = []
        self.failures: list[str] = []

    def __enter__(self) -> Pinger:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.e2e._pinger", self.url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=ROOT,
            text=True,
        )
        assert self.proc.stdout is not None and self.proc.stdout.readline() == "ready\n"
        return self

    def __exit__(self, *exc: object) -> None:
        out, _ = self.proc.communicate("", timeout=15)
        result = json.loads(out)
        self.latencies, self.failures = result["latencies"], result["failures"]


def for_at_least(seconds: float) -> Iterator[int]:
    """Iteration numbers, until ``seconds`` have passed (at least one)."""
    deadline = time.monotonic() + seconds
    count = 0
    while count == 0 or time.monotonic() < deadline:
        yield count
        count += 1


@contextmanager
def hostile(server: ServerProcess, case: str) -> Iterator[dict[str, float]]:
    """Measure a baseline, then memory and GET latency around the block; record and check them."""
    with httpx.Client(timeout=5) as client:
        get_with_retry(client, server.url + "/ping")
    with Pinger(server.url) as idle:
        time.sleep(1.0)
    before = memory_kib(server.proc.pid)
    figures: dict[str, float] = {}
    started = time.monotonic()
    with Pinger(server.url) as busy:
        yield figures
    after = memory_kib(server.proc.pid)
    figures.update(
        seconds=time.monotonic() - started,
        rss_before_mib=before["VmRSS"] / 1024,
        rss_after_mib=after["VmRSS"] / 1024,
        peak_growth_mib=(after["VmHWM"] - before["VmRSS"]) / 1024,
        baseline_p99_ms=p99(idle.latencies) * 1000,
        p99_ms=p99(busy.latencies) * 1000,
        gets=len(busy.latencies),
    )
    RESULTS[case] = figures
    print(f"\n{case}: {json.dumps({k: round(v, 1) for k, v in figures.items()})}")
    assert busy.failures == [] and idle.failures == []
    assert len(busy.latencies) >= 5
    # Over the bound only counts when the idle GETs were fast: a machine busy
    # with other work slows both alike.
    bound = max(P99_BOUND * 1000, 10 * figures["baseline_p99_ms"])
    assert figures["p99_ms"] < bound, figures


def trickle(port: int, head: bytes, interval: float, timeout: float) -> tuple[bytes, float]:
    """Send ``head``, then one body byte every ``interval`` s until the server answers."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(head)
        started = time.monotonic()
        sock.settimeout(interval)
        data = b""
        while time.monotonic() - started < timeout:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                sock.sendall(b"1")
                continue
            if not chunk:
                break
            data += chunk
        return data, time.monotonic() - started


@pytest.mark.parametrize(
    ("options", "interval", "reason"),
    [
        (
            ["--timeout-body-min-rate", "100", "--timeout-body-grace", "2"],
            1.0,
            b"request body slower than 100 bytes/s",
        ),
        (["--timeout-body-read", "1"], 2.5, b"no request body data for 1 s"),
    ],
    ids=["min-rate", "read-timeout"],
)
def test_slow_body_gets_408_naming_the_timeout(
    serve: Serve, options: list[str], interval: float, reason: bytes
) -> None:
    server = serve("run", app_path("hostile.py"), "--no-access-log", *options)
    head = b"POST /json HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
    head += b"Content-Length: 1000\r\n\r\n{"
    with hostile(server, f"slow body ({options[0]})") as figures:
        data, elapsed = trickle(server.port, head, interval, timeout=15)
        figures["answered_after_s"] = elapsed
    assert data.startswith(b"HTTP/1.1 408 "), data
    assert reason in data, data
    # The configured bound plus the once-a-second clock tick (and slack for a busy machine).
    assert elapsed < 2 + 1 + 2.5, elapsed


def post_repeatedly(url: str, figures: dict[str, float], **request: object) -> list[httpx.Response]:
    """POST for at least 2 s (the hostile traffic the GETs run beside), each on a new connection."""
    responses = []
    for count in for_at_least(2.0):
        with httpx.Client(timeout=30) as client:
            responses.append(client.post(url, **request))  # type: ignore[arg-type]
        figures["requests"] = count + 1
    return responses


def test_100mb_json_body_is_refused_with_bounded_memory(serve: Serve) -> None:
    """Content-Length says 100 MB, over the default 16 MiB cap: refused before reading it."""
    server = serve("run", app_path("hostile.py"), "--no-access-log")
    body = b'{"k": "' + b"x" * (100 * 1000 * 1000) + b'"}'
    headers = {"content-type": "application/json"}
    with hostile(server, "100 MB JSON body") as figures:
        responses = post_repeatedly(server.url + "/json", figures, content=body, headers=headers)
    for response in responses:
        assert response.status_code == 413, response.text
        assert response.json() == {
            "detail": "Content Too Large: the body is over max_buffered_body_size (16777216 bytes)"
        }
    assert figures["peak_growth_mib"] < 40, figures  # the body is 95 MiB


def test_100mb_chunked_json_body_is_refused_with_bounded_memory(serve: Serve) -> None:
    """No Content-Length: the body is refused once more than the cap has arrived."""
    server = serve("run", app_path("hostile.py"), "--no-access-log")
    piece = b"x" * MiB

    def chunks() -> Iterator[bytes]:
        yield b'{"k": "'
        for _ in range(100):
            yield piece
        yield b'"}'

    headers = {"content-type": "application/json"}
    with hostile(server, "100 MiB chunked JSON body") as figures:
        responses = []
        for count in for_at_least(2.0):
            with httpx.Client(timeout=30) as client:
                url = server.url + "/json"
                responses.append(client.post(url, content=chunks(), headers=headers))
            figures["requests"] = count + 1
    for response in responses:
        assert response.status_code == 413, response.text
        assert "max_buffered_body_size (16777216 bytes)" in response.json()["detail"]
    assert figures["peak_growth_mib"] < 40, figures


def _part(value: bytes) -> bytes:
    return b'--b0undary\r\nContent-Disposition: form-data; name="f"\r\n\r\n' + value + b"\r\n"


def test_100k_part_multipart_gets_its_400(serve: Serve) -> None:
    server = serve("run", app_path("hostile.py"), "--no-access-log")
    body = _part(b"v") * 100_000 + b"--b0undary--\r\n"
    headers = {"content-type": "multipart/form-data; boundary=b0undary"}
    with hostile(server, "100,000-part multipart") as figures:
        responses = post_repeatedly(server.url + "/form", figures, content=body, headers=headers)
        figures["body_mib"] = len(body) / MiB
    for response in responses:
        assert response.status_code == 400, response.text
        assert response.json() == {"detail": "Too many fields. Maximum number of fields is 1000."}
    assert figures["peak_growth_mib"] < 40, figures


def test_early_413_on_a_large_upload_is_read_by_the_client(serve: Serve) -> None:
    """12 MiB against the route's 1 MiB ``max_body_size``: httpx sends it all, then reads."""
    server = serve("run", app_path("hostile.py"), "--no-access-log")
    body = b"u" * (12 * MiB)
    with hostile(server, "early 413, 12 MiB upload") as figures:
        responses = post_repeatedly(server.url + "/upload", figures, content=body)
    for response in responses:
        assert response.status_code == 413, response.text
        assert response.text == "Content Too Large"
    assert figures["peak_growth_mib"] < 40, figures
