"""The corpus's FastAPI sources, unmodified, on zephyr through zephyr.compat.install().

Each guide module's "fastapi" variant is its source with ``from fastapi import ...``
imports. A child pytest run installs the compatibility hook first, so those imports
resolve to zephyr, and every assertion written for FastAPI must hold there too.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.guide.conftest import COMPAT

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(COMPAT, reason="this is the child run")
def test_fastapi_sources_pass_under_compat() -> None:
    env = {**os.environ, "ZEPHYR_GUIDE_COMPAT": "1"}
    command = [
        sys.executable,
        "-m",
        "pytest",
        "tests/guide",
        "-q",
        "-p",
        "no:cacheprovider",
        "-k",
        "(fastapi and not test_openapi_parity and not test_compat_corpus) or child_run",
    ]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=55)
    summary = result.stdout.strip().splitlines()[-1:] or [""]
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in summary[0]
    assert "failed" not in summary[0]


@pytest.mark.skipif(not COMPAT, reason="only meaningful in the child run")
def test_child_runs_fastapi_imports_on_zephyr() -> None:
    import fastapi
    import fastapi.testclient

    from zephyr import Zephyr
    from zephyr.testclient import TestClient

    assert fastapi.FastAPI is Zephyr
    assert fastapi.testclient.TestClient is TestClient
