"""Build the same app source on fastapi (the black-box oracle) and on zephyr."""

from __future__ import annotations

import types
import warnings
from pathlib import Path
from typing import Any

import pytest

SOURCE = (Path(__file__).parent / "app_source.py").read_text()


def load_app(source: str, package: str, name: str) -> types.ModuleType:
    """Exec ``source`` with ``fastapi`` imports swapped for ``package``; return the module."""
    if package != "fastapi":
        source = source.replace("from fastapi import", f"from {package} import")
        source = source.replace("from fastapi.", f"from {package}.")
    module = types.ModuleType(name)
    module.__dict__["__name__"] = name
    import sys

    sys.modules[name] = module  # pydantic resolves forward references through it
    exec(compile(source, f"<{name}>", "exec"), module.__dict__)
    return module


def fastapi_client(app: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    return TestClient(app, raise_server_exceptions=False)


def zephyr_client(app: Any) -> Any:
    from zephyr.testclient import TestClient

    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture(scope="session")
def apps() -> tuple[types.ModuleType, types.ModuleType]:
    pytest.importorskip("fastapi")
    return load_app(SOURCE, "fastapi", "oracle_app"), load_app(SOURCE, "zephyr", "zephyr_app")
