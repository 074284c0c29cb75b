"""Alias choices, name fallback and path aliases of parameters and models, as on fastapi."""

from __future__ import annotations

import types
from typing import Any

import pytest

from tests.api.conftest import fastapi_client, load_app, zephyr_client

SOURCE = """
from typing import Annotated

from pydantic import AliasChoices, AliasPath, BaseModel, ConfigDict, Field

from fastapi import APIRouter, Cookie, FastAPI, Form, Header, Path, Query


class Choices(BaseModel):
    value: Annotated[int, Field(validation_alias=AliasChoices("first", "second"))]
    items: Annotated[list[str], Field(validation_alias=AliasChoices("item", "tag"))] = ["d"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: Annotated[int, Field(validation_alias=AliasChoices("first", "second"))]


class Loose(BaseModel):
    model_config = ConfigDict(extra="allow")
    names: Annotated[list[str], Field(validation_alias=AliasChoices("names", "legacy"))]


class ByName(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    x_values: Annotated[list[int], Field(alias="X-Second")]


class NameOnly(BaseModel):
    model_config = ConfigDict(validate_by_alias=False, extra="forbid")
    items: Annotated[list[str], Field(alias="tag")]


class Pathed(BaseModel):
    value: Annotated[int, Field(validation_alias=AliasPath("items", 1))]


app = FastAPI()


@app.get("/query")
def query(data: Annotated[Choices, Query()]):
    return data.model_dump()


@app.get("/header")
def header(data: Annotated[Choices, Header()]):
    return data.model_dump()


@app.get("/cookie")
def cookie(data: Annotated[Strict, Cookie()]):
    return data.model_dump()


@app.get("/strict")
def strict(data: Annotated[Strict, Query()]):
    return data.model_dump()


@app.get("/loose")
def loose(data: Annotated[Loose, Query()]):
    return data


@app.get("/by-name")
def by_name(data: Annotated[ByName, Header()]):
    return data.model_dump()


@app.get("/name-only")
def name_only(data: Annotated[NameOnly, Query()]):
    return data.model_dump()


@app.get("/pathed")
def pathed(data: Annotated[Pathed, Query()]):
    return data.model_dump()


@app.get("/plain")
def plain(value: Annotated[int, Field(validation_alias=AliasChoices("first", "second"))]):
    return value


class Checkbox(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: Annotated[bool, Field(alias="old", validation_alias=AliasChoices("on", "box"))] = False
    tags: Annotated[list[str], Field(validation_alias=AliasChoices("tag", "label"))] = []


@app.post("/form-model")
def form_model(data: Annotated[Checkbox, Form()]):
    return data.model_dump()


@app.post("/form")
def form(
    value: Annotated[int, Form(validation_alias=AliasChoices("first", "second"))] = 10,
    tags: Annotated[list[str], Form(validation_alias=AliasChoices("tag", "label"))] = [],
):
    return {"value": value, "tags": tags}


router = APIRouter()


@router.get("/")
def by_prefix(value: Annotated[int, Path(validation_alias=AliasChoices("item_id", "id"), ge=1)]):
    return value


app.include_router(router, prefix="/items/{item_id}")
app.include_router(router, prefix="/legacy/{id}")


@app.get("/unmatched/{value}")
def unmatched(value: Annotated[int, Path(validation_alias=AliasChoices("a", "b"))]):
    return value
"""

