"""The server's collector policy, seen from a request to a real ``zephyr run`` process."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path

import httpx
import pytest

from zephyr.server import _gc

from .conftest import ServerProcess, get_with_retry

Serve = Callable[..., ServerProcess]

_APP = """
import gc
from zephyr import FastAPI

app = FastAPI()
startup_object = {"made": "at import"}
ids = {"startup": id(startup_object)}


@app.get("/gc")
def collector() -> dict[str, object]:
    frozen = any(id(o) == ids["startup"] for o in gc.get_objects(generation=2))
    return {
        "threshold": list(gc.get_threshold()),
        "freeze_count": gc.get_freeze_count(),
        "startup_object_collectable": frozen,
    }
"""


@cache
def _interpreter_default() -> list[int]:
    """The collector thresholds of a fresh interpreter (this test process may differ)."""
    code = "import gc, json; print(json.dumps(gc.get_threshold()))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    thresholds: list[int] = json.loads(done.stdout)
    return thresholds


def _collector(serve: Serve, tmp_path: Path, *args: str) -> dict[str, object]:
    app = tmp_path / "gcapp.py"
    app.write_text(_APP)
    server = serve("run", str(app), "--no-access-log", *args)
    with httpx.Client(timeout=10) as client:
        response = get_with_retry(client, server.url + "/gc")
    assert response.status_code == 200, server.output()
    body: dict[str, object] = response.json()
    return body


def test_run_freezes_startup_and_spaces_out_older_collections(serve: Serve, tmp_path: Path) -> None:
    body = _collector(serve, tmp_path)
    threshold_0 = _interpreter_default()[0]  # left as it is
    assert body["threshold"] == [threshold_0, _gc.THRESHOLD_1, _gc.THRESHOLD_2]
    # The app module's objects were frozen: no collection walks them again.
    assert isinstance(body["freeze_count"], int) and body["freeze_count"] > 10_000
    assert body["startup_object_collectable"] is False


@pytest.mark.parametrize("workers", ["1", "2"])
def test_no_gc_tuning_leaves_the_interpreter_alone(
    serve: Serve, tmp_path: Path, workers: str
) -> None:
    body = _collector(serve, tmp_path, "--no-gc-tuning", "--workers", workers)
    assert body["threshold"] == _interpreter_default()
    # Nothing of the app's start-up frozen (an interpreter or a coverage hook
    # may freeze a few hundred objects of its own; tuning freezes > 10,000).
    assert isinstance(body["freeze_count"], int) and body["freeze_count"] < 10_000


def test_workers_each_tune_their_own_process(serve: Serve, tmp_path: Path) -> None:
    body = _collector(serve, tmp_path, "--workers", "2")
    assert body["threshold"][1:] == [_gc.THRESHOLD_1, _gc.THRESHOLD_2]  # type: ignore[index]
    assert isinstance(body["freeze_count"], int) and body["freeze_count"] > 10_000
