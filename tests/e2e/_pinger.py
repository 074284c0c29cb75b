"""Small GETs on one keep-alive connection until stdin closes; prints the latencies as JSON.

Run as its own process (``python -m tests.e2e._pinger URL``) so the client
sending hostile traffic in the test process does not slow its measurements.
Prints ``{"latencies": [seconds...], "failures": [...]}`` on exit.
"""

from __future__ import annotations

import json
import sys
import threading
import time

import httpx


def main(url: str) -> None:
    stop = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    latencies: list[float] = []
    failures: list[str] = []
    with httpx.Client(timeout=5) as client:
        print("ready", flush=True)
        while not stop.is_set():
            started = time.perf_counter()
            try:
                response = client.get(url)
            except httpx.HTTPError as exc:
                failures.append(repr(exc))
                continue
            latencies.append(time.perf_counter() - started)
            if response.status_code != 200:
                failures.append(f"status {response.status_code}")
            stop.wait(0.01)
    print(json.dumps({"latencies": latencies, "failures": failures}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
