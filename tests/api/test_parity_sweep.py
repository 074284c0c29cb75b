"""Behaviour sweep against fastapi: return values, encoders, response models, overrides."""

from __future__ import annotations

import types
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import fastapi_client, load_app, zephyr_client

SOURCE = (Path(__file__).parent / "sweep_source.py").read_text()
KINDS = [
    "decimal",
    "decimal_int",
    "timedelta",
    "datetime",
    "aware",
    "date",
    "time",
    "uuid",
    "bytes",
    "enum",
    "enum_int",
    "set",
    "frozenset",
    "dataclass",
    "namedtuple",
    "tuple",
    "nested",
    "model",
    "priced",
    "models",
    "int_keys",
    "none",
    "floats",
]
CASES = [
    *[("GET", f"/value/{kind}") for kind in KINDS],
    *[("GET", f"/encoded/{kind}") for kind in KINDS],
    ("GET", "/encoded-options"),
    ("GET", "/tree"),
    ("GET", "/tree-dict"),
    ("GET", "/tree-defaults"),
    ("GET", "/tree-list"),
    ("DELETE", "/nothing"),
    ("DELETE", "/nothing-response"),
    ("DELETE", "/body-204"),
    ("GET", "/status-from-param"),
    ("GET", "/response-bg"),
    ("POST", "/cookie-bg"),
    ("HEAD", "/only-get"),
    ("OPTIONS", "/only-get"),
    ("GET", "/sub"),
    ("GET", "/me/items"),
    ("GET", "/admin"),
]
_HEADERS = ("content-type", "content-length", "set-cookie", "x-extra", "x-deleted", "allow")


@pytest.fixture(scope="module")
def sweep_apps() -> tuple[types.ModuleType, types.ModuleType]:
    pytest.importorskip("fastapi")
    return load_app(SOURCE, "fastapi", "oracle_sweep"), load_app(SOURCE, "zephyr", "zephyr_sweep")


def _snapshot(response: Any) -> tuple[Any, ...]:
    headers = {name: response.headers.get(name) for name in _HEADERS}
    headers["www-authenticate"] = response.headers.get("www-authenticate")
    return response.status_code, headers, response.content


def _override(module: types.ModuleType) -> None:
    module.app.dependency_overrides[module.base_dep] = lambda: "over"
    module.app.dependency_overrides[module.oauth2] = lambda: "token"


@pytest.mark.parametrize("overridden", [False, True], ids=["plain", "overridden"])
@pytest.mark.parametrize(("method", "url"), CASES, ids=[f"{m} {u}" for m, u in CASES])
def test_same_response(
    sweep_apps: tuple[types.ModuleType, types.ModuleType],
    method: str,
    url: str,
    overridden: bool,
) -> None:
    oracle, ours = sweep_apps
    for module in sweep_apps:
        module.events.clear()
        module.app.dependency_overrides.clear()
        if overridden:
            _override(module)
    try:
        expected = _snapshot(fastapi_client(oracle.app).request(method, url))
        actual = _snapshot(zephyr_client(ours.app).request(method, url))
    finally:
        for module in sweep_apps:
            module.app.dependency_overrides.clear()
    assert actual == expected
    assert ours.events == oracle.events


def test_security_scopes_and_overrides_seen_by_endpoint(
    sweep_apps: tuple[types.ModuleType, types.ModuleType],
) -> None:
    _, ours = sweep_apps
    client = zephyr_client(ours.app)
    assert client.get("/me/items").status_code == 401
    body = client.get("/me/items", headers={"authorization": "Bearer abc"}).json()
    assert body == {"token": "abc", "scopes": ["items", "me"], "scope_str": "items me"}
    _override(ours)
    try:
        assert client.get("/sub").json() == "sub(over)"
        assert client.get("/me/items").json()["token"] == "token"
    finally:
        ours.app.dependency_overrides.clear()


def test_openapi_equal(sweep_apps: tuple[types.ModuleType, types.ModuleType]) -> None:
    oracle, ours = sweep_apps
    assert ours.app.openapi() == oracle.app.openapi()


def test_plain_values_keep_fast_path() -> None:
    from decimal import Decimal

    from zephyr.encoders import is_json_native

    assert is_json_native({"a": [1, 2.5, None, True, "x", {"b": []}]})
    assert not is_json_native({"a": Decimal("1")})
    assert not is_json_native({1: "int key"})
    assert not is_json_native((1, 2))
