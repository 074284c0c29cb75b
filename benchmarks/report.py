"""Turn a run into ``benchmarks/results/<date>.json`` and Markdown tables with zephyr's ratios.

Every zephyr figure is given as a ratio to FastAPI on uvicorn and to the best
peer of the same run (the fastest non-zephyr stack that passed that test; the
raw-protocol ceiling is not a peer). For latency a ratio below 1 is better.
"""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import stacks, suite
from benchmarks.harness import Cell, Memory, Sample
from benchmarks.stacks import REFERENCE, Stack
from benchmarks.startup import StartupResult
from benchmarks.suite import LoadTest

Cells = Mapping[tuple[str, str], Cell]


@dataclass
class Run:
    """Everything one ``python -m benchmarks run`` measured."""

    date: str
    settings: dict[str, Any]
    machine: dict[str, Any]
    versions: dict[str, str]
    stacks: Sequence[Stack]
    tests: Sequence[LoadTest]
    cells: Cells
    memory: Mapping[str, Memory]
    startup: Sequence[StartupResult]


def _k(value: float) -> str:
    return f"{value / 1000:.1f}k" if value >= 1000 else f"{value:.0f}"


def _ratio(a: float, b: float) -> float | None:
    return a / b if b and math.isfinite(a) and math.isfinite(b) else None


def _fmt(ratio: float | None, pattern: str = "{:.2f}x", missing: str = "—") -> str:
    return missing if ratio is None else pattern.format(ratio)


