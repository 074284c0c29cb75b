"""Run each guide module's example apps on zephyr and, as the oracle, on fastapi.

A guide module is written exactly as a user writes an app: ``from zephyr import ...``.
The ``mod`` fixture hands a test either that module itself or a copy of its source
executed with the imports pointed at ``fastapi``, so every assertion in the corpus is
checked against FastAPI's real behaviour as well as zephyr's.
"""

import importlib.util
import os
import re
import sys
import types
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from .agreement import check_extractions

# With ZEPHYR_GUIDE_COMPAT=1 the "fastapi" copies import ``fastapi`` through
# zephyr.compat: the unmodified FastAPI sources then run on zephyr (see
# test_compat_corpus.py), and must pass the very same assertions.
COMPAT = os.environ.get("ZEPHYR_GUIDE_COMPAT") == "1"
if COMPAT:
    import zephyr.compat

    zephyr.compat.install()

FRAMEWORKS = ["zephyr", "fastapi"]
HAS_FASTAPI = importlib.util.find_spec("fastapi") is not None

# zephyr.X module paths whose FastAPI counterpart lives under another name.
_MODULE_MAP = {
    "zephyr.requests": "starlette.requests",
    "zephyr.datastructures": "starlette.datastructures",
    "zephyr.routing": "fastapi.routing",
    "zephyr.types": "starlette.types",
    "zephyr.middleware.base": "starlette.middleware.base",
    "zephyr.applications": "fastapi.applications",
    "zephyr.middleware.sessions": "starlette.middleware.sessions",
    "zephyr.middleware.authentication": "starlette.middleware.authentication",
    "zephyr.authentication": "starlette.authentication",
    "zephyr.config": "starlette.config",
}

_copies: dict[str, types.ModuleType] = {}


def _to_fastapi(source: str) -> str:
    """Rewrite a guide module's imports (and the app class name) to FastAPI's."""

    def module_path(match: re.Match[str]) -> str:
        name = match.group(2)
        if name.startswith("zephyr.server"):
            return match.group(0)  # the server runs any ASGI app, FastAPI's included
        mapped = _MODULE_MAP.get(name, "fastapi" + name[len("zephyr") :])
        return match.group(1) + mapped

    source = re.sub(r"^(\s*from )(zephyr(?:\.[\w.]+)?)(?= import)", module_path, source, flags=re.M)
    return re.sub(r"\bZephyr\b", "FastAPI", source)


def fastapi_copy(module: types.ModuleType) -> types.ModuleType:
    """Execute ``module``'s source against fastapi; cached per module."""
    name = module.__name__ + "__on_fastapi"
    if name not in _copies:
        source = _to_fastapi(Path(module.__file__ or "").read_text())
        copy = types.ModuleType(name)
        copy.__file__ = module.__file__
        sys.modules[name] = copy  # pydantic resolves forward references through it
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            exec(compile(source, f"<{name}>", "exec"), copy.__dict__)
        _copies[name] = copy
    return _copies[name]


@pytest.fixture(autouse=True)
def validators_agree(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every request of the corpus also checks that a location's validators agree.

    See ``tests/guide/agreement.py``: the dict twin, the model, the
    per-parameter extractors and the joint path+query validator must give
    the same values and the same errors.
    """
    with check_extractions(monkeypatch):
        yield


@pytest.fixture(params=FRAMEWORKS)
def framework(request: pytest.FixtureRequest) -> str:
    """Which framework runs the example apps: ``"zephyr"`` or the ``"fastapi"`` oracle."""
    if request.param == "fastapi" and not HAS_FASTAPI:
        pytest.skip("fastapi is not installed")
    return str(request.param)


@pytest.fixture
def mod(request: pytest.FixtureRequest, framework: str) -> types.ModuleType:
    """The calling guide module, as written (zephyr) or re-executed on fastapi."""
    module = request.module
    return module if framework == "zephyr" else fastapi_copy(module)


@pytest.fixture
def make_client(framework: str) -> Callable[..., Any]:
    """Factory: a TestClient of the framework under test for any app of the module."""
    if framework == "zephyr":
        from zephyr.testclient import TestClient
    else:
        from fastapi.testclient import TestClient
    return TestClient  # type: ignore[no-any-return]


@pytest.fixture
def client(mod: types.ModuleType, make_client: Callable[..., Any]) -> Any:
    """A TestClient of the module's ``app``."""
    return make_client(mod.app)


def openapi(client: Any) -> dict[str, Any]:
    """GET /openapi.json through ``client`` and return the document."""
    response = client.get("/openapi.json")
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def operation(client: Any, path: str, method: str = "get") -> dict[str, Any]:
    """The OpenAPI operation object for ``method path``."""
    return openapi(client)["paths"][path][method]  # type: ignore[no-any-return]


def schema(client: Any, name: str) -> dict[str, Any]:
    """A named schema from ``components.schemas``."""
    return openapi(client)["components"]["schemas"][name]  # type: ignore[no-any-return]
