"""Autobahn TestSuite conformance (via kosoku) of zephyr's WebSocket server.

Runs the framing, ping/pong, reserved-bit, opcode, fragmentation, UTF-8 and
closing-handshake sections in full, plus the smaller performance cases;
``python -m tests.conformance.run_autobahn`` runs everything.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest

pytest.importorskip("kosoku")

import uvloop

from tests.conformance.autobahn import passed, run_cases, summary

SECTIONS = ["1.*", "2.*", "3.*", "4.*", "5.*", "6.*", "7.*", "10.*"]
# 9.x: one small-message case per group (the 4-16 MiB ones are for the script).
PERFORMANCE = ["9.1.1", "9.2.1", "9.3.1", "9.4.1", "9.5.1", "9.6.1", "9.7.1", "9.8.1"]


@pytest.fixture(autouse=True, scope="module")
def _restore_import_state() -> Iterator[None]:
    # kosoku puts its case and shim directories on sys.path, the shims including a
    # stub ``pkg_resources``; later tests (pytest's syspath_prepend) must not get it.
    path = list(sys.path)
    yield
    sys.path[:] = path
    stub = sys.modules.get("pkg_resources")
    if stub is not None and "kosoku" in (getattr(stub, "__file__", None) or ""):
        del sys.modules["pkg_resources"]


def test_autobahn_core_sections_pass() -> None:
    results = uvloop.run(run_cases([*SECTIONS, *PERFORMANCE], concurrency=4))
    counts = summary(results)
    assert set(counts) == {"1", "2", "3", "4", "5", "6", "7", "9", "10"}
    assert sum(sum(c.values()) for c in counts.values()) >= 250  # the cases really ran (255 today)
    failures = [
        f"{r.case_id}: {r.behavior.value}/{r.behavior_close.value} {r.result} {r.result_close}"
        for r in results
        if not passed(r)
    ]
    assert failures == []
