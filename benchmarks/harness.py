"""Start servers pinned to one core, verify them, load them with wrk pinned to the other.

The machine is shared and noisy, so every comparison is made inside one run:
rounds are interleaved (A B C A B C ...), each stack is started afresh per
round, and each test is verified (before and after its load) so that a fast
wrong answer becomes a failure instead of a number.
"""

from __future__ import annotations

import math
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import peers, stacks
from benchmarks.suite import WRK_SCRIPTS, Client, LoadTest
from benchmarks.verify import WorldLookup

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 30.0  # seconds a server may take to accept connections


@dataclass
class Sample:
    """One measured wrk run.

    Args:
        rps: Requests per second.
        p50_ms / p99_ms: Latency percentiles in milliseconds.
        errors: Socket errors (connect, read, write, timeout).
        non2xx: Responses with a status outside 2xx/3xx.
        peak_rss_mib: Highest resident memory of the server's process tree during the run.
    """

    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    non2xx: int
    peak_rss_mib: float = 0.0


@dataclass
class Cell:
    """Everything measured for one stack on one test across the rounds."""

    stack: str
    test: str
    samples: list[Sample] = field(default_factory=list)
    failure: str | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None and bool(self.samples)

    def median(self, attr: str) -> float:
        """Median of ``attr`` over the samples; NaN (untimed latency) values are left out."""
        values = [v for v in (getattr(s, attr) for s in self.samples) if not math.isnan(v)]
        return statistics.median(values) if values else float("nan")

    @property
    def spread(self) -> float:
        """(max - min) / median of requests/s, as a fraction (0 with one round)."""
        values = [s.rps for s in self.samples]
        middle = statistics.median(values)
        return (max(values) - min(values)) / middle if middle else 0.0


@dataclass
class Memory:
    """Resident memory (MiB) of one stack's process tree, one value per round."""

    idle: list[float] = field(default_factory=list)
    peak: list[float] = field(default_factory=list)
    after: list[float] = field(default_factory=list)


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


def raise_fd_limit(wanted: int = 65_536) -> int:
    """Raise RLIMIT_NOFILE (inherited by servers and wrk) for 10,000 connections.

    Returns:
        The soft limit now in force.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    for limit in (wanted, hard):
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (limit, max(limit, hard)))
            return limit
        except (ValueError, OSError):
            continue
    return soft


def tree_rss_mib(pid: int) -> float:
    """Resident memory of ``pid`` and all its descendants (gunicorn/granian workers), MiB."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    total_kib, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo += children.get(current, [])
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kib += int(line.split()[1])
        except OSError:
            continue
    return total_kib / 1024


class Server:
    """One stack's server process, started on a free port and pinned to core 0.

    Args:
        stack: What to start.
        python: The peers' interpreter substituted for ``{python}``.
    """

    def __init__(self, stack: stacks.Stack, python: Path) -> None:
        self.stack = stack
        self.port = free_port()
        argv = [
            a.replace("{python}", str(python)).replace("{port}", str(self.port)) for a in stack.argv
        ]
        path = [str(ROOT)]
        if stack.compiled:
            path.insert(0, str(peers.compiled_core(python)))
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(path)}
        # A session of its own so that a stuck server and its workers can be killed together.
        self.process = subprocess.Popen(
            pinned(0, argv), cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, start_new_session=True,
        )  # fmt: skip
        self._wait_ready()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"exited with {self.process.returncode}: {self.stderr_tail()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"not accepting after {START_TIMEOUT:.0f} s") from None
                time.sleep(0.05)

    def alive(self) -> bool:
        return self.process.poll() is None

    def rss_mib(self) -> float:
        return tree_rss_mib(self.process.pid)

    def stderr_tail(self) -> str:
        if self.process.stderr is None or self.alive():
            return ""
        return self.process.stderr.read().decode(errors="replace").strip()[-400:]

    def stop(self) -> None:
        if self.alive():
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self.process.stderr is not None:
            self.process.stderr.close()


