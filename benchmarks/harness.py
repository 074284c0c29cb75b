"""Start servers pinned to one core, load them with wrk pinned to another, report ratios.

The machine this runs on is shared and noisy, so every comparison is made
inside one run: rounds are interleaved (A B A B ...) and the report gives the
median of each stack and its ratio to the reference stack.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Stack:
    """One server + app combination under test.

    Args:
        name: Label used in the report.
        argv: Command line; ``{port}`` is replaced with the port to bind.
    """

    name: str
    argv: tuple[str, ...]


@dataclass(frozen=True)
class Endpoint:
    """One URL to load, with the response a correct server gives."""

    name: str
    path: str
    expect_body: bytes
    expect_type: str


@dataclass
class Sample:
    """One wrk run: requests/s, p99 latency (ms) and the error count."""

    rps: float
    p99_ms: float
    errors: int


@dataclass
class Result:
    """All samples of one stack on one endpoint."""

    stack: str
    endpoint: str
    samples: list[Sample] = field(default_factory=list)

    @property
    def median_rps(self) -> float:
        return statistics.median(s.rps for s in self.samples)

    @property
    def spread(self) -> float:
        """(max - min) / median of requests/s, as a fraction."""
        values = [s.rps for s in self.samples]
        return (max(values) - min(values)) / statistics.median(values)

    @property
    def median_p99_ms(self) -> float:
        return statistics.median(s.p99_ms for s in self.samples)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def pinned(core: int, argv: Sequence[str]) -> list[str]:
    """Prefix ``argv`` with ``taskset`` when the machine has a core to spare."""
    if shutil.which("taskset") and (os.cpu_count() or 1) >= 2:
        return ["taskset", "-c", str(core), *argv]
    return list(argv)


def ensure_wrk() -> str:
    """Return wrk's path, installing Debian's package when running as root."""
    path = shutil.which("wrk")
    if path:
        return path
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "update", "-qq"], check=False, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, capture_output=True)
        path = shutil.which("wrk")
        if path:
            return path
    raise SystemExit("wrk is required: install it with `apt-get install wrk`")


def fetch(url: str, timeout: float = 2.0) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.headers.get("content-type", ""), response.read()


def start(stack: Stack, endpoints: Sequence[Endpoint]) -> tuple[subprocess.Popen[bytes], int]:
    """Start ``stack`` on a free port; wait until every endpoint answers correctly."""
    port = free_port()
    argv = [part.replace("{port}", str(port)) for part in stack.argv]
    process = subprocess.Popen(
        pinned(0, argv), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 20
    while True:
        if process.poll() is not None:
            err = process.stderr.read().decode(errors="replace") if process.stderr else ""
            raise SystemExit(f"{stack.name} exited with {process.returncode}:\n{err}")
        try:
            fetch(f"http://127.0.0.1:{port}{endpoints[0].path}", timeout=0.5)
            break
        except OSError:
            if time.monotonic() > deadline:
                stop(process)
                raise SystemExit(f"{stack.name} did not start within 20 s") from None
            time.sleep(0.1)
    verify(stack, port, endpoints)
    return process, port


def verify(stack: Stack, port: int, endpoints: Sequence[Endpoint]) -> None:
    """A fast wrong answer is a failure: check each endpoint before measuring."""
    for endpoint in endpoints:
        status, ctype, body = fetch(f"http://127.0.0.1:{port}{endpoint.path}")
        if status != 200 or body != endpoint.expect_body or endpoint.expect_type not in ctype:
            raise SystemExit(
                f"{stack.name} {endpoint.path}: wrong response {status} {ctype!r} {body!r}"
            )


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


_RPS = re.compile(r"Requests/sec:\s+([\d.]+)")
_P99 = re.compile(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", re.M)
_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
_NON2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")
_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def parse_wrk(output: str) -> Sample:
    rps = _RPS.search(output)
    if rps is None:
        raise SystemExit(f"could not parse wrk output:\n{output}")
    p99 = _P99.search(output)
    p99_ms = float(p99.group(1)) * _UNIT_MS[p99.group(2)] if p99 else float("nan")
    socket_errors = _ERRORS.search(output)
    errors = sum(int(n) for n in socket_errors.groups()) if socket_errors else 0
    non2xx = _NON2XX.search(output)
    errors += int(non2xx.group(1)) if non2xx else 0
    return Sample(float(rps.group(1)), p99_ms, errors)


def load(wrk: str, url: str, seconds: float, connections: int) -> Sample:
    argv = [wrk, "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency", url]
    done = subprocess.run(pinned(1, argv), capture_output=True, text=True, timeout=seconds + 30)
    return parse_wrk(done.stdout)


def run(
    stacks: Sequence[Stack],
    endpoints: Sequence[Endpoint],
    *,
    rounds: int = 3,
    seconds: float = 5.0,
    warmup: float = 1.0,
    connections: int = 64,
) -> list[Result]:
    """Measure every stack on every endpoint, rounds interleaved across stacks."""
    wrk = ensure_wrk()
    results = {(s.name, e.name): Result(s.name, e.name) for s in stacks for e in endpoints}
    for round_no in range(rounds):
        for stack in stacks:
            process, port = start(stack, endpoints)
            try:
                for endpoint in endpoints:
                    url = f"http://127.0.0.1:{port}{endpoint.path}"
                    load(wrk, url, warmup, connections)
                    sample = load(wrk, url, seconds, connections)
                    results[(stack.name, endpoint.name)].samples.append(sample)
                    print(
                        f"round {round_no + 1}/{rounds} {stack.name:<28} {endpoint.name:<10} "
                        f"{sample.rps:>10.0f} req/s  p99 {sample.p99_ms:.2f} ms  "
                        f"errors {sample.errors}",
                        flush=True,
                    )
                verify(stack, port, endpoints)
            finally:
                stop(process)
    return list(results.values())


def report(results: Sequence[Result], reference: str) -> str:
    """Markdown table: median req/s, spread, p99, and the ratio to ``reference``."""
    by_key = {(r.stack, r.endpoint): r for r in results}
    lines = [
        "| stack | endpoint | req/s (median) | spread | p99 ms | errors | ratio to "
        + reference
        + " |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        ref = by_key[(reference, r.endpoint)]
        errors = sum(s.errors for s in r.samples)
        lines.append(
            f"| {r.stack} | {r.endpoint} | {r.median_rps:,.0f} | {r.spread:.0%} | "
            f"{r.median_p99_ms:.2f} | {errors} | {r.median_rps / ref.median_rps:.2f}x |"
        )
    return "\n".join(lines)


def save(results: Sequence[Result], name: str, table: str) -> Path:
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    stamp = time.strftime("%Y-%m-%d")
    path = out / f"{stamp}-{name}.json"
    payload = {
        "date": stamp,
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "results": [
            {
                "stack": r.stack,
                "endpoint": r.endpoint,
                "median_rps": r.median_rps,
                "spread": r.spread,
                "median_p99_ms": r.median_p99_ms,
                "samples": [s.__dict__ for s in r.samples],
            }
            for r in results
        ],
    }
    path.write_text(json.dumps(payload, indent=2) + "\n")
    (out / f"{stamp}-{name}.md").write_text(table + "\n")
    return path
