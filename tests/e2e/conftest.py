"""End-to-end helpers: run ``python -m zephyr`` as a real process on a real socket.

The test binds the listening socket itself (127.0.0.1, port 0) and hands it to
the server with ``--fd``: no port race, and connections made before the
server is ready simply wait in the backlog.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

APPS = Path(__file__).parent / "apps"
ROOT = Path(__file__).resolve().parents[2]


class ServerProcess:
    """A ``zephyr`` CLI process serving on a socket the test bound."""

    def __init__(self, args: list[str], log_dir: Path, uds: str | None = None) -> None:
        self.log_path = log_dir / f"server-{time.monotonic_ns()}.log"
        self.uds = uds
        pass_fds: tuple[int, ...] = ()
        self.sock: socket.socket | None = None
        if uds is None:
            self.sock = socket.socket()
            self.sock.bind(("127.0.0.1", 0))
            self.sock.listen(128)
            self.port = self.sock.getsockname()[1]
            args = [*args, "--fd", str(self.sock.fileno())]
            pass_fds = (self.sock.fileno(),)
        self.log = self.log_path.open("wb")
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "zephyr", *args],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            pass_fds=pass_fds,
            cwd=ROOT,
            env=env,
        )
        if self.sock is not None:
            self.sock.close()  # the child owns it now

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for_log(self, text: str, timeout: float = 15.0, count: int = 1) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.output().count(text) >= count:
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"{text!r} x{count} not logged; output:\n{self.output()}")

    def signal(self, sig: int) -> None:
        self.proc.send_signal(sig)

    def wait(self, timeout: float = 15.0) -> int:
        return self.proc.wait(timeout)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.log.close()


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., ServerProcess]]:
    """Start ``zephyr <args>`` processes; all are stopped at teardown."""
    started: list[ServerProcess] = []

    def start(*args: str, uds: str | None = None) -> ServerProcess:
        server = ServerProcess(list(args), tmp_path, uds=uds)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def get_with_retry(client: httpx.Client, url: str, timeout: float = 15.0) -> httpx.Response:
    """GET ``url``, retrying connection errors until ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return client.get(url)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def app_path(name: str) -> str:
    return str(APPS / name)


def pids_seen(url: str, want: int, timeout: float = 15.0, exclude: Any = ()) -> set[int]:
    """Make fresh connections until ``want`` distinct worker pids (not in ``exclude``) answer."""
    seen: set[int] = set()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with httpx.Client(timeout=5) as client:
            try:
                pid = int(client.get(url + "/pid").text.split()[0])
            except httpx.TransportError:
                time.sleep(0.05)
                continue
        if pid not in exclude:
            seen.add(pid)
        if len(seen) >= want:
            return seen
    raise AssertionError(f"only saw pids {seen}")