CASES: list[tuple[str, dict[str, Any]]] = [
    ("/query?second=1", {}),
    ("/query?second=2&first=1&tag=x&item=a&item=b", {}),
    ("/query?first=x&second=2", {}),
    ("/query?value=1", {}),
    ("/query?first=1&tag=", {}),
    ("/header", {"headers": {"X-SECOND": "1", "tag": "a"}}),
    ("/header", {"headers": [("first", "x"), ("second", "2")]}),
    ("/header", {"headers": {"value": "1"}}),
    ("/cookie", {"headers": {"cookie": "second=1"}}),
    ("/cookie", {"headers": {"cookie": "first=1; second=2"}}),
    ("/cookie", {"headers": {"cookie": "Second=1"}}),
    ("/strict?first=1&second=2", {}),
    ("/loose?names=a&names=b&legacy=unused", {}),
    ("/loose?legacy=a", {}),
    ("/by-name", {"headers": {"x-values": "1"}}),
    ("/by-name", {"headers": {"x-values": "1", "x-second": "2"}}),
    ("/by-name", {"headers": {"x-values": "bad"}}),
    ("/name-only?items=a", {}),
    ("/name-only?items=a&tag=b", {}),
    ("/pathed?items=1&items=2", {}),
    ("/plain?second=3", {}),
    ("/plain?value=3", {}),
    ("/items/1/", {}),
    ("/legacy/2/", {}),
    ("/legacy/0/", {}),
    ("/items/x/", {}),
    ("/unmatched/5", {}),
]


FORM_CASES: list[dict[str, Any]] = [
    {"on": "true"},
    {"on": "", "box": "true"},
    {"box": ["false", "true"]},
    {"label": ["", "a"]},
    {"tag": [""], "label": ["b"]},
    {"first": "", "second": "5"},
    {"first": "", "second": ""},
    {"first": "x", "second": "5"},
    {"other": ""},
    {},
]


@pytest.fixture(scope="module")
def alias_apps() -> tuple[types.ModuleType, types.ModuleType]:
    pytest.importorskip("fastapi")
    return load_app(SOURCE, "fastapi", "oracle_aliases"), load_app(
        SOURCE, "zephyr", "zephyr_aliases"
    )


@pytest.mark.parametrize(("url", "kwargs"), CASES, ids=[f"{u} {k}" for u, k in CASES])
def test_same_response(
    alias_apps: tuple[types.ModuleType, types.ModuleType], url: str, kwargs: dict[str, Any]
) -> None:
    oracle, ours = alias_apps
    expected = fastapi_client(oracle.app).get(url, **kwargs)
    actual = zephyr_client(ours.app).get(url, **kwargs)
    assert (actual.status_code, actual.json()) == (expected.status_code, expected.json())


def test_unused_choice_is_an_extra() -> None:
    ours = load_app(SOURCE, "zephyr", "zephyr_aliases_direct")
    client = zephyr_client(ours.app)
    assert client.get("/strict?second=1").json() == {"value": 1}
    response = client.get("/strict?first=1&second=2")
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "type": "extra_forbidden",
            "loc": ["query", "second"],
            "msg": "Extra inputs are not permitted",
            "input": "2",
        }
    ]
    # A header model reads its choices case-insensitively, in declaration order.
    ok = client.get("/header", headers=[("second", "2"), ("FIRST", "1"), ("item", "a")])
    assert ok.json() == {"value": 1, "items": ["a"]}


@pytest.mark.parametrize("path", ["/form", "/form-model"])
@pytest.mark.parametrize("data", FORM_CASES, ids=[str(d) for d in FORM_CASES])
def test_same_form_response(
    alias_apps: tuple[types.ModuleType, types.ModuleType], path: str, data: dict[str, Any]
) -> None:
    oracle, ours = alias_apps
    expected = fastapi_client(oracle.app).post(path, data=data)
    actual = zephyr_client(ours.app).post(path, data=data)
    assert (actual.status_code, actual.json()) == (expected.status_code, expected.json())


