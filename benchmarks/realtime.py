"""Real-time benchmark: WebSocket echo messages/s and Server-Sent Events/s, zephyr vs uvicorn.

Run: ``.venv/bin/python -m benchmarks.realtime [--rounds 3] [--clients 32]
[--messages 2000] [--size 32]``.

Each stack (server + app) runs pinned to core 0; the load generator runs
pinned to core 1 as ``python -m benchmarks.realtime --client ...``: N
concurrent connections, each doing ``messages`` send-then-receive round trips
of a ``size``-byte text message (no compression offered, so framing and the
ASGI path are measured, not zlib); for SSE, N concurrent ``GET /sse?n=...``
streams of small typed events, counted as they arrive. Rounds are interleaved
across stacks; the report gives medians and ratios to the reference stack
(the second of each case: uvicorn with the same app, or FastAPI on uvicorn).

The load generator is deliberately lean (pre-masked frames on raw asyncio
sockets), so the servers, not the client, are the bottleneck.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field

from benchmarks.harness import ROOT, Endpoint, Stack, pinned, start, stop

PY = sys.executable
RAW = "benchmarks.apps.realtime_raw:app"
FASTAPI = "benchmarks.apps.realtime_fastapi:app"
ZEPHYR = "benchmarks.apps.realtime_zephyr:app"  # the same source with zephyr imports
HEALTH = (Endpoint("health", "/health", b"ok", "text/plain"),)


def _zephyr(app: str) -> tuple[str, ...]:
    return (PY, "-m", "zephyr", "run", app, "--host", "127.0.0.1", "--port", "{port}",
            "--no-access-log", "--log-level", "warning", "--ws-ping-interval", "3600")  # fmt: skip


def _uvicorn(app: str) -> tuple[str, ...]:
    return (PY, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", "{port}",
            "--loop", "uvloop", "--http", "httptools", "--ws", "websockets",
            "--no-access-log", "--log-level", "warning", "--ws-ping-interval", "3600")  # fmt: skip


@dataclass(frozen=True)
class Case:
    """One comparison: the same app on two servers, the second being the reference."""

    name: str
    stacks: tuple[Stack, Stack]
    path: str
    kind: str = "ws"  # "ws": echo round trips; "sse": events streamed per request


CASES = (
    Case(
        "ws echo, raw ASGI",
        (Stack("zephyr server", _zephyr(RAW)), Stack("uvicorn (websockets)", _uvicorn(RAW))),
        "/ws",
    ),
    Case(
        "ws echo, FastAPI app",
        (
            Stack("zephyr server", _zephyr(FASTAPI)),
            Stack("uvicorn (websockets)", _uvicorn(FASTAPI)),
        ),
        "/ws",
    ),
    Case(
        "ws echo, zephyr vs FastAPI",
        (Stack("zephyr", _zephyr(ZEPHYR)), Stack("FastAPI + uvicorn", _uvicorn(FASTAPI))),
        "/ws",
    ),
    Case(
        "sse events, zephyr vs FastAPI",
        (Stack("zephyr", _zephyr(ZEPHYR)), Stack("FastAPI + uvicorn", _uvicorn(FASTAPI))),
        "/sse",
        kind="sse",
    ),
)


@dataclass
class Series:
    """All samples of one stack in one case."""

    case: str
    stack: str
    rates: list[float] = field(default_factory=list)
    p99_ms: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.rates) if self.rates else 0.0


# -- load generator (runs in its own process, on core 1) -----------------------------

_MASK = b"\x11\x22\x33\x44"


def _masked_text_frame(payload: bytes) -> bytes:
    # PERF: one pre-masked frame is reused for every send; the client's cost
    # per round trip is one write and one read.
    assert len(payload) < 126
    masked = bytes(b ^ _MASK[i % 4] for i, b in enumerate(payload))
    return bytes((0x81, 0x80 | len(payload))) + _MASK + masked


async def _one_client(
    port: int, path: str, frame: bytes, echo_len: int, count: int, deadline: float, lat: list[float]
) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    key = base64.b64encode(os.urandom(16))
    writer.write(
        b"GET " + path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
        b"Connection: Upgrade\r\nSec-WebSocket-Key: "
        + key
        + b"\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    head = await reader.readuntil(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 101"):
        raise SystemExit(f"handshake refused: {head[:80]!r}")
    done = 0
    clock = time.perf_counter
    for _ in range(count):
        started = clock()
        writer.write(frame)
        echo = await reader.readexactly(echo_len)
        if echo[0] != 0x81:
            raise SystemExit(f"unexpected frame {echo[:8]!r}")
        lat.append(clock() - started)
        done += 1
        if started > deadline:
            break
    writer.write(b"\x88\x82" + _MASK + bytes((0x03 ^ 0x11, 0xE8 ^ 0x22)))  # close 1000
    await writer.drain()
    writer.close()
    return done


async def _one_sse_client(port: int, path: str, events: int, lat: list[float]) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path}?n={events} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    started = time.perf_counter()
    head = await reader.readuntil(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 200") or b"text/event-stream" not in head:
        raise SystemExit(f"unexpected SSE response: {head[:120]!r}")
    chunks: list[bytes] = []
    while True:
        chunk = await reader.read(65536)
        if not chunk:
            break
        chunks.append(chunk)
        if chunk.endswith(b"0\r\n\r\n"):  # the chunked body's last chunk
            break
    seen = b"".join(chunks).count(b"data: {")
    lat.append(time.perf_counter() - started)
    writer.close()
    if seen != events:
        raise SystemExit(f"expected {events} events, got {seen}")
    return seen


async def _client_main(args: argparse.Namespace) -> None:
    lat: list[float] = []
    started = time.perf_counter()
    if args.kind == "sse":
        done = await asyncio.gather(
            *(
                _one_sse_client(args.port, args.path, args.messages, lat)
                for _ in range(args.clients)
            )
        )
    else:
        payload = b"m" * args.size
        frame = _masked_text_frame(payload)
        deadline = time.perf_counter() + args.max_seconds
        done = await asyncio.gather(
            *(
                _one_client(
                    args.port, args.path, frame, 2 + len(payload), args.messages, deadline, lat
                )
                for _ in range(args.clients)
            )
        )
    elapsed = time.perf_counter() - started
    lat.sort()
    p99 = lat[int(len(lat) * 0.99)] * 1000 if lat else float("nan")
    print(json.dumps({"messages": sum(done), "seconds": elapsed, "p99_ms": p99}))


def run_client(port: int, case: Case, args: argparse.Namespace, messages: int) -> dict[str, float]:
    """Run the load generator (pinned to core 1); return its JSON report."""
    argv = [PY, "-m", "benchmarks.realtime", "--client", "--port", str(port), "--path", case.path,
            "--kind", case.kind,
            "--clients", str(args.clients), "--messages", str(messages), "--size", str(args.size),
            "--max-seconds", str(args.max_seconds)]  # fmt: skip
    done = subprocess.run(
        pinned(1, argv), cwd=ROOT, capture_output=True, text=True, timeout=args.max_seconds + 60
    )
    if done.returncode != 0:
        raise SystemExit(f"load generator failed:\n{done.stderr}")
    result: dict[str, float] = json.loads(done.stdout)
    return result


# -- driver ------------------------------------------------------------------------


def measure(args: argparse.Namespace) -> list[Series]:
    series = {(c.name, s.name): Series(c.name, s.name) for c in CASES for s in c.stacks}
    for round_no in range(args.rounds):
        for case in CASES:
            for stack in case.stacks:
                process, port = start(stack, HEALTH)
                try:
                    count = args.messages * (args.sse_factor if case.kind == "sse" else 1)
                    run_client(port, case, args, max(1, count // 10))  # warm-up
                    result = run_client(port, case, args, count)
                finally:
                    stop(process)
                rate = result["messages"] / result["seconds"]
                entry = series[(case.name, stack.name)]
                entry.rates.append(rate)
                entry.p99_ms.append(result["p99_ms"])
                print(
                    f"round {round_no + 1}/{args.rounds} {case.name:<22} {stack.name:<22} "
                    f"{rate:>10.0f} {case.kind} msg/s  p99 {result['p99_ms']:.2f} ms",
                    flush=True,
                )
    return list(series.values())


def report(series: list[Series]) -> str:
    by_key = {(s.case, s.stack): s for s in series}
    lines = [
        "| case | stack | messages or events/s (median) | p99 ms (median) | ratio to reference |",
        "|---|---|---:|---:|---:|",
    ]
    for case in CASES:
        reference = by_key[(case.name, case.stacks[1].name)]
        for stack in case.stacks:
            s = by_key[(case.name, stack.name)]
            ratio = s.median / reference.median if reference.median else float("nan")
            p99 = statistics.median(s.p99_ms) if s.p99_ms else float("nan")
            lines.append(
                f"| {case.name} | {s.stack} | {s.median:,.0f} | {p99:.2f} | {ratio:.2f}x |"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--clients", type=int, default=32, help="concurrent connections (32)")
    parser.add_argument("--messages", type=int, default=2000, help="round trips per client")
    parser.add_argument("--size", type=int, default=32, help="message bytes (< 126; 32)")
    parser.add_argument("--max-seconds", type=float, default=30.0, help="cap per measurement")
    parser.add_argument("--client", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--path", default="/ws", help=argparse.SUPPRESS)
    parser.add_argument("--kind", default="ws", help=argparse.SUPPRESS)
    parser.add_argument(
        "--sse-factor", type=int, default=10, help="SSE events per client = messages x this (10)"
    )
    args = parser.parse_args()
    if args.client:
        import uvloop

        uvloop.run(_client_main(args))
        return
    series = measure(args)
    table = report(series)
    print(table)
    payload = [
        {"case": s.case, "stack": s.stack, "rates": s.rates, "p99_ms": s.p99_ms} for s in series
    ]
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    path = out / f"{time.strftime('%Y-%m-%d')}-realtime.json"
    path.write_text(json.dumps({"machine": {"cpus": os.cpu_count()}, "series": payload}, indent=2))
    (out / f"{time.strftime('%Y-%m-%d')}-realtime.md").write_text(table + "\n")
    print(f"saved {path}")


if __name__ == "__main__":
    main()
