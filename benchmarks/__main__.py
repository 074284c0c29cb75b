"""``python -m benchmarks run``: zephyr against its peers in one run, verified, with ratios.

Examples::

    python -m benchmarks run                        # everything, 3 rounds x 5 s
    python -m benchmarks run --quick                # CI smoke: zephyr x3, FastAPI, raw; 1 s
    python -m benchmarks run --only json,db --stacks zephyr,fastapi-uvicorn --rounds 5
    python -m benchmarks setup-db                   # create the hello_world database
    python -m benchmarks connections                # 10,000 connections, counted server-side
    python -m benchmarks report benchmarks/results/2026-11-21.json   # re-render .md/.png

The exit status is non-zero when a zephyr stack fails to start, answers
wrongly (before or after load) or returns non-2xx responses under load;
never because of its speed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from benchmarks import connections, database, peers, report, stacks, startup, suite
from benchmarks.harness import ROOT, Plan, measure, raise_fd_limit

RESULTS = ROOT / "benchmarks" / "results"


def _csv(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="measure and write results/<date>.{json,md,png}")
    run.add_argument(
        "--quick", action="store_true", help="CI smoke: zephyr stacks, FastAPI, raw; short"
    )
    run.add_argument(
        "--only", type=_csv, default=[], metavar="T1,T2",
        help=f"tests or groups: {', '.join(suite.TEST_NAMES)}; {', '.join(suite.GROUPS)}, startup",
    )  # fmt: skip
    run.add_argument(
        "--stacks", type=_csv, default=[], metavar="S1,S2",
        help=f"stacks: {', '.join(stacks.STACK_KEYS)}",
    )  # fmt: skip
    run.add_argument("--rounds", type=int, help="interleaved rounds (default 3; quick 1)")
    run.add_argument("--seconds", type=float, help="measured seconds per test (default 5; quick 1)")
    run.add_argument("--warmup", type=float, help="warm-up seconds per test (default 1; quick 0)")
    run.add_argument("--no-chart", action="store_true", help="skip the PNG chart")
    commands.add_parser("setup-db", help="create/fill the hello_world database and exit")
    conns = commands.add_parser(
        "connections", help="hold 10,000 connections; write results/<date>-connections.*"
    )
    conns.add_argument("--stacks", type=_csv, default=list(connections.DEFAULT_STACKS))
    conns.add_argument("--connections", type=int, default=10_000)
    conns.add_argument("--interval", type=float, default=2.0, help="seconds between requests")
    conns.add_argument("--seconds", type=float, default=10.0, help="measured seconds")
    again = commands.add_parser("report", help="re-render a results JSON's .md and .png")
    again.add_argument("results", type=Path, help="benchmarks/results/<date>.json")
    return parser


def _machine() -> dict[str, object]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem_kib = int(Path("/proc/meminfo").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        mem_kib = 0
    cpus = os.cpu_count() or 1
    mem_gib = mem_kib / 1024 / 1024
    return {
        "cpus": cpus, "cpu": model, "memory_gib": round(mem_gib, 1), "kernel": platform.release(),
        "description": f"{cpus} x {model or 'CPU'}, {mem_gib:.0f} GiB, Linux {platform.release()}",
    }  # fmt: skip


def setup_db(python: Path) -> None:
    """Create the hello_world database with the peers' asyncpg; exit with its message on failure."""
    done = subprocess.run(
        [str(python), "-m", "benchmarks.database"], cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit((done.stderr.strip().splitlines() or ["database setup failed"])[-1])
    print(done.stdout.strip(), flush=True)


def run(args: argparse.Namespace) -> int:
    quick = args.quick
    chosen_stacks = stacks.select(args.stacks or (list(stacks.QUICK) if quick else []))
    tests = suite.select(args.only)
    if quick and not args.only:
        # Opening 10,000 connections takes longer than a 1 s smoke run measures.
        tests = [t for t in tests if t.connections <= 1_000]
    with_startup = not args.only or "startup" in args.only
    rounds = args.rounds or (1 if quick else 3)
    seconds = args.seconds or (1.0 if quick else 5.0)
    warmup = args.warmup if args.warmup is not None else (0.0 if quick else 1.0)
    fd_limit = raise_fd_limit()
    if fd_limit < 10_500 and any(t.connections >= 10_000 for t in tests):
        print(
            f"warning: open-file limit {fd_limit}: the 10k-connection test will error", flush=True
        )
    python = peers.ensure()
    if any(t.needs_db for t in tests):
        setup_db(python)
    plan = Plan(
        chosen_stacks, tests, rounds, seconds, warmup, python,
        lambda ids: database.lookup_worlds(ids, str(python)),
    )  # fmt: skip
    started = time.monotonic()
    cells, memory = measure(plan)
    startup_results = startup.measure_startup(python, 1 if quick else 3) if with_startup else []
    date = time.strftime("%Y-%m-%d")
    partial = bool(args.only or args.stacks) and not quick
    stem = date + ("-quick" if quick else "-partial" if partial else "")
    result = report.Run(
        date=date,
        settings={"rounds": rounds, "seconds": seconds, "warmup": warmup, "quick": quick,
                  "duration_s": round(time.monotonic() - started)},
        machine=_machine(),
        versions=peers.versions(python),
        stacks=chosen_stacks,
        tests=tests,
        cells=cells,
        memory=memory,
        startup=startup_results,
    )  # fmt: skip
    json_path, md_path = report.save(result, RESULTS, stem)
    print(md_path.read_text())
    print(f"saved {json_path.relative_to(ROOT)} and {md_path.name}", flush=True)
    if not args.no_chart:
        _chart(python, json_path)
    return _zephyr_status(result)


def _chart(python: Path, json_path: Path) -> None:
    """Draw ``<stem>.png`` beside the JSON with the peers' matplotlib."""
    png = json_path.with_suffix(".png")
    subprocess.run(
        [str(python), "-m", "benchmarks.chart", str(json_path), str(png)], cwd=ROOT, check=True
    )
    print(f"chart {png}")


def _zephyr_status(result: report.Run) -> int:
    """1 when any zephyr stack failed a check or answered non-2xx under load."""
    zephyr = [c for (key, _), c in result.cells.items() if key in stacks.ZEPHYR_KEYS]
    bad = [c for c in zephyr if not c.ok or any(s.non2xx or not s.rps for s in c.samples)]
    for cell in bad:
        why = cell.failure or "non-2xx responses, or none at all, under load"
        print(f"ZEPHYR FAILURE: {cell.stack} / {cell.test}: {why}", file=sys.stderr)
    print(f"benchmarks: {len(zephyr) - len(bad)} passed, {len(bad)} failed")
    return 1 if bad else 0


def main() -> None:
    args = _parser().parse_args()
    if args.command == "setup-db":
        setup_db(peers.ensure())
        return
    if args.command == "connections":
        sys.exit(connections.run(args.stacks, args.connections, args.interval, args.seconds))
    if args.command == "report":
        result = report.from_json(json.loads(args.results.read_text()))
        json_path, md_path = report.save(result, args.results.parent, args.results.stem)
        _chart(peers.ensure(), json_path)
        print(md_path.read_text())
        return
    sys.exit(run(args))


if __name__ == "__main__":
    main()
