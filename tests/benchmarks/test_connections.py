"""The many-connections benchmark: its client against a real server, and its pass rule."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest

from benchmarks import connections
from benchmarks._conn_client import run
from tests.e2e.conftest import ROOT

RESPONSES = {
    b"/ok": b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok",
    b"/teapot": b"HTTP/1.1 418 I'm a teapot\r\ncontent-length: 0\r\n\r\n",
}


class FixedServer(asyncio.Protocol):
    """Answers each request line with the fixed bytes its path names; ``/close`` hangs up."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        path = data.split(b" ", 2)[1]
        if path == b"/close":
            self.transport.close()
            return
        self.transport.write(RESPONSES[path])  # type: ignore[attr-defined]


@pytest.fixture
def port() -> Iterator[int]:
    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(loop.create_server(FixedServer, "127.0.0.1", 0))
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield server.sockets[0].getsockname()[1]
    loop.call_soon_threadsafe(loop.stop)
    thread.join()


def client(port: int, path: str, count: int = 40) -> dict[str, object]:
    return asyncio.run(run(port, path, connections=count, interval=0.1, seconds=0.5))


def test_every_connection_opens_and_is_timed(port: int) -> None:
    result = client(port, "/ok")
    assert result["connected"] == result["client_peak_open"] == 40
    assert result["errors"] == {}
    # 40 connections, one request per 0.1 s each, for 0.5 s: about 200.
    assert 100 <= result["requests"] <= 300, result  # type: ignore[operator]
    assert 0 < result["p50_ms"] <= result["p99_ms"] <= result["max_ms"]  # type: ignore[operator]


def test_wrong_status_and_closed_connections_are_errors(port: int) -> None:
    assert client(port, "/teapot")["errors"]["status"] > 0  # type: ignore[index]
    assert client(port, "/close")["errors"] == {"read": 40}


def test_refused_connections_are_counted() -> None:
    with socket.socket() as sock:  # bound, never listening: connections are refused
        sock.bind(("127.0.0.1", 0))
        result = client(sock.getsockname()[1], "/ok", count=5)
    assert result["errors"] == {"connect": 5} and result["connected"] == 0


def test_client_runs_as_a_program(port: int) -> None:
    argv = [sys.executable, "-m", "benchmarks._conn_client", str(port), "--path", "/ok"]
    argv += ["--connections", "10", "--interval", "0.1", "--seconds", "0.3"]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=60, check=True)
    result = json.loads(done.stdout)
    assert result["connected"] == 10 and result["errors"] == {}
    assert 0 <= result["client_cpu_busy"] <= 1.5


def _result(open_: int, p99: float, errors: dict[str, int]) -> connections.Result:
    figures = {"connections": 10_000, "p99_ms": p99, "errors": errors}
    return connections.Result("zephyr", "zephyr", figures, open_, 100.0, 0.5)


def test_pass_rule_needs_open_connections_no_errors_and_p99() -> None:
    assert _result(9_500, 150.0, {}).passed()
    assert not _result(9_499, 150.0, {}).passed()
    assert not _result(10_000, 150.1, {}).passed()
    assert not _result(10_000, 120.0, {"timeout": 1}).passed()
