"""Quick probe: per-request cost of the API layer, zephyr vs FastAPI, no server.

Usage: ``python -m benchmarks._api_probe [requests] [rounds]``.

Each app (``benchmarks/apps/zephyr_api.py`` and the same source on FastAPI,
``benchmarks/apps/fastapi_api.py``) is called directly as an ASGI app with a
minimal fake ``receive``/``send``, in a loop on one uvloop event loop, so the
numbers are the framework's own cost per request (routing, parameters,
validation, dependencies, serialization, middleware), without sockets or
HTTP parsing. Costs are CPU time of the thread (``time.thread_time``), rounds
are interleaved (zephyr, fastapi, zephyr...) and the best round is kept.
Not the benchmark harness: a sanity check for the hot path.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

import uvloop

ENDPOINTS: list[tuple[str, str, str, bytes]] = [
    # (name, method, path?query, body)
    ("plaintext", "GET", "/plaintext", b""),
    ("json", "GET", "/json", b""),
    ("params", "GET", "/items/42?q=hello&limit=5", b""),
    ("body", "POST", "/items", b'{"name":"widget","price":9.5,"tags":["a","b"]}'),
    ("deps", "GET", "/deps", b""),
    ("nodeps", "GET", "/nodeps", b""),
]


def _scope(method: str, target: str, body: bytes) -> dict[str, Any]:
    path, _, query = target.partition("?")
    headers = [(b"host", b"127.0.0.1:8000"), (b"user-agent", b"probe")]
    if body:
        headers += [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query.encode(),
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }


async def _measure(app: Any, method: str, target: str, body: bytes, count: int) -> float:
    template = _scope(method, target, body)
    request = {"type": "http.request", "body": body, "more_body": False}
    sent: list[Any] = []

    async def receive() -> dict[str, Any]:
        return request

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    # One warm-up request, checked: a fast wrong answer is not a result.
    await app(dict(template), receive, send)
    status = sent[0]["status"]
    if status != 200:
        raise RuntimeError(f"{target}: status {status}, body {sent[-1].get('body')!r}")
    # CPU time of this thread: on a shared machine, time spent descheduled
    # would otherwise count against whichever stack was running.
    start = time.thread_time()
    for _ in range(count):
        sent.clear()
        await app(dict(template), receive, send)
    return (time.thread_time() - start) / count * 1e6


def _load(module: str) -> Any:
    import importlib

    return importlib.import_module(module).app


def probe(count: int, rounds: int) -> dict[str, dict[str, float]]:
    """Best µs per request for each (stack, endpoint) over ``rounds`` interleaved rounds."""
    stacks: dict[str, Callable[[], Any]] = {
        "zephyr": lambda: _load("benchmarks.apps.zephyr_api"),
        "fastapi": lambda: _load("benchmarks.apps.fastapi_api"),
    }
    apps = {name: load() for name, load in stacks.items()}
    best: dict[str, dict[str, float]] = {name: {} for name in apps}

    async def run() -> None:
        for _ in range(rounds):
            for name, app in apps.items():
                for endpoint, method, target, body in ENDPOINTS:
                    cost = await _measure(app, method, target, body, count)
                    previous = best[name].get(endpoint, float("inf"))
                    best[name][endpoint] = min(previous, cost)

    uvloop.run(run())
    return best


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    best = probe(count, rounds)
    print(f"{'endpoint':10} {'zephyr µs':>10} {'fastapi µs':>11} {'ratio':>7}")
    for endpoint, *_ in ENDPOINTS:
        ours, theirs = best["zephyr"][endpoint], best["fastapi"][endpoint]
        print(f"{endpoint:10} {ours:10.1f} {theirs:11.1f} {theirs / ours:6.2f}x")
    for name in best:
        ratio = best[name]["deps"] / best[name]["nodeps"]
        print(f"{name}: 3-level dependency chain / same route without = {ratio:.2f}")


if __name__ == "__main__":
    main()
