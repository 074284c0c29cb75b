"""Autobahn TestSuite conformance (via kosoku) of zephyr's WebSocket server.

Runs the framing, ping/pong, reserved-bit, opcode, fragmentation, UTF-8 and
closing-handshake sections in full, plus the smaller performance cases;
``python -m tests.conformance.run_autobahn`` runs everything.
"""

from __future__ import annotations

import pytest

pytest.importorskip("kosoku")

import uvloop

from tests.conformance.autobahn import passed, run_cases, summary

SECTIONS = ["1.*", "2.*", "3.*", "4.*", "5.*", "6.*", "7.*", "10.*"]
# 9.x: one small-message case per group (the 4-16 MiB ones are for the script).
PERFORMANCE = ["9.1.1", "9.2.1", "9.3.1", "9.4.1", "9.5.1", "9.6.1", "9.7.1", "9.8.1"]


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
