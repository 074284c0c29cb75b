"""schemathesis against the example API's OpenAPI document, served by zephyr's real server.

``scripts/schemathesis`` holds the run's options (checks, phases, bounded
example count, fixed seed); this test serves ``examples/main.py`` as a real
``zephyr`` process on a socket it bound (127.0.0.1, port 0) and points the
script at it. A failure prints schemathesis's report, with a ``curl`` line
reproducing each finding.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable

import pytest

from tests.e2e.conftest import ROOT, ServerProcess

pytest.importorskip("schemathesis")

pytestmark = pytest.mark.slow


def test_example_api_conforms_to_its_openapi(serve: Callable[..., ServerProcess]) -> None:
    server = serve("run", str(ROOT / "examples" / "main.py"), "--no-access-log")
    server.wait_for_log("(Press CTRL+C to quit)")
    env = {**os.environ, "PYTHON": sys.executable, "ZEPHYR_ST_URL": server.url, "NO_COLOR": "1"}
    started = time.monotonic()
    run = subprocess.run(
        [str(ROOT / "scripts" / "schemathesis")],
        env=env,
        capture_output=True,
        text=True,
        timeout=50,
        check=False,
    )
    elapsed = time.monotonic() - started
    summary = re.search(r"(\d+) generated, (.*)", run.stdout)
    print(f"schemathesis: {summary.group(0) if summary else '?'} in {elapsed:.1f} s")
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert summary is not None and int(summary.group(1)) >= 100, run.stdout[-3000:]
    assert f"{summary.group(1)} passed" in summary.group(2)
    assert server.proc.poll() is None, server.output()
