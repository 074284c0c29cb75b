"""Suite-wide switch: which app interface ``TestClient`` drives.

``ZEPHYR_TEST_INTERFACE=native`` (the default) calls a zephyr app's native
entry, as zephyr's server does; ``asgi`` calls every app as plain ASGI, as any
other server does. Tests that drive apps through ``TestClient`` are marked
``app_level``; ``scripts/test`` runs them a second time with ``asgi``, so both
paths answer to one test suite.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import zephyr.testclient
from zephyr.server._build import core_compiled

_INTERFACE = os.environ.get("ZEPHYR_TEST_INTERFACE", "native")
if _INTERFACE not in ("native", "asgi"):
    raise RuntimeError(f"ZEPHYR_TEST_INTERFACE must be 'native' or 'asgi', not {_INTERFACE!r}")
zephyr.testclient.USE_NATIVE = _INTERFACE == "native"

_APP_LEVEL = tuple(
    Path(__file__).parent / name
    for name in ("toolkit", "api", "api_satellites", "guide", "examples")
)


def pytest_report_header() -> list[str]:
    """Say which interface and which build of the server core this run drives."""
    core = "compiled (mypyc, scripts/compile)" if core_compiled() else "pure Python"
    return [f"zephyr app interface under test: {_INTERFACE}", f"zephyr server core: {core}"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests of the app-level directories ``app_level``."""
    for item in items:
        if item.path.is_relative_to(_APP_LEVEL[0].parent) and any(
            item.path.is_relative_to(folder) for folder in _APP_LEVEL
        ):
            item.add_marker(pytest.mark.app_level)
