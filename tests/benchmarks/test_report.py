"""Benchmark plumbing without a server: wrk parsing, selection, ratios, the shared app source."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from benchmarks import report, stacks, suite
from benchmarks.harness import Cell, Memory, Sample, parse_wrk

WRK_OUTPUT = """\
Running 5s test @ http://127.0.0.1:8000/json
  1 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.50ms  300.00us   9.00ms   90.00%
  Latency Distribution
     50%  1.20ms
     75%    1.60ms
     90%    2.00ms
     99%  850.00us
  50000 requests in 5.00s, 7.00MB read
  Socket errors: connect 1, read 2, write 3, timeout 4
  Non-2xx or 3xx responses: 5
Requests/sec:  10000.50
Transfer/sec:      1.40MB
"""


def test_parse_wrk_reads_rate_percentiles_and_errors() -> None:
    sample = parse_wrk(WRK_OUTPUT)
    assert sample.rps == 10000.50
    assert sample.p50_ms == pytest.approx(1.2)
    assert sample.p99_ms == pytest.approx(0.85)
    assert (sample.errors, sample.non2xx) == (10, 5)


def test_parse_wrk_untimed_latency_is_nan_and_garbage_raises() -> None:
    pipelined = WRK_OUTPUT.replace("850.00us", "0.00us").replace("1.20ms", "0.00us")
    sample = parse_wrk(pipelined)
    assert math.isnan(sample.p99_ms)
    assert math.isnan(sample.p50_ms)
    with pytest.raises(RuntimeError, match="could not parse"):
        parse_wrk("unable to connect to 127.0.0.1:1 Connection refused")


def test_selection_by_name_and_group() -> None:
    assert [t.name for t in suite.select(["json", "io"])] == ["json", "io-1k", "io-10k"]
    assert len(suite.select([])) == len(suite.TESTS)
    with pytest.raises(SystemExit, match="unknown test"):
        suite.select(["nope"])
    assert [s.key for s in stacks.select(["fastapi-uvicorn", "zephyr"])] == [
        "zephyr",
        "fastapi-uvicorn",
    ]
    with pytest.raises(SystemExit, match="unknown stack"):
        stacks.select(["django"])


def test_fastapi_and_zephyr_apps_are_one_source() -> None:
    apps = Path(suite.__file__).parent / "apps"
    marker = "# isort: split\n"
    bodies = [
        (apps / name).read_text().split(marker, 1)[1].splitlines()[1:]
        for name in ("fastapi_api.py", "zephyr_api.py")
    ]
    assert bodies[0] == bodies[1]


def _cell(stack: str, test: str, *rps: float, failure: str | None = None) -> Cell:
    samples = [Sample(r, 1.0, 1000.0 / r, 0, 0, 30.0) for r in rps]
    return Cell(stack, test, samples, failure)


def _run(cells: list[Cell], tests: tuple[str, ...] = ("json", "deps", "nodeps")) -> report.Run:
    chosen = stacks.select(["zephyr", "zephyr-log", "fastapi-uvicorn", "litestar", "raw"])
    return report.Run(
        date="2026-11-21",
        settings={"rounds": 2, "seconds": 1.0, "warmup": 0.0},
        machine={"description": "test"},
        versions={"python": "3.11"},
        stacks=chosen,
        tests=suite.select(list(tests)),
        cells={(c.stack, c.test): c for c in cells},
        memory={"zephyr": Memory([20.0], [25.0], [22.0])},
        startup=[],
    )


def test_ratios_use_reference_and_best_passing_peer_not_the_ceiling() -> None:
    run = _run(
        [
            _cell("zephyr", "json", 40_000, 44_000),
            _cell("fastapi-uvicorn", "json", 10_000, 12_000),
            _cell("litestar", "json", 20_000, 22_000),
            _cell("raw", "json", 100_000, 100_000),
            _cell("zephyr", "deps", 30_000),
            _cell("zephyr", "nodeps", 36_000),
            _cell("litestar", "deps", 50_000, failure="wrong response: status 500"),
        ]
    )
    entries = {(e["stack"], e["test"]): e for e in report.ratios(run)}
    json_entry = entries[("zephyr", "json")]
    assert json_entry["vs_fastapi_rps"] == pytest.approx(42_000 / 11_000)
    assert json_entry["best_peer"] == "Litestar on uvicorn"
    assert json_entry["vs_best_rps"] == pytest.approx(42_000 / 21_000)
    # The failed Litestar deps cell is no peer: no fast wrong answer wins.
    assert "best_peer" not in entries[("zephyr", "deps")]
    assert report.deps_cost(run) == {"zephyr": pytest.approx(1.2)}


def test_markdown_and_json_mark_failures_without_numbers(tmp_path: Path) -> None:
    run = _run(
        [
            _cell("zephyr", "json", 40_000),
            _cell("fastapi-uvicorn", "json", failure="server did not start: boom"),
        ]
    )
    json_path, md_path = report.save(run, tmp_path, "x")
    text = md_path.read_text()
    assert "| FastAPI on uvicorn | FAILED |" in text
    assert "* FastAPI on uvicorn / json: server did not start: boom" in text
    data = json.loads(json_path.read_text())
    failed = next(r for r in data["results"] if r["stack"] == "fastapi-uvicorn")
    assert failed["status"] == "FAILED"
    assert "median_rps" not in failed
    assert data["memory_mib"]["zephyr"] == {
        "idle": 20.0,
        "peak_under_load": 25.0,
        "after_load": 22.0,
    }


def test_saved_json_renders_the_same_report_again(tmp_path: Path) -> None:
    run = _run(
        [
            _cell("zephyr", "json", 40_000, 30_000),
            _cell("fastapi-uvicorn", "json", failure="wrong response: status 500"),
            _cell("zephyr", "deps", 30_000),
            _cell("zephyr", "nodeps", 36_000),
        ]
    )
    json_path, md_path = report.save(run, tmp_path, "first")
    again = report.from_json(json.loads(json_path.read_text()))
    assert report.markdown(again) == md_path.read_text()


def test_smoke_status_fails_only_for_zephyr_failures(capsys: pytest.CaptureFixture[str]) -> None:
    from benchmarks.__main__ import _zephyr_status

    slow_but_right = _run([_cell("zephyr", "json", 1), _cell("fastapi-uvicorn", "json", 99_000)])
    assert _zephyr_status(slow_but_right) == 0
    peer_wrong = _run([_cell("zephyr", "json", 9), _cell("litestar", "json", failure="bad")])
    assert _zephyr_status(peer_wrong) == 0
    zephyr_wrong = _run([_cell("zephyr", "json", failure="wrong response: status 500")])
    assert _zephyr_status(zephyr_wrong) == 1
    non2xx = _run([Cell("zephyr", "json", [Sample(5_000, 1.0, 2.0, 0, 3)])])
    assert _zephyr_status(non2xx) == 1
    out = capsys.readouterr()
    assert "benchmarks: 0 passed, 1 failed" in out.out
    assert "ZEPHYR FAILURE: zephyr / json: wrong response: status 500" in out.err


def test_every_zephyr_figure_is_a_share_of_the_ceiling_of_its_run() -> None:
    run = _run(
        [
            _cell("raw", "plaintext", 200_000),
            _cell("raw", "json", 100_000, 120_000),
            _cell("zephyr", "json", 40_000, 44_000),
            _cell("zephyr", "params", 30_000),
            _cell("zephyr", "io-1k", 9_000),
            _cell("zephyr-log", "json", 38_000),
        ],
        tests=("plaintext", "json", "params", "io-1k"),
    )
    entries = {(e["stack"], e["test"]): e for e in report.ratios(run)}
    # Its own test where the raw stack serves it, else its plaintext rate.
    assert entries[("zephyr", "json")]["of_ceiling"] == pytest.approx(42_000 / 110_000)
    assert entries[("zephyr", "json")]["ceiling_test"] == "json"
    assert entries[("zephyr", "params")]["of_ceiling"] == pytest.approx(30_000 / 200_000)
    assert entries[("zephyr", "params")]["ceiling_test"] == "plaintext"
    assert entries[("zephyr-log", "json")]["of_ceiling"] == pytest.approx(38_000 / 110_000)
    # The I/O tests are bounded by their sleep, not by the protocol.
    assert "of_ceiling" not in entries[("zephyr", "io-1k")]
    text = report.markdown(run)
    assert "| zephyr (own server) | json | — | — | — | 38% |" in text
    assert "| zephyr (own server) | params | — | — | — | 15% (plaintext) |" in text


def test_default_logging_figures_stand_beside_the_no_log_ones(tmp_path: Path) -> None:
    run = _run(
        [
            _cell("zephyr", "json", 40_000),
            _cell("zephyr-log", "json", 36_000),
            _cell("zephyr", "deps", 30_000),
            _cell("zephyr-log", "deps", failure="wrong response: status 500"),
        ]
    )
    [entry] = report.log_cost(run)
    assert entry["test"] == "json" and entry["cost"] == pytest.approx(0.1)
    json_path, md_path = report.save(run, tmp_path, "log")
    text = md_path.read_text()
    assert "## Default logging (access log on) beside no log" in text
    assert "| json | 40.0k | 36.0k | 10% |" in text
    assert json.loads(json_path.read_text())["access_log_cost"][0]["rps_on"] == 36_000
    assert report.markdown(report.from_json(json.loads(json_path.read_text()))) == text


def test_quick_runs_the_logged_stack_and_the_ceiling() -> None:
    assert {"zephyr", "zephyr-log", "raw"} <= set(stacks.QUICK)
    assert "zephyr-log" in stacks.ZEPHYR_KEYS
    logged = next(s for s in stacks.STACKS if s.key == "zephyr-log")
    assert "--no-access-log" not in logged.argv and "--log-level" not in logged.argv
