"""Pydantic models as query / header / cookie / form parameters, same as on fastapi."""

from __future__ import annotations

import types
from typing import Any

import pytest

from tests.api.conftest import fastapi_client, load_app, zephyr_client

SOURCE = """
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from fastapi import Cookie, FastAPI, Form, Header, Query


class FilterParams(BaseModel):
    model_config = {"extra": "forbid"}
    limit: int = Field(100, gt=0, le=100)
    offset: int = Field(0, ge=0)
    order_by: Literal["created_at", "updated_at"] = "created_at"
    tags: list[str] = []


class Loose(BaseModel):
    need: int
    tags: list[str] = []
    label: str = Field("d", alias="Label", description="shown")


class CommonHeaders(BaseModel):
    save_data: bool
    if_modified_since: str | None = None
    x_tag: list[str] = []


class StrictHeaders(BaseModel):
    model_config = {"extra": "forbid"}
    x_a: str


class Cookies(BaseModel):
    model_config = {"extra": "forbid"}
    session_id: str
    tracker: str | None = None


class Login(BaseModel):
    model_config = {"extra": "forbid"}
    username: str
    password: str = Field(min_length=3)


app = FastAPI()


@app.get("/items/")
async def read_items(filter_query: Annotated[FilterParams, Query()], x: int = 3):
    return {"f": filter_query, "x": x}


@app.get("/loose")
def loose(m: Annotated[Loose, Query()]):
    return m


@app.get("/headers")
def headers(h: Annotated[CommonHeaders, Header()]):
    return h


@app.get("/raw-headers")
def raw_headers(h: Annotated[CommonHeaders, Header(convert_underscores=False)]):
    return h


@app.get("/strict-headers")
def strict_headers(h: Annotated[StrictHeaders, Header()]):
    return h


@app.get("/cookies")
def cookies(c: Annotated[Cookies, Cookie()]):
    return c


@app.post("/login")
def login(data: Annotated[Login, Form()]):
    return data
"""

CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "/items/?limit=5&tags=a&tags=b&order_by=updated_at", {}),
    ("GET", "/items/?limit=0&offset=-1", {}),
    ("GET", "/items/?order_by=name", {}),
    ("GET", "/items/?tool=plumbus", {}),
    ("GET", "/items/?tool=a&tool=b", {}),
    ("GET", "/items/?x=4&limit=200", {}),
    ("GET", "/loose?need=1&Label=z&label=w&other=1", {}),
    ("GET", "/loose?tags=a&x=1&x=2", {}),
    ("GET", "/headers", {"headers": {"save-data": "1", "x-tag": "a"}}),
    ("GET", "/headers", {"headers": {"save-data": "maybe"}}),
    ("GET", "/headers", {}),
    ("GET", "/raw-headers", {"headers": {"save-data": "1"}}),
    ("GET", "/strict-headers", {"headers": {"x-a": "1"}}),
    ("GET", "/cookies", {"headers": {"cookie": "session_id=1"}}),
    ("GET", "/cookies", {"headers": {"cookie": "session_id=1; other=2"}}),
    ("GET", "/cookies", {}),
    ("POST", "/login", {"data": {"username": "a", "password": "secret"}}),
    ("POST", "/login", {"data": {"username": "a", "password": "secret", "extra": "x"}}),
    ("POST", "/login", {"data": {"username": "a", "password": "x"}}),
    ("POST", "/login", {"data": {}}),
]


@pytest.fixture(scope="module")
def model_apps() -> tuple[types.ModuleType, types.ModuleType]:
    pytest.importorskip("fastapi")
    return load_app(SOURCE, "fastapi", "oracle_models"), load_app(SOURCE, "zephyr", "zephyr_models")


@pytest.mark.parametrize(("method", "url", "kwargs"), CASES, ids=[f"{m} {u}" for m, u, _ in CASES])
def test_same_response(
    model_apps: tuple[types.ModuleType, types.ModuleType],
    method: str,
    url: str,
    kwargs: dict[str, Any],
) -> None:
    oracle, ours = model_apps
    expected = fastapi_client(oracle.app).request(method, url, **kwargs)
    actual = zephyr_client(ours.app).request(method, url, **kwargs)
    assert (actual.status_code, actual.json()) == (expected.status_code, expected.json())


def test_each_field_is_a_parameter_in_openapi(
    model_apps: tuple[types.ModuleType, types.ModuleType],
) -> None:
    oracle, ours = model_apps
    document = ours.app.openapi()
    assert document == oracle.app.openapi()
    names = [p["name"] for p in document["paths"]["/headers"]["get"]["parameters"]]
    assert names == ["save-data", "if-modified-since", "x-tag"]
    login = document["paths"]["/login"]["post"]["requestBody"]
    assert login["content"]["application/x-www-form-urlencoded"]["schema"] == {
        "$ref": "#/components/schemas/Login"
    }


def test_extra_forbidden_location() -> None:
    ours = load_app(SOURCE, "zephyr", "zephyr_models_direct")
    response = zephyr_client(ours.app).get("/items/?limit=2&color=red")
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "type": "extra_forbidden",
            "loc": ["query", "color"],
            "msg": "Extra inputs are not permitted",
            "input": "red",
        }
    ]
    ok = zephyr_client(ours.app).get("/items/?limit=2&tags=a&tags=b")
    assert ok.json() == {
        "f": {"limit": 2, "offset": 0, "order_by": "created_at", "tags": ["a", "b"]},
        "x": 3,
    }
