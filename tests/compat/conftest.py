"""Run the same app on zephyr's server and on uvicorn, as subprocesses on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
# The libraries' tests need their own virtualenv: scripts/compat-libraries runs them.
collect_ignore = [] if os.environ.get("ZEPHYR_COMPAT_LIBRARIES") == "1" else ["libraries"]
_HOST = {"host": "api.example.test"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _serve(argv: list[str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            out = process.stdout.read().decode(errors="replace") if process.stdout else ""
            pytest.fail(f"server exited early ({process.returncode}):\n{out}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    pytest.fail(f"server on port {port} did not start: {argv}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _pair(app_name: str, zephyr_options: list[str]) -> Iterator[tuple[httpx.Client, httpx.Client]]:
    """Serve one app on zephyr and on uvicorn; yield ``(zephyr client, uvicorn client)``."""
    target = f"tests.compat.apps.{app_name}:app"
    zport, uport = _free_port(), _free_port()
    common = ["--host", "127.0.0.1", "--log-level", "warning"]
    zephyr = _serve(
        [sys.executable, "-m", "zephyr", "run", target, "--port", str(zport), *common,
         *zephyr_options],
        zport,
    )  # fmt: skip
    try:
        uvicorn = _serve(
            [sys.executable, "-m", "uvicorn", target, "--port", str(uport), *common,
             "--loop", "uvloop", "--http", "httptools"],
            uport,
        )  # fmt: skip
    except BaseException:
        _stop(zephyr)
        raise
    try:
        with (
            # One Host header for both, so absolute URLs the apps build compare equal.
            httpx.Client(base_url=f"http://127.0.0.1:{zport}", headers=_HOST, timeout=10) as zc,
            httpx.Client(base_url=f"http://127.0.0.1:{uport}", headers=_HOST, timeout=10) as uc,
        ):
            yield zc, uc
    finally:
        _stop(zephyr)
        _stop(uvicorn)


@pytest.fixture(scope="module", params=["fastapi_app", "starlette_app"])
def pair(request: pytest.FixtureRequest) -> Iterator[tuple[str, httpx.Client, httpx.Client]]:
    """Yield ``(app name, client to zephyr's server, client to uvicorn)`` for one PyPI app."""
    for zc, uc in _pair(request.param, []):
        yield request.param, zc, uc


@pytest.fixture(scope="module", params=["fastapi_app", "starlette_app"])
def compat_pair(
    request: pytest.FixtureRequest,
) -> Iterator[tuple[str, httpx.Client, httpx.Client]]:
    """Like ``pair``, but zephyr runs the app's unmodified source on zephyr (``--compat``)."""
    for zc, uc in _pair(request.param, ["--compat"]):
        yield request.param, zc, uc
