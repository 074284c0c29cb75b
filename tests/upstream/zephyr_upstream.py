"""pytest plugin for running an upstream suite (FastAPI's, Starlette's) on zephyr.

``scripts/upstream`` loads it (``PYTEST_PLUGINS=zephyr_upstream``) in the
controller and in every xdist worker, before the upstream ``conftest.py``:

* it turns :func:`zephyr.compat.install` on, so ``import fastapi`` and
  ``import starlette`` resolve to zephyr's modules;
* it reads the expected-failures file (``--zephyr-xfail FILE``), one
  ``<node id>  # <reason>`` per line; a listed test that fails is reported as
  xfailed with that reason, a listed test that passes fails the run
  ("unexpected pass": the file only shrinks), an unlisted failure fails the run;
  a listed module path stands for a module that does not import;
* tests parametrised for trio are deselected: zephyr runs on asyncio only (a
  documented difference); they count as expected failures with that reason;
* it prints a summary (passed / total / expected failures) before pytest's
  closing line; ``--write-xfail REASON`` rewrites the file from this run.
"""

from __future__ import annotations

import gc
import os
import sys
import traceback
from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pytest

import zephyr.compat

zephyr.compat.install()

TRIO_REASON = "trio backend: zephyr runs on asyncio only (documented difference)"
# A reason starting with this marks a test whose outcome depends on timing under load
# (cancellation races, garbage-collection order between tests): it may pass or fail.
FLAKY_PREFIX = "flaky:"
_SEPARATOR = "  # "

Outcome = Literal["passed", "failed", "skipped", "xfailed", "unexpected-pass"]


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register the options of this plugin."""
    group = parser.getgroup("zephyr-upstream")
    group.addoption("--zephyr-xfail", metavar="FILE", help="expected-failures file")
    group.addoption("--zephyr-suite", default="upstream", help="suite name for the summary")
    group.addoption(
        "--zephyr-full-run",
        action="store_true",
        help="the whole suite runs: listed tests that were not seen at all fail the run",
    )
    group.addoption(
        "--write-xfail",
        metavar="REASON",
        help="rewrite the expected-failures file from this run: keep entries that still "
        "fail, drop those that passed, add new failures with REASON",
    )


@dataclass
class ExpectedFailures:
    """The parsed expected-failures file: node id -> reason, plus its comment header."""

    path: Path | None
    reasons: dict[str, str] = field(default_factory=dict)
    header: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path | None) -> ExpectedFailures:
        """Read ``path`` (missing file: no expected failures)."""
        found = cls(path)
        if path is None or not path.exists():
            return found
        for raw in path.read_text(encoding="utf-8").splitlines():
            line = raw.rstrip()
            if not line or line.startswith("#"):
                if not found.reasons:
                    found.header.append(line)
                continue
            node, sep, reason = line.partition(_SEPARATOR)
            if not sep or not reason.strip():
                raise pytest.UsageError(f"{path}: line without '  # <reason>': {line!r}")
            found.reasons[node.strip()] = reason.strip()
        return found

    def save(self, reasons: dict[str, str]) -> None:
        """Write ``reasons`` back, sorted by node id, under the same header."""
        assert self.path is not None
        lines = [*self.header, *(f"{n}{_SEPARATOR}{r}" for n, r in sorted(reasons.items()))]
        self.path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _is_trio(item: pytest.Item) -> bool:
    callspec = getattr(item, "callspec", None)
    if callspec is None:
        return False
    return any(
        value == "trio" or (isinstance(value, tuple) and value and value[0] == "trio")
        for value in callspec.params.values()
    )


def _plain_failure(
    item: pytest.Item, call: pytest.CallInfo[None], error: BaseException
) -> pytest.TestReport:
    failure = call.excinfo.value if call.excinfo else error
    text = "".join(traceback.format_exception(failure))
    return pytest.TestReport(
        item.nodeid, item.location, {}, "failed", text[-20_000:], call.when, duration=call.duration
    )


def _crash_line(report: pytest.TestReport | pytest.CollectReport) -> str:
    """The failure's one-line message (for bootstrapping reasons), at most 120 chars."""
    crash = getattr(report.longrepr, "reprcrash", None)
    message = getattr(crash, "message", None)
    if not message:
        lines = [ln[1:].strip() for ln in str(report.longrepr).splitlines() if ln.startswith("E ")]
        message = lines[-1] if lines else str(report.longrepr).strip().splitlines()[-1:]
    text = " ".join(str(message).split())
    return text[:117] + "..." if len(text) > 120 else text


