"""``python -m benchmarks connections``: hold 10,000 keep-alive connections, counted server-side.

Each stack's server runs pinned to core 0 with the same command line as in
``benchmarks run``; ``benchmarks._conn_client`` runs pinned to core 1, opens
the connections and keeps each one busy with ``GET /io`` (100 ms of awaited
simulated I/O) once per interval. Meanwhile the kernel's count of
established sockets on the server's port (``ss state established sport =
:PORT``, the server's side of each connection) is sampled every 0.25 s; its
peak is the figure reported. A stack passes when the peak reaches 95 % of
the connections asked for, no request errored, and the p99 latency is at
most 1.5 x the awaited 100 ms.

Results go to ``benchmarks/results/<date>-connections.{json,md}``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import peers, stacks
from benchmarks.apps._common import IO_SECONDS
from benchmarks.harness import ROOT, Server, pinned, raise_fd_limit

P99_FACTOR = 1.5
OPEN_FRACTION = 0.95
DEFAULT_STACKS = ("zephyr", "fastapi-uvicorn")


def established(port: int) -> int:
    """Established TCP sockets whose local port is ``port`` (the server's side)."""
    done = subprocess.run(
        ["ss", "-Htn", "state", "established", f"( sport = :{port} )"],
        capture_output=True,
        text=True,
        check=True,
    )
    return sum(1 for line in done.stdout.splitlines() if line.strip())


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds used so far by process ``pid``."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Result:
    """One stack's run: the client's figures and the server-side peak of open connections."""

    stack: str
    label: str
    client: dict[str, Any]
    server_peak_open: int
    server_rss_peak_mib: float
    server_cpu_busy: float  # CPU seconds / wall seconds during the client's run; ~1 = saturated
    samples: list[int] = field(default_factory=list)

    def passed(self) -> bool:
        wanted = self.client["connections"]
        return (
            self.server_peak_open >= OPEN_FRACTION * wanted
            and not self.client["errors"]
            and self.client["p99_ms"] <= P99_FACTOR * IO_SECONDS * 1000
        )


def measure(stack: stacks.Stack, connections: int, interval: float, seconds: float) -> Result:
    """Start ``stack``, run the client against it, sample the open connections; stop it."""
    server = Server(stack, peers.ensure())
    peak_rss = [server.rss_mib()]
    counts: list[int] = []
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.25):
            counts.append(established(server.port))
            peak_rss.append(server.rss_mib())

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    cpu_before, wall_before = cpu_seconds(server.process.pid), time.monotonic()
    try:
        argv = [
            sys.executable, "-m", "benchmarks._conn_client", str(server.port),
            "--connections", str(connections), "--interval", str(interval),
            "--seconds", str(seconds),
        ]  # fmt: skip
        out = subprocess.run(
            pinned(1, argv), cwd=ROOT, capture_output=True, text=True, timeout=seconds + 300
        )
        busy = (cpu_seconds(server.process.pid) - cpu_before) / (time.monotonic() - wall_before)
    finally:
        done.set()
        watcher.join()
        server.stop()
    if out.returncode != 0:
        raise RuntimeError(f"client failed: {out.stderr.strip()[-400:]}")
    client = json.loads(out.stdout.strip().splitlines()[-1])
    peak_open = max(counts, default=0)
    return Result(stack.key, stack.name, client, peak_open, max(peak_rss), round(busy, 2), counts)


def markdown(results: Sequence[Result], date: str) -> str:
    """The results table, one row per stack."""
    bound = P99_FACTOR * IO_SECONDS * 1000
    lines = [
        f"# Connections: {date}",
        "",
        f"Keep-alive connections held open, each sending `GET /io` (awaits "
        f"{IO_SECONDS * 1000:.0f} ms) once per interval. Server-side open = peak of "
        "`ss state established` on the server's port. Pass: open >= "
        f"{OPEN_FRACTION:.0%} of asked, 0 errors, p99 <= {bound:.0f} ms.",
        "",
        "| stack | asked | open (server side) | requests/s | p50 ms | p99 ms | max ms "
        "| errors | server CPU busy | client CPU busy | peak RSS MiB | pass |",
        "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---|",
    ]
    for r in results:
        c = r.client
        errors = ", ".join(f"{k} {v}" for k, v in sorted(c["errors"].items())) or "0"
        lines.append(
            f"| {r.label} | {c['connections']:,} | {r.server_peak_open:,} | {c['rps']:,} "
            f"| {c['p50_ms']} | {c['p99_ms']} | {c['max_ms']} | {errors} "
            f"| {r.server_cpu_busy:.0%} | {c['client_cpu_busy']:.0%} "
            f"| {r.server_rss_peak_mib:.0f} | {'yes' if r.passed() else 'no'} |"
        )
    interval = results[0].client["interval_s"] if results else 0
    lines += ["", f"Interval {interval} s per connection; one server core, client on the other."]
    return "\n".join(lines) + "\n"


def run(keys: Sequence[str], connections: int, interval: float, seconds: float) -> int:
    """Measure each stack in turn, save and print the table; 1 when a zephyr stack fails."""
    if shutil.which("ss") is None:
        raise SystemExit("`ss` is required (Debian package iproute2) to count connections")
    limit = raise_fd_limit()
    if limit < connections + 500:
        raise SystemExit(f"open-file limit {limit} is too low for {connections} connections")
    chosen = stacks.select(list(keys))
    results = []
    for stack in chosen:
        print(f"{stack.name}: {connections:,} connections ...", flush=True)
        results.append(measure(stack, connections, interval, seconds))
    date = time.strftime("%Y-%m-%d")
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    data = [
        {"stack": r.stack, "label": r.label, "client": r.client, "passed": r.passed(),
         "server_peak_open": r.server_peak_open, "server_rss_peak_mib": r.server_rss_peak_mib,
         "server_cpu_busy": r.server_cpu_busy,
         "server_open_samples": r.samples}
        for r in results
    ]  # fmt: skip
    (out / f"{date}-connections.json").write_text(json.dumps(data, indent=2) + "\n")
    table = markdown(results, date)
    (out / f"{date}-connections.md").write_text(table)
    print(table)
    failed = [r for r in results if r.stack in stacks.ZEPHYR_KEYS and not r.passed()]
    return 1 if failed else 0
