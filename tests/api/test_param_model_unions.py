"""Optional models and unions of models as query / header / cookie / form parameters."""

from __future__ import annotations

import types
from typing import Any

import pytest

from tests.api.conftest import fastapi_client, load_app, zephyr_client

SOURCE = """
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, model_validator

from fastapi import Cookie, FastAPI, Form, Header, Query


class Range(BaseModel):
    start: date
    end: date

    @model_validator(mode="after")
    def ordered(self):
        if self.start > self.end:
            raise ValueError("start after end")
        return self


class Tags(BaseModel):
    tags: list[str]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")
    term: str = "default"


class Client(BaseModel):
    x_client: str
    x_version: str = "1"


class Person(BaseModel):
    kind: Literal["person"]
    name: str


class Company(BaseModel):
    kind: Literal["company"]
    company_name: str


app = FastAPI()


@app.get("/query")
def query(
    limit: int = 10,
    date_range: Annotated[Range | None, Query()] = None,
    tags: Annotated[Tags | None, Query()] = None,
):
    return {"limit": limit, "range": date_range, "tags": tags}


@app.get("/required")
def required(filters: Annotated[Strict | None, Query()]):
    return filters


@app.get("/strict")
def strict(filters: Annotated[Strict | None, Query()] = None, limit: int = 1):
    return filters


@app.get("/header")
def header(client: Annotated[Client | None, Header()] = None):
    return client


@app.get("/cookie")
def cookie(client: Annotated[Client | None, Cookie()] = None):
    return client


@app.post("/contact")
def contact(
    token: Annotated[str, Form()],
    contact: Annotated[Person | Company | None, Form(discriminator="kind")] = None,
):
    return {"token": token, "contact": contact}


@app.post("/either")
def either(contact: Annotated[Person | Company, Form()]):
    return contact
"""

GETS: list[tuple[str, dict[str, Any]]] = [
    ("/query", {}),
    ("/query?start=2026-01-01&end=2026-01-31", {}),
    ("/query?start=2026-02-01&end=2026-01-31", {}),
    ("/query?start=2026-01-01", {}),
    ("/query?tags=a&tags=b&limit=3", {}),
    ("/query?start=&end=2026-01-31", {}),
    ("/required", {}),
    ("/required?term=", {}),
    ("/strict", {}),
    ("/strict?limit=5", {}),
    ("/strict?term=x", {}),
    ("/header", {}),
    ("/header", {"headers": {"x-client": "c"}}),
    ("/header", {"headers": {"x-version": "2"}}),
    ("/cookie", {"headers": {"cookie": "x_client=c; x_version=3"}}),
    ("/cookie", {"headers": {"cookie": "x_version=3"}}),
]

POSTS: list[tuple[str, dict[str, Any]]] = [
    ("/contact", {"token": "t"}),
    ("/contact", {"token": "t", "kind": "person", "name": "Rick"}),
    ("/contact", {"token": "t", "kind": "company", "company_name": "Acme"}),
    ("/contact", {"token": "t", "kind": "company", "name": "Rick"}),
    ("/contact", {"token": "t", "kind": "robot"}),
    ("/contact", {"token": "t", "other": ""}),
    ("/either", {"kind": "person", "name": "Rick"}),
    ("/either", {"kind": "company", "company_name": "Acme"}),
    ("/either", {"kind": "company"}),
]


@pytest.fixture(scope="module")
def union_apps() -> tuple[types.ModuleType, types.ModuleType]:
    pytest.importorskip("fastapi")
    return load_app(SOURCE, "fastapi", "oracle_unions"), load_app(SOURCE, "zephyr", "zephyr_unions")


@pytest.mark.parametrize(("url", "kwargs"), GETS, ids=[f"{u} {k}" for u, k in GETS])
def test_same_get_response(
    union_apps: tuple[types.ModuleType, types.ModuleType], url: str, kwargs: dict[str, Any]
) -> None:
    oracle, ours = union_apps
    expected = fastapi_client(oracle.app).get(url, **kwargs)
    actual = zephyr_client(ours.app).get(url, **kwargs)
    assert (actual.status_code, actual.json()) == (expected.status_code, expected.json())


@pytest.mark.parametrize(("url", "data"), POSTS, ids=[f"{u} {d}" for u, d in POSTS])
def test_same_form_response(
    union_apps: tuple[types.ModuleType, types.ModuleType], url: str, data: dict[str, Any]
) -> None:
    oracle, ours = union_apps
    expected = fastapi_client(oracle.app).post(url, data=data)
    actual = zephyr_client(ours.app).post(url, data=data)
    assert (actual.status_code, actual.json()) == (expected.status_code, expected.json())


def test_absent_optional_model_is_its_default() -> None:
    ours = load_app(SOURCE, "zephyr", "zephyr_unions_direct")
    client = zephyr_client(ours.app)
    assert client.get("/query?limit=2").json() == {"limit": 2, "range": None, "tags": None}
    response = client.get("/required")
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"type": "missing", "loc": ["query"], "msg": "Field required", "input": None}
    ]


@pytest.mark.parametrize("path", ["/query", "/required", "/strict", "/header", "/cookie"])
def test_optional_model_fields_are_optional_parameters(
    union_apps: tuple[types.ModuleType, types.ModuleType], path: str
) -> None:
    oracle, ours = union_apps
    expected = oracle.app.openapi()["paths"][path]["get"]["parameters"]
    actual = ours.app.openapi()["paths"][path]["get"]["parameters"]
    assert actual == expected