FIELD_SOURCE = """
from typing import Annotated

from pydantic import Field

from fastapi import Body, Cookie, FastAPI, File, Form, Header, Query, UploadFile

app = FastAPI()


@app.post("/query")
def query(value: Annotated[int, Field(alias="wire"), Query()]):
    return value


@app.post("/header")
def header(value: Annotated[int, Field(alias="unused", validation_alias="wire"), Header()]):
    return value


@app.post("/cookie")
def cookie(value: Annotated[int, Field(alias="wire"), Cookie()]):
    return value


@app.post("/form")
def form(value: Annotated[int, Field(alias="wire", gt=1), Form()]):
    return value


@app.post("/body")
def body(value: Annotated[int, Field(alias="wire"), Body(embed=True)]):
    return value


@app.post("/file")
def file(value: Annotated[bytes, Field(alias="upload"), File()]):
    return value


@app.post("/upload")
async def upload(value: Annotated[UploadFile, Field(alias="upload")]):
    return await value.read()


@app.post("/inferred")
def inferred(
    numbers: Annotated[list[int], Field(alias="nums")],
    count: Annotated[int, Field(alias="n", default_factory=lambda: 7)],
):
    return {"numbers": numbers, "count": count}


Wired = Annotated[int, Field(alias="wire")]


@app.post("/query-override")
def query_override(
    kept: Annotated[Wired, Query()],
    renamed: Annotated[Wired, Query(alias="other")],
    cleared: Annotated[Wired, Query(alias=None)],
):
    return [kept, renamed, cleared]


@app.post("/body-override")
def body_override(
    kept: Annotated[Wired, Body()],
    renamed: Annotated[Wired, Body(validation_alias="other")],
    cleared: Annotated[Wired, Body(alias=None)],
):
    return [kept, renamed, cleared]
"""

FIELD_CASES: list[tuple[str, dict[str, Any]]] = [
    ("/query?wire=5", {}),
    ("/query?value=5", {}),
    ("/header", {"headers": {"wire": "5"}}),
    ("/cookie", {"headers": {"cookie": "wire=5"}}),
    ("/form", {"data": {"wire": "5"}}),
    ("/form", {"data": {"wire": "1"}}),
    ("/body", {"json": {"wire": 5}}),
    ("/file", {"files": {"upload": ("a.txt", b"hello")}}),
    ("/upload", {"files": {"upload": ("a.txt", b"hello")}}),
    ("/inferred?n=3", {"json": [1, 2]}),
    ("/inferred", {"json": [1]}),
    ("/inferred?nums=1", {}),
    ("/query-override?wire=1&other=2&cleared=3", {}),
    ("/query-override?wire=1&other=2", {}),
    ("/query-override?cleared=3", {}),
    ("/body-override", {"json": {"wire": 1, "other": 2, "cleared": 3}}),
    ("/body-override", {"json": {"wire": 1, "other": 2, "renamed": 5}}),
]


@pytest.mark.parametrize(("url", "kwargs"), FIELD_CASES, ids=[u for u, _ in FIELD_CASES])
def test_field_metadata_before_the_marker(url: str, kwargs: dict[str, Any]) -> None:
    pytest.importorskip("fastapi")
    oracle = load_app(FIELD_SOURCE, "fastapi", "oracle_field_meta")
    ours = load_app(FIELD_SOURCE, "zephyr", "zephyr_field_meta")
    expected = fastapi_client(oracle.app).post(url, **kwargs)
    actual = zephyr_client(ours.app).post(url, **kwargs)
    assert (actual.status_code, actual.json()) == (expected.status_code, expected.json())


def test_an_explicit_none_alias_clears_the_field_alias() -> None:
    ours = load_app(FIELD_SOURCE, "zephyr", "zephyr_field_meta_direct")
    client = zephyr_client(ours.app)
    # The Field()'s alias applies unless the marker names its own, or None.
    response = client.post("/query-override?wire=1&other=2&cleared=3")
    assert response.json() == [1, 2, 3]
    response = client.post("/body-override", json={"wire": 1, "other": 2, "cleared": 3})
    assert response.json() == [1, 2, 3]
    missing = client.post("/query-override?wire=1&other=2").json()["detail"]
    assert [error["loc"] for error in missing] == [["query", "cleared"]]