class UpstreamPlugin:
    """Holds the expected failures and the outcome of every test of the run."""

    def __init__(self, config: pytest.Config) -> None:
        path = config.getoption("zephyr_xfail")
        self.config = config
        self.expected = ExpectedFailures.load(Path(path) if path else None)
        self.suite: str = config.getoption("zephyr_suite")
        self.outcomes: dict[str, Outcome] = {}
        self.messages: dict[str, str] = {}
        self.trio: list[str] = []

    # -- collection -----------------------------------------------------------------

    @pytest.hookimpl(wrapper=True)
    def pytest_make_collect_report(
        self, collector: pytest.Collector
    ) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
        report = yield
        reason = self.expected.reasons.get(report.nodeid)
        if report.failed and reason is not None:
            report.outcome = "skipped"
            report.longrepr = (str(collector.path), 0, f"expected failure: {reason}")
        return report

    def pytest_collection_modifyitems(
        self, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        kept = [item for item in items if not _is_trio(item)]
        trio = [item for item in items if _is_trio(item)]
        if trio:
            config.hook.pytest_deselected(items=trio)
            items[:] = kept
            self.trio = [item.nodeid for item in trio]

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.nodeid in self.expected.reasons:
            self.outcomes[report.nodeid] = "unexpected-pass" if report.passed else "xfailed"
        elif report.failed:
            self.outcomes[report.nodeid] = "failed"
            self.messages[report.nodeid] = _crash_line(report)

    # -- running ---------------------------------------------------------------------

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        try:
            report = yield
        except SystemError as error:
            # CPython 3.11 can fail to re-parse source while pytest formats the
            # traceback of a RecursionError; report the plain traceback instead.
            report = _plain_failure(item, call, error)
        reason = self.expected.reasons.get(item.nodeid)
        if reason is None or hasattr(report, "wasxfail"):
            return report
        if report.failed:
            report.outcome = "skipped"
            report.wasxfail = f"[zephyr] {reason}"
        elif report.when == "call" and report.passed and not reason.startswith(FLAKY_PREFIX):
            report.outcome = "failed"
            report.longrepr = f"[XPASS(zephyr)] listed as an expected failure: {reason}"
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        node = report.nodeid
        module = node.partition("::")[0]
        if module in self.expected.reasons and module not in self.outcomes:
            # xdist reports only failed collections: a test ran, so the module imports.
            self.outcomes[module] = "unexpected-pass"
        previous = self.outcomes.get(node)
        if previous in ("failed", "unexpected-pass", "xfailed") and report.when != "call":
            return  # A teardown after a failed call does not undo the failure.
        ours = node in self.expected.reasons
        if report.failed:
            xpass = ours and "[XPASS(zephyr)]" in str(report.longrepr)
            self.outcomes[node] = "unexpected-pass" if xpass else "failed"
            self.messages.setdefault(node, _crash_line(report))
        elif getattr(report, "wasxfail", "").startswith("[zephyr]"):
            self.outcomes[node] = "xfailed"
        elif report.skipped:
            if report.when != "teardown":
                self.outcomes[node] = "skipped"
        elif report.when == "call":
            self.outcomes[node] = "passed"

    # -- the end ---------------------------------------------------------------------

    def _unseen(self) -> list[str]:
        if not self.config.getoption("zephyr_full_run"):
            return []
        return sorted(n for n in self.expected.reasons if n not in self.outcomes)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if hasattr(self.config, "workerinput"):
            return  # Workers report; the controller judges.
        reason = self.config.getoption("write_xfail")
        if reason:
            kept = {
                node: why
                for node, why in self.expected.reasons.items()
                if (why.startswith(FLAKY_PREFIX) or self.outcomes.get(node) != "passed")
                and self.outcomes.get(node) != "unexpected-pass"
                and node not in self._unseen()
            }
            for node, outcome in self.outcomes.items():
                if outcome == "failed":
                    kept[node] = f"{reason}: {self.messages.get(node, '')}".rstrip(": ")
            self.expected.save(kept)
        elif self._counts()["failed"] or self._counts()["unexpected-pass"] or self._unseen():
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def _counts(self) -> dict[Outcome, int]:
        counts: dict[Outcome, int] = dict.fromkeys(
            ("passed", "failed", "skipped", "xfailed", "unexpected-pass"), 0
        )
        for outcome in self.outcomes.values():
            counts[outcome] += 1
        return counts

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if hasattr(self.config, "workerinput"):
            return
        counts = self._counts()
        write = terminalreporter.write_line
        terminalreporter.section(f"zephyr: upstream {self.suite} suite")
        for label, outcome in (
            ("unexpected failure", "failed"),
            ("unexpected pass", "unexpected-pass"),
        ):
            for node in sorted(n for n, o in self.outcomes.items() if o == outcome):
                write(f"{label.upper()}: {node}")
        for node in self._unseen():
            write(f"LISTED BUT NOT SEEN: {node}  (remove it from the expected-failures file)")
        # A listed module that now imports is reported, but is no test of its own.
        imported = sum(
            1 for n, o in self.outcomes.items() if "::" not in n and o == "unexpected-pass"
        )
        total = sum(counts.values()) + len(self.trio) - imported
        expected = counts["xfailed"] + len(self.trio)
        modules = sum(1 for n in self.outcomes if "::" not in n) - imported
        write(
            f"{self.suite}: {counts['passed']} passed / {total} total "
            f"({total - modules} tests + {modules} modules that do not import)"
        )
        write(
            f"expected failures: {expected} ({counts['xfailed']} listed, "
            f"{len(self.trio)} trio-parametrised, not run)"
        )
        write(f"skipped by the suite itself: {counts['skipped']}")
        write(
            f"unexpected failures: {counts['failed']}, unexpected passes: "
            f"{counts['unexpected-pass']}, listed but not seen: {len(self._unseen())}"
        )
        if self.config.getoption("write_xfail"):
            write(f"expected-failures file rewritten: {self.expected.path}")


@pytest.hookimpl(tryfirst=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """Report objects that die unraisably after the last test instead of crashing.

    pytest raises them as errors when the process ends, which kills an xdist
    worker and with it the whole run; during a test they still fail that test.
    """
    from _pytest import unraisableexception  # pinned pytest (requirements.txt)

    gc.collect()
    queue = config.stash.get(unraisableexception.unraisable_exceptions, None)
    while queue:
        meta = queue.popleft()
        message = getattr(meta, "msg", repr(meta)).splitlines()[0]
        sys.stderr.write(f"zephyr-upstream: unraisable exception after the last test: {message}\n")


def pytest_configure(config: pytest.Config) -> None:
    """Register the plugin's state for this process."""
    config.pluginmanager.register(UpstreamPlugin(config), "zephyr-upstream-state")
    os.environ.setdefault("ZEPHYR_UPSTREAM_COMPAT", "1")
