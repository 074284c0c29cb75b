"""Libraries built on FastAPI/Starlette, on zephyr: each app served by zephyr's own server.

These tests run in their own virtualenv (``scripts/compat-libraries``), where
the libraries are installed from PyPI and the real ``fastapi``/``starlette``
are not: ``zephyr.compat.install()`` below answers those imports, as
``zephyr run --compat`` does. Each app is served on 127.0.0.1 by
:class:`zephyr.server.Server` in a thread, so requests take the same path
(the native server-to-app entry included) as in production, and are sent
with httpx over a real socket.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import zephyr.compat

zephyr.compat.install()

from zephyr.server.config import Config  # noqa: E402
from zephyr.server.server import Server  # noqa: E402

Serve = Callable[[Any], str]


@pytest.fixture
def serve() -> Iterator[Serve]:
    """Start zephyr's server on a free port for an app; return its base URL."""
    servers: list[tuple[Server, threading.Thread]] = []

    def start(app: Any) -> str:
        server = Server(Config(app=app, port=0, access_log=False, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                pytest.fail(f"zephyr's server did not start (exit code {server.exit_code})")
            time.sleep(0.02)
        servers.append((server, thread))
        host, port = server.servers[0].sockets[0].getsockname()[:2]
        return f"http://{host}:{port}"

    yield start
    for server, thread in servers:
        server.should_exit = True
        thread.join(15)