def _clean(value: Any) -> Any:
    """NaN (latency wrk did not time) becomes null: JSON has no NaN."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def best_peer(run: Run, test: str) -> Cell | None:
    """The fastest passing peer (not zephyr, not the ceiling) on ``test``."""
    peers = [
        run.cells[(s.key, test)]
        for s in run.stacks
        if s.role == "peer" and (s.key, test) in run.cells and run.cells[(s.key, test)].ok
    ]
    return max(peers, key=lambda c: c.median("rps"), default=None)


def ceiling(run: Run, test: str) -> Cell | None:
    """The raw protocol's cell that bounds ``test``: its own, else its plaintext answer.

    The raw stack answers fixed bytes, so for a test it does not serve (an API
    or database endpoint) its plaintext rate is the most any stack could do on
    that core; the I/O-bound tests are limited by their sleep and get none.
    """
    group = next((t.group for t in run.tests if t.name == test), "")
    if group == "io":
        return None
    for name in (test, "plaintext"):
        cell = run.cells.get((stacks.CEILING, name))
        if cell is not None and cell.ok:
            return cell
    return None


def ratios(run: Run) -> list[dict[str, Any]]:
    """Per zephyr stack and test: req/s and p99 against the reference, best peer and ceiling."""
    names = {s.key: s.name for s in run.stacks}
    out = []
    for stack in (s for s in run.stacks if s.role == "zephyr"):
        for test in run.tests:
            cell = run.cells.get((stack.key, test.name))
            if cell is None or not cell.ok:
                continue
            entry: dict[str, Any] = {"stack": stack.key, "test": test.name}
            ref = run.cells.get((REFERENCE, test.name))
            if ref is not None and ref.ok:
                entry["vs_fastapi_rps"] = _ratio(cell.median("rps"), ref.median("rps"))
                entry["vs_fastapi_p99"] = _ratio(cell.median("p99_ms"), ref.median("p99_ms"))
            best = best_peer(run, test.name)
            if best is not None:
                entry["best_peer"] = names[best.stack]
                entry["vs_best_rps"] = _ratio(cell.median("rps"), best.median("rps"))
                entry["vs_best_p99"] = _ratio(cell.median("p99_ms"), best.median("p99_ms"))
            top = ceiling(run, test.name)
            if top is not None:
                entry["of_ceiling"] = _ratio(cell.median("rps"), top.median("rps"))
                entry["ceiling_test"] = top.test
            out.append(entry)
    return out


def log_cost(run: Run) -> list[dict[str, Any]]:
    """Per test: zephyr with the access log on beside the same server without it.

    Returns:
        Entries with ``test``, ``stack`` (log on), ``no_log`` (its twin),
        both req/s and ``cost``: the share of throughput the log takes
        (1 - on / off; 0.1 is 10 %).
    """
    out = []
    for logged, plain in stacks.LOGGED.items():
        for test in run.tests:
            on, off = run.cells.get((logged, test.name)), run.cells.get((plain, test.name))
            if on is None or off is None or not (on.ok and off.ok):
                continue
            ratio = _ratio(on.median("rps"), off.median("rps"))
            if ratio is None:
                continue
            out.append(
                {
                    "test": test.name, "stack": logged, "no_log": plain,
                    "rps_on": on.median("rps"), "rps_off": off.median("rps"), "cost": 1 - ratio,
                }
            )  # fmt: skip
    return out


def deps_cost(run: Run) -> dict[str, float]:
    """Per stack: time per request of ``/deps`` over ``/nodeps`` (rps nodeps / rps deps)."""
    out = {}
    for stack in run.stacks:
        deps, nodeps = run.cells.get((stack.key, "deps")), run.cells.get((stack.key, "nodeps"))
        if deps is not None and nodeps is not None and deps.ok and nodeps.ok:
            ratio = _ratio(nodeps.median("rps"), deps.median("rps"))
            if ratio is not None:
                out[stack.key] = ratio
    return out


def _mib(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def to_json(run: Run) -> dict[str, Any]:
    results = []
    for (stack, test), cell in run.cells.items():
        entry: dict[str, Any] = {"stack": stack, "test": test, "status": "ok"}
        if not cell.ok:
            entry.update(status="FAILED", failure=cell.failure or "no sample")
        else:
            entry.update(
                median_rps=cell.median("rps"), spread=cell.spread,
                median_p50_ms=cell.median("p50_ms"), median_p99_ms=cell.median("p99_ms"),
                errors=sum(s.errors + s.non2xx for s in cell.samples),
            )  # fmt: skip
        entry["samples"] = [s.__dict__ for s in cell.samples]
        results.append(entry)
    return {
        "date": run.date,
        "settings": run.settings,
        "machine": run.machine,
        "versions": run.versions,
        "reference": REFERENCE,
        "stacks": [{"key": s.key, "name": s.name, "role": s.role} for s in run.stacks],
        "tests": [
            {"name": t.name, "group": t.group, "path": t.path, "connections": t.connections}
            for t in run.tests
        ],
        "results": results,
        "memory_mib": {
            key: {
                "idle": _mib(m.idle),
                "peak_under_load": _mib(m.peak),
                "after_load": _mib(m.after),
            }
            for key, m in run.memory.items()
        },
        "startup": [s.as_dict() for s in run.startup],
        "ratios": ratios(run),
        "access_log_cost": log_cost(run),
        "deps_over_nodeps_cost": deps_cost(run),
    }


def _table(run: Run, tests: Sequence[LoadTest], value: str) -> list[str]:
    """Stacks x tests; each cell the median (and spread for req/s), FAILED, or a dash."""
    lines = [
        "| stack | " + " | ".join(t.name for t in tests) + " |",
        "|---|" + "---:|" * len(tests),
    ]
    for stack in run.stacks:
        row = []
        for test in tests:
            cell = run.cells.get((stack.key, test.name))
            if cell is None:
                row.append("—")
            elif not cell.ok:
                row.append("FAILED")
            elif value == "rps":
                spread = f" ±{cell.spread / 2:.0%}" if len(cell.samples) > 1 else ""
                row.append(_k(cell.median("rps")) + spread)
            else:
                number = cell.median(value)
                row.append(f"{number:.1f}" if math.isfinite(number) else "n/a")
        if any(r != "—" for r in row):
            lines.append(f"| {stack.name} | " + " | ".join(row) + " |")
    return lines


def markdown(run: Run) -> str:
    """The whole report: throughput, p99, ratios, I/O-bound, memory, start-up, failures."""
    s = run.settings
    out = [
        f"# zephyr benchmarks, {run.date}",
        "",
        f"{s['rounds']} interleaved round(s) x {s['seconds']:g} s per test (warm-up "
        f"{s['warmup']:g} s){', --quick' if s.get('quick') else ''}; server on core 0, wrk "
        f"on core 1. Machine: {run.machine.get('description', '')}. Versions: "
        + ", ".join(f"{k} {v}" for k, v in run.versions.items())
        + ".",
        "",
        "## Requests per second (median ± half the spread)",
        "",
        *_table(run, run.tests, "rps"),
        "",
        "## p99 latency (ms, median)",
        "",
        *_table(run, run.tests, "p99_ms"),
        "",
        *_ratio_lines(run),
        *_log_lines(run),
        *_io_lines(run),
        *_memory_lines(run),
        *_startup_lines(run),
        *_failure_lines(run),
    ]
    return "\n".join(out) + "\n"


def _ratio_lines(run: Run) -> list[str]:
    entries = ratios(run)
    if not entries:
        return []
    names = {st.key: st.name for st in run.stacks}
    lines = [
        "## zephyr's ratios (req/s; p99 in brackets, lower is better)",
        "",
        "% of ceiling: the zephyr figure as a share of the raw uvloop+httptools protocol "
        "in the same run (its own test where it serves it, else its plaintext rate).",
        "",
        "| zephyr stack | test | vs FastAPI on uvicorn | vs best peer | best peer | % of ceiling |",
        "|---|---|---:|---:|---|---:|",
    ]
    for e in entries:
        ref = _fmt(e.get("vs_fastapi_rps")) + _fmt(e.get("vs_fastapi_p99"), " ({:.2f})", "")
        best = _fmt(e.get("vs_best_rps")) + _fmt(e.get("vs_best_p99"), " ({:.2f})", "")
        top = _fmt(e.get("of_ceiling"), "{:.0%}")
        if e.get("ceiling_test") not in (None, e["test"]):
            top += f" ({e['ceiling_test']})"
        lines.append(
            f"| {names[e['stack']]} | {e['test']} | {ref} | {best} | "
            f"{e.get('best_peer', '—')} | {top} |"
        )
    costs = deps_cost(run)
    if costs:
        lines += [
            "",
            "Cost of a 3-level dependency chain (time per request of `/deps` over the same "
            "route without dependencies, `/nodeps`): "
            + ", ".join(f"{names[k]} {v:.2f}x" for k, v in costs.items())
            + ".",
        ]
    return [*lines, ""]


def _log_lines(run: Run) -> list[str]:
    entries = log_cost(run)
    if not entries:
        return []
    names = {st.key: st.name for st in run.stacks}
    lines = [
        "## Default logging (access log on) beside no log",
        "",
        "| test | "
        + " | ".join(names[k] for k in (entries[0]["no_log"], entries[0]["stack"]))
        + " | throughput the log costs |",
        "|---|---:|---:|---:|",
    ]
    lines += [
        f"| {e['test']} | {_k(e['rps_off'])} | {_k(e['rps_on'])} | {e['cost']:.0%} |"
        for e in entries
    ]
    return [*lines, ""]


def _io_lines(run: Run) -> list[str]:
    io_tests = [t for t in run.tests if t.group == "io"]
    if not io_tests:
        return []
    lines = [
        "## I/O-bound: `/io` awaits 100 ms (ideal: connections / 0.1 s req/s)",
        "",
        "| stack | connections | req/s | p50 ms | p99 ms | errors | server RSS MiB (peak) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for test in io_tests:
        for stack in run.stacks:
            cell = run.cells.get((stack.key, test.name))
            if cell is None:
                continue
            if not cell.ok:
                lines.append(f"| {stack.name} | {test.connections:,} | FAILED | | | | |")
                continue
            errors = sum(x.errors + x.non2xx for x in cell.samples)
            lines.append(
                f"| {stack.name} | {test.connections:,} | {_k(cell.median('rps'))} | "
                f"{cell.median('p50_ms'):.0f} | {cell.median('p99_ms'):.0f} | {errors:,} | "
                f"{cell.median('peak_rss_mib'):.1f} |"
            )
    return [*lines, ""]


def _memory_lines(run: Run) -> list[str]:
    lines = [
        "## Memory (server process tree RSS, MiB, median over rounds)",
        "",
        "| stack | idle | peak under load | after load |",
        "|---|---:|---:|---:|",
    ]
    for stack in run.stacks:
        m = run.memory.get(stack.key)
        if m is not None and m.idle:
            lines.append(
                f"| {stack.name} | {_mib(m.idle):.1f} | {_mib(m.peak):.1f} | {_mib(m.after):.1f} |"
            )
    return [*lines, ""] if len(lines) > 4 else []


def _startup_lines(run: Run) -> list[str]:
    if not run.startup:
        return []
    lines = [
        "## Start-up: import, and a 500-route app until its first `/openapi.json` (ms)",
        "",
        "| stack | import framework | start until ready | first /openapi.json | total | RSS MiB |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r.stack} | {r.import_s * 1000:.0f} | {r.ready_s * 1000:.0f} | "
        f"{r.openapi_s * 1000:.0f} | {r.total_s * 1000:.0f} | {r.rss_mib:.1f} |"
        for r in run.startup
    ]
    fastapi = next((r for r in run.startup if r.stack.startswith("FastAPI")), None)
    zephyr = next((r for r in run.startup if r.stack.startswith("zephyr")), None)
    if fastapi and zephyr:
        lines += [
            "",
            f"zephyr / FastAPI: import {zephyr.import_s / fastapi.import_s:.2f}x, start-up + "
            f"first document {zephyr.total_s / fastapi.total_s:.2f}x, RSS "
            f"{zephyr.rss_mib / fastapi.rss_mib:.2f}x (below 1 is better).",
        ]
    return [*lines, ""]


def _failure_lines(run: Run) -> list[str]:
    names = {s.key: s.name for s in run.stacks}
    failed = [c for c in run.cells.values() if not c.ok]
    if not failed:
        return []
    lines = ["## Failures (no number is reported for these)", ""]
    lines += [f"* {names[c.stack]} / {c.test}: {c.failure or 'no sample'}" for c in failed]
    return [*lines, ""]


def save(run: Run, out_dir: Path, stem: str) -> tuple[Path, Path]:
    """Write ``<stem>.json`` and ``<stem>.md`` under ``out_dir``; return both paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out_dir / f"{stem}.json", out_dir / f"{stem}.md"
    json_path.write_text(json.dumps(_clean(to_json(run)), indent=2) + "\n")
    md_path.write_text(markdown(run))
    return json_path, md_path


def from_json(data: dict[str, Any]) -> Run:
    """Rebuild a :class:`Run` from its saved JSON (to re-render tables and the chart).

    Memory figures come back as their saved medians.
    """
    cells = {}
    for r in data["results"]:
        samples = [Sample(**{k: _nan(v) for k, v in s.items()}) for s in r["samples"]]
        cells[(r["stack"], r["test"])] = Cell(r["stack"], r["test"], samples, r.get("failure"))
    memory = {
        key: Memory([_nan(m["idle"])], [_nan(m["peak_under_load"])], [_nan(m["after_load"])])
        for key, m in data["memory_mib"].items()
    }
    return Run(
        date=data["date"],
        settings=data["settings"],
        machine=data["machine"],
        versions=data["versions"],
        stacks=stacks.select([s["key"] for s in data["stacks"]]),
        tests=suite.select([t["name"] for t in data["tests"]]),
        cells=cells,
        memory=memory,
        startup=[StartupResult(**entry) for entry in data["startup"]],
    )


def _nan(value: Any) -> Any:
    return float("nan") if value is None else value