_RPS = re.compile(r"Requests/sec:\s+([\d.]+)")
_PERCENTILE = r"^\s+{}%\s+([\d.]+)(us|ms|s)\s*$"
_P50 = re.compile(_PERCENTILE.format(50), re.M)
_P99 = re.compile(_PERCENTILE.format(99), re.M)
_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
_NON2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")
_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def parse_wrk(output: str) -> Sample:
    """Requests/s, p50/p99 and error counts from ``wrk --latency`` output.

    Raises:
        RuntimeError: The output has no ``Requests/sec`` line.
    """
    rps = _RPS.search(output)
    if rps is None:
        raise RuntimeError(f"could not parse wrk output: {output[-300:]!r}")

    def latency(pattern: re.Pattern[str]) -> float:
        # wrk prints 0 when it timed nothing (pipelined requests are not timed one by one).
        found = pattern.search(output)
        value = float(found.group(1)) * _UNIT_MS[found.group(2)] if found else 0.0
        return value or float("nan")

    socket_errors = _ERRORS.search(output)
    errors = sum(int(n) for n in socket_errors.groups()) if socket_errors else 0
    non2xx = _NON2XX.search(output)
    return Sample(
        float(rps.group(1)), latency(_P50), latency(_P99), errors,
        int(non2xx.group(1)) if non2xx else 0,
    )  # fmt: skip


def load(wrk: str, server: Server, test: LoadTest, seconds: float) -> Sample:
    """One wrk run of ``test`` against ``server``, tracking the server's peak RSS."""
    argv = [
        wrk, "-t1", f"-c{test.connections}", f"-d{max(1, round(seconds))}s",
        "--timeout", f"{test.timeout:g}s", "--latency",
    ]  # fmt: skip
    if test.script:
        argv += ["-s", str(WRK_SCRIPTS / test.script)]
    argv.append(f"http://127.0.0.1:{server.port}{test.path}")
    peak = [server.rss_mib()]
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.25):
            peak.append(server.rss_mib())

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        out = subprocess.run(pinned(1, argv), capture_output=True, text=True, timeout=seconds + 60)
    finally:
        done.set()
        watcher.join()
    sample = parse_wrk(out.stdout)
    sample.peak_rss_mib = max(peak)
    if not test.timed:
        sample.p50_ms = sample.p99_ms = float("nan")
    return sample


Log = Callable[[str], None]


@dataclass
class Plan:
    """What one run measures and how long.

    Args:
        stacks / tests: In report order.
        rounds: Interleaved rounds.
        seconds: Measured seconds per wrk run.
        warmup: Seconds of unmeasured load before each measured run (0 skips it).
        python: The peers' interpreter.
        lookup: Reads World rows from PostgreSQL for the updates check.
    """

    stacks: Sequence[stacks.Stack]
    tests: Sequence[LoadTest]
    rounds: int
    seconds: float
    warmup: float
    python: Path
    lookup: WorldLookup | None = None


def measure(plan: Plan, log: Log = print) -> tuple[dict[tuple[str, str], Cell], dict[str, Memory]]:
    """Run every test of every stack, rounds interleaved across stacks.

    Returns:
        ``{(stack key, test name): Cell}`` for the tests each stack serves, and
        the memory figures per stack key.
    """
    wrk = ensure_wrk()
    cells = {
        (s.key, t.name): Cell(s.key, t.name)
        for s in plan.stacks
        for t in plan.tests
        if s.serves(t.name)
    }
    memory = {s.key: Memory() for s in plan.stacks}
    for round_no in range(1, plan.rounds + 1):
        for stack in plan.stacks:
            todo = [cells[(stack.key, t.name)] for t in plan.tests if (stack.key, t.name) in cells]
            todo = [c for c in todo if c.failure is None]
            if todo:
                _round(plan, wrk, stack, todo, memory[stack.key], f"{round_no}/{plan.rounds}", log)
    return cells, memory


