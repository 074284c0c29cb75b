"""Server-only comparison: the same raw ASGI app on zephyr's server and on uvicorn.

Run: ``.venv/bin/python -m benchmarks.server [--rounds 3] [--seconds 5]``.
The app (``benchmarks/apps/raw_asgi.py``) uses no framework, so the numbers
measure the HTTP server and its ASGI glue alone.
"""

from __future__ import annotations

import argparse
import sys

from benchmarks.harness import Endpoint, Stack, report, run, save

APP = "benchmarks.apps.raw_asgi:app"
PY = sys.executable

STACKS = (
    Stack(
        "zephyr server",
        (PY, "-m", "zephyr", "run", APP, "--host", "127.0.0.1", "--port", "{port}",
         "--no-access-log", "--log-level", "warning"),
    ),
    Stack(
        "uvicorn (httptools, uvloop)",
        (PY, "-m", "uvicorn", APP, "--host", "127.0.0.1", "--port", "{port}",
         "--loop", "uvloop", "--http", "httptools", "--no-access-log", "--log-level", "warning"),
    ),
)  # fmt: skip

ENDPOINTS = (
    Endpoint("plaintext", "/plaintext", b"Hello, World!", "text/plain"),
    Endpoint("json", "/json", b'{"message":"Hello, World!"}', "application/json"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections (64)")
    args = parser.parse_args()
    results = run(
        STACKS, ENDPOINTS, rounds=args.rounds, seconds=args.seconds, connections=args.connections
    )
    table = report(results, reference="uvicorn (httptools, uvloop)")
    print(table)
    print(f"saved {save(results, 'server', table)}")


if __name__ == "__main__":
    main()
