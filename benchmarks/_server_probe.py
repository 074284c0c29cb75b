"""Quick probe: per-request cost of zephyr's HTTP server protocol, no sockets.

Usage: ``python -m benchmarks._server_probe [requests] [rounds] [case ...]``.

One ``HttpProtocol`` is driven through an in-memory transport on one uvloop
event loop (``benchmarks/_probe.py``): each request's bytes are fed to
``data_received`` and the loop runs until the response is written, so the
number is the server's own cost per request (parsing, scope, the request
task, response framing) plus the app's, without the kernel's socket work.
Cases: ``get`` (a keep-alive GET to a raw ASGI hello app), ``post-length``
(a POST with a 64-byte Content-Length body), ``post-chunked`` (the same body
chunked), ``json``, ``params`` and ``post`` (zephyr's ``/json``,
``/items/3?limit=5`` and ``POST /items`` endpoints of
``benchmarks/apps/zephyr_api.py``).
Costs are CPU time of the thread (``time.thread_time``); the best of the
rounds is kept. Not the benchmark harness: a before/after check for the
protocol's hot path.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from benchmarks._probe import best_of, connect, serve
from zephyr.server.config import Config
from zephyr.server.protocol import HttpProtocol
from zephyr.server.state import ServerState

_GET = b"GET %s HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nUser-Agent: probe\r\n\r\n"
CASES: dict[str, tuple[str, bytes]] = {
    "get": ("raw", _GET % b"/plaintext"),
    "post-length": (
        "raw",
        b"POST /items HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nContent-Type: application/json\r\n"
        b"Content-Length: 64\r\n\r\n" + b"x" * 64,
    ),
    "post-chunked": (
        "raw",
        b"POST /items HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"40\r\n" + b"x" * 64 + b"\r\n0\r\n\r\n",
    ),
    "json": ("zephyr", _GET % b"/json"),
    "params": ("zephyr", _GET % b"/items/3?limit=5"),
    "post": (
        "zephyr",
        b"POST /items HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nContent-Type: application/json\r\n"
        b"Content-Length: 33\r\n\r\n" + b'{"name": "widget", "price": 9.99}',
    ),
}


async def raw_app(scope: Any, receive: Any, send: Any) -> None:
    if scope["method"] == "POST":
        message = await receive()
        while message.get("more_body"):
            message = await receive()
    headers = [(b"content-type", b"text/plain")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"Hello, world!"})


async def _measure(app: Any, data: bytes, count: int) -> float:
    proto = HttpProtocol(Config(app=app, access_log=False), app, ServerState(), {})
    transport = connect(proto)
    start = time.thread_time()
    await serve(proto, transport, data, count)
    return (time.thread_time() - start) / count * 1e6


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    cases = sys.argv[3:] or list(CASES)
    apps: dict[str, Any] = {"raw": raw_app}
    if any(CASES[name][0] == "zephyr" for name in cases):
        # Only then: the API app's imports (Pydantic) are most of a start-up.
        from benchmarks.apps.zephyr_api import app as zephyr_app

        apps["zephyr"] = zephyr_app

    async def measure(name: str) -> float:
        kind, data = CASES[name]
        return await _measure(apps[kind], data, count)

    best_of(cases, rounds, measure)


if __name__ == "__main__":
    main()
