"""Import time, and start-up + first ``/openapi.json`` of a 500-route app: zephyr vs FastAPI.

Each figure is the median of several fresh processes on the peers'
interpreter, pinned to core 0 like the load tests.
"""

from __future__ import annotations

import http.client
import json
import os
import statistics
import subprocess
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks.harness import ROOT, START_TIMEOUT, free_port, pinned, tree_rss_mib
from benchmarks.stacks import BACKLOG

# What an app imports (zephyr loads its top-level names lazily, so ``import zephyr`` alone
# would measure nothing).
_IMPORT = (
    "import time; t = time.perf_counter(); from {} import Depends, FastAPI, Query; "
    "print(time.perf_counter() - t)"
)
#: (label, framework module, server command) for the 500-route app.
STARTUP_STACKS = (
    ("zephyr (own server)", "zephyr",
     ("{python}", "-m", "zephyr", "run", "benchmarks.apps.many_routes:app", "--host",
      "127.0.0.1", "--port", "{port}", "--no-access-log", "--log-level", "warning")),
    ("zephyr on uvicorn", "zephyr",
     ("{python}", "-m", "uvicorn", "benchmarks.apps.many_routes:app", "--host", "127.0.0.1",
      "--port", "{port}", "--no-access-log", "--log-level", "warning", "--backlog", BACKLOG)),
    ("FastAPI on uvicorn", "fastapi",
     ("{python}", "-m", "uvicorn", "benchmarks.apps.many_routes:app", "--host", "127.0.0.1",
      "--port", "{port}", "--no-access-log", "--log-level", "warning", "--backlog", BACKLOG)),
)  # fmt: skip


@dataclass
class StartupResult:
    """Medians for one stack (seconds and MiB).

    Args:
        stack: Label.
        import_s: ``from <framework> import Depends, FastAPI, Query``, fresh interpreter.
        ready_s: Process start until ``GET /ping`` answers.
        openapi_s: The first ``GET /openapi.json`` (document generated on demand).
        total_s: ``ready_s + openapi_s``, what a first client waits.
        rss_mib: Resident memory after serving the document.
        paths: Operations in the document (500 when the app is right).
    """

    stack: str
    import_s: float
    ready_s: float
    openapi_s: float
    total_s: float
    rss_mib: float
    paths: int

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def import_time(python: Path, module: str, runs: int) -> float:
    """Median seconds ``import module`` takes in a fresh interpreter."""
    times = []
    for _ in range(runs):
        done = subprocess.run(
            pinned(0, [str(python), "-c", _IMPORT.format(module)]),
            capture_output=True, text=True, check=True, cwd=ROOT,
        )  # fmt: skip
        times.append(float(done.stdout.strip()))
    return statistics.median(times)


def _get(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _one_start(
    python: Path, framework: str, argv: tuple[str, ...]
) -> tuple[float, float, float, int]:
    port = free_port()
    cmd = [a.replace("{python}", str(python)).replace("{port}", str(port)) for a in argv]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BENCH_FRAMEWORK": framework}
    started = time.perf_counter()
    process = subprocess.Popen(
        pinned(0, cmd), cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{framework} 500-route app exited with {process.returncode}")
            if time.perf_counter() - started > START_TIMEOUT:
                raise RuntimeError(f"{framework} 500-route app not ready in {START_TIMEOUT:.0f} s")
            try:
                if _get(port, "/ping")[0] == 200:
                    break
            except (OSError, http.client.HTTPException):
                time.sleep(0.01)
        ready = time.perf_counter() - started
        before = time.perf_counter()
        status, body = _get(port, "/openapi.json")
        openapi = time.perf_counter() - before
        if status != 200:
            raise RuntimeError(f"{framework} /openapi.json answered {status}")
        paths = json.loads(body)["paths"]
        operations = sum(len(methods) for methods in paths.values())
        return ready, openapi, tree_rss_mib(process.pid), operations
    finally:
        process.terminate()
        process.wait(timeout=10)


def measure_startup(
    python: Path, runs: int, log: Callable[[str], None] = print
) -> list[StartupResult]:
    """Median import, ready and first-document times per stack of :data:`STARTUP_STACKS`."""
    results = []
    imports = {m: import_time(python, m, runs) for m in ("zephyr", "fastapi")}
    for label, framework, argv in STARTUP_STACKS:
        runs_data = [_one_start(python, framework, argv) for _ in range(runs)]
        ready = statistics.median(r[0] for r in runs_data)
        openapi = statistics.median(r[1] for r in runs_data)
        result = StartupResult(
            label, imports[framework], ready, openapi, ready + openapi,
            statistics.median(r[2] for r in runs_data), runs_data[0][3],
        )  # fmt: skip
        results.append(result)
        log(
            f"startup {label:<22} import {result.import_s * 1000:6.0f} ms  ready "
            f"{ready * 1000:6.0f} ms  first /openapi.json {openapi * 1000:6.0f} ms  "
            f"RSS {result.rss_mib:5.1f} MiB  operations {result.paths}"
        )
    return results
