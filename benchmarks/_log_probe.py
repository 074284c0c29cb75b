"""Quick probe: per-request cost of zephyr's server with the access log off and on.

Usage: ``python -m benchmarks._log_probe [requests] [rounds] [case ...]``.

One ``HttpProtocol`` is driven through an in-memory transport on one uvloop
event loop (``benchmarks/_probe.py``): each request's bytes go to
``data_received`` and the loop runs until the response is written, so the
number is the server's own cost per request, without the kernel's socket work. Cases (``app-log``):

* ``raw-off`` / ``raw-on``: a raw ASGI hello app;
* ``json-off`` / ``json-on``: zephyr's ``/json`` endpoint
  (``benchmarks/apps/zephyr_api.py``) through its native entry.

``-on`` runs the default logging config (``LOGGING_CONFIG``, the access
handler's stdout pointed at ``/dev/null``), as a user who starts
``zephyr run`` without options gets it, started the way the server starts
it. Costs are CPU time of the whole process (``time.process_time``: a
thread that formats or writes access lines counts too); the best round is
kept. For instruction counts run one case under callgrind twice with two
request counts and divide the difference::

    valgrind --tool=callgrind --callgrind-out-file=/dev/null \\
        python -m benchmarks._log_probe 2000 1 json-on

Under valgrind everything runs ~50x slower while the writer still gathers
lines for 5 ms of wall time per wake-up, so its batches are smaller than
natively and the per-line cost callgrind shows is an upper bound.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from typing import Any

from benchmarks._probe import best_of, connect, serve
from zephyr.server import access
from zephyr.server.config import Config
from zephyr.server.logging import configure_logging
from zephyr.server.protocol import HttpProtocol
from zephyr.server.state import ServerState

CASES = ("raw-off", "raw-on", "json-off", "json-on")
_REQUEST = b"GET %s HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nUser-Agent: probe\r\n\r\n"


async def raw_app(scope: Any, receive: Any, send: Any) -> None:
    headers = [(b"content-type", b"text/plain")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"Hello, world!"})


@contextlib.contextmanager
def _logging(on: bool) -> Iterator[None]:
    saved = sys.stdout
    with open(os.devnull, "w", encoding="utf-8") as devnull:
        sys.stdout = devnull
        try:
            configure_logging(access_log=on)
            with access.running():
                yield
        finally:
            sys.stdout = saved


async def _measure(app: Any, path: bytes, on: bool, count: int) -> float:
    with _logging(on):
        config = Config(app=app, access_log=on)
        proto = HttpProtocol(config, app, ServerState(), {})
        transport = connect(proto)
        start = time.process_time()
        await serve(proto, transport, _REQUEST % path, count)
    # Leaving _logging stopped the access-log writer: its lines are counted.
    return (time.process_time() - start) / count * 1e6


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    cases = sys.argv[3:] or list(CASES)
    from benchmarks.apps.zephyr_api import app as zephyr_app

    apps = {"raw": (raw_app, b"/"), "json": (zephyr_app, b"/json")}

    async def measure(case: str) -> float:
        name, _, mode = case.partition("-")
        app, path = apps[name]
        return await _measure(app, path, mode == "on", count)

    best_of(cases, rounds, measure)


if __name__ == "__main__":
    main()
