"""Every example app of the guide corpus: zephyr's whole /openapi.json equals FastAPI's."""

import importlib
import pkgutil
import types
import warnings
from pathlib import Path
from typing import Any

import pytest

from tests.guide.conftest import HAS_FASTAPI, fastapi_copy
from zephyr.applications import Zephyr

HERE = Path(__file__).parent
MODULES = sorted(
    info.name
    for info in pkgutil.iter_modules([str(HERE)])
    if info.name.startswith("test_")
    and info.name not in {"test_openapi_parity", "test_compat_corpus"}
)


def _apps(module: types.ModuleType) -> list[str]:
    return sorted(name for name, value in vars(module).items() if isinstance(value, Zephyr))


def _document(app: Any, framework: str) -> Any:
    if framework == "zephyr":
        from zephyr.testclient import TestClient
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from fastapi.testclient import TestClient
    response = TestClient(app).get(app.openapi_url or "/openapi.json")
    return response.status_code, response.json() if response.status_code == 200 else None


@pytest.mark.skipif(not HAS_FASTAPI, reason="fastapi is not installed")
@pytest.mark.parametrize("name", MODULES)
def test_whole_document_matches_fastapi(name: str) -> None:
    module = importlib.import_module(f"tests.guide.{name}")
    marks = getattr(module, "pytestmark", [])
    for mark in marks if isinstance(marks, list) else [marks]:
        if mark.name == "skipif" and mark.args[0]:
            pytest.skip(mark.kwargs["reason"])
    oracle = fastapi_copy(module)
    apps = _apps(module)
    assert apps, f"{name} defines no app"
    for attr in apps:
        ours = _document(getattr(module, attr), "zephyr")
        theirs = _document(getattr(oracle, attr), "fastapi")
        assert ours == theirs, f"{name}.{attr}"