def _round(
    plan: Plan,
    wrk: str,
    stack: stacks.Stack,
    cells: list[Cell],
    memory: Memory,
    label: str,
    log: Log,
) -> None:
    tests = {t.name: t for t in plan.tests}
    try:
        server = Server(stack, plan.python)
    except RuntimeError as exc:
        for cell in cells:
            cell.failure = f"server did not start: {exc}"
        log(f"round {label} {stack.name}: FAILED to start: {exc}")
        return
    try:
        time.sleep(0.3)  # let start-up allocations settle before reading idle memory
        memory.idle.append(server.rss_mib())
        client = Client(server.port)
        client.lookup = plan.lookup
        peak = 0.0
        for cell in cells:
            sample = _measure_one(plan, wrk, server, client, tests[cell.test], cell)
            if sample is not None:
                peak = max(peak, sample.peak_rss_mib)
                log(
                    f"round {label} {stack.name:<44} {cell.test:<10} {sample.rps:>9.0f} req/s  "
                    f"p50 {sample.p50_ms:7.2f} ms  p99 {sample.p99_ms:7.2f} ms  "
                    f"errors {sample.errors + sample.non2xx}"
                )
            else:
                log(f"round {label} {stack.name:<44} {cell.test:<10} FAILED: {cell.failure}")
        client.close()
        after = server.rss_mib()
        memory.peak.append(max(peak, after))
        memory.after.append(after)
    finally:
        server.stop()


def _measure_one(
    plan: Plan, wrk: str, server: Server, client: Client, test: LoadTest, cell: Cell
) -> Sample | None:
    """Verify, warm up, measure, verify again; on any failure set ``cell.failure``."""
    try:
        problems = test.check(client)
        if problems:
            cell.failure = "wrong response: " + "; ".join(problems[:3])
            return None
        if plan.warmup > 0:
            load(wrk, server, test, plan.warmup)
        sample = load(wrk, server, test, max(plan.seconds, test.min_seconds))
        client.close()  # wrk may have exhausted the server's patience with our idle socket
        problems = test.check(client)
        if problems:
            # Requests wrk left queued (a sync server drains its backlog after wrk quits)
            # may still be updating rows: let them finish, then judge again.
            time.sleep(1.0)
            problems = test.check(client)
    except (OSError, RuntimeError, subprocess.TimeoutExpired) as exc:
        problems = [f"{type(exc).__name__}: {exc}"]
        sample = None
    if not server.alive():
        cell.failure = f"server died: {server.stderr_tail()}"
        return None
    if problems or sample is None:
        cell.failure = "wrong response after load: " + "; ".join(problems[:3])
        return None
    cell.samples.append(sample)
    return sample


# -- One server, one interpreter: the helpers ``benchmarks/realtime.py`` builds on. ----------


@dataclass(frozen=True)
class Stack:
    """A server command for the single-purpose benchmarks (``realtime.py``).

    Args:
        name: Label used in the report.
        argv: Command line; ``{port}`` is replaced with the port to bind.
    """

    name: str
    argv: tuple[str, ...]


@dataclass(frozen=True)
class Endpoint:
    """A URL and the exact answer a correct server gives (``realtime.py``'s health check)."""

    name: str
    path: str
    expect_body: bytes
    expect_type: str


def fetch(url: str, timeout: float = 2.0) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.headers.get("content-type", ""), response.read()


def start(stack: Stack, endpoints: Sequence[Endpoint]) -> tuple[subprocess.Popen[bytes], int]:
    """Start ``stack`` pinned to core 0 on a free port; wait until every endpoint answers right.

    Raises:
        SystemExit: The server exited, did not answer within 20 s, or answered wrongly.
    """
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
    for endpoint in endpoints:
        status, ctype, body = fetch(f"http://127.0.0.1:{port}{endpoint.path}")
        if status != 200 or body != endpoint.expect_body or endpoint.expect_type not in ctype:
            stop(process)
            raise SystemExit(f"{stack.name} {endpoint.path}: wrong response {status} {body!r}")
    return process, port


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGINT, then SIGKILL after 10 s."""
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
