"""The upstream suites (FastAPI's and Starlette's own tests) on zephyr, as one test each.

Marked ``upstream`` and left out of the default run (``pyproject.toml``
deselects the marker; ``.ci/run`` calls ``scripts/upstream`` directly). Run
them from pytest with ``pytest -m upstream tests/upstream``. Each runs
``scripts/upstream NAME`` in a subprocess: the suite needs its own virtualenv
(``.upstream/venv``), where the real fastapi and starlette are not installed.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.upstream
@pytest.mark.timeout(1800)
@pytest.mark.parametrize("suite", ["fastapi", "starlette"])
def test_upstream_suite(suite: str) -> None:
    """The suite has no unexpected failure and no unexpected pass."""
    run = subprocess.run(
        [str(ROOT / "scripts" / "upstream"), suite],
        capture_output=True,
        text=True,
        check=False,
    )
    tail = "\n".join(run.stdout.splitlines()[-40:])
    assert run.returncode == 0, f"scripts/upstream {suite} exited {run.returncode}:\n{tail}"
    assert f"zephyr: upstream {suite}" in run.stdout, tail
