"""OpenAPI of parameters that share a key, and of required ``Model | None`` parameters.

* Several parameters reading one query key document it once; a later one
  that requires it documents it in the earlier one's place.
* A required ``Annotated[Model | None, Header()]`` still answers 422 when
  nothing of it is sent, so its required fields are documented as required.
* A model validated by field name only (``validate_by_alias=False``) titles
  its parameters by those names.
* Beside form models, a plain form field under a key that an earlier field
  documents adds ``{"properties": {key: schema}}`` to the body's ``allOf``.
"""

from __future__ import annotations

import types
from typing import Any

import pytest

from tests.api.conftest import load_app

SOURCE = """
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from fastapi import Body, Cookie, Depends, FastAPI, File, Form, Header, Query, UploadFile

app = FastAPI()


class One(BaseModel):
    token: str


class Mixed(BaseModel):
    first: str
    second: str
    third: int = 1


@app.get("/required-header")
def required_header(data: Annotated[Mixed | None, Header()]):
    return data


@app.get("/required-cookie")
def required_cookie(data: Annotated[One | None, Cookie()]):
    return data


@app.get("/defaulted")
def defaulted(data: Annotated[One | None, Query()] = None):
    return data


class Loose(BaseModel):
    shared: int = 1


class Strict(BaseModel):
    shared: str


def reads_alias(value: Annotated[int, Query(alias="a")]):
    return value


@app.get("/shared-plain")
def shared_plain(a: int = 1, value: int = Depends(reads_alias)):
    return a


@app.get("/shared-models")
def shared_models(loose: Annotated[Loose, Query()], strict: Annotated[Strict, Query()]):
    return [loose, strict]


class ByName(BaseModel):
    model_config = ConfigDict(validate_by_alias=False)
    int_value: Annotated[int, Field(alias="legacy")]


@app.get("/by-name")
def by_name(data: Annotated[ByName, Header()]):
    return data


class Profile(BaseModel):
    name: str


def inspect_files(profile: Annotated[Profile, Form()], files: Annotated[list[bytes], File()]):
    return len(files)


@app.post("/form")
async def form(
    count: Annotated[int, Depends(inspect_files)],
    profile: Annotated[Profile, Form()],
    files: Annotated[list[UploadFile], File()],
    last: Annotated[bytes, File(alias="files")],
):
    return count


def reads_first(first: Annotated[int, Body()]):
    return first


@app.post("/json")
def json_body(
    first: Annotated[int, Body()], second: Annotated[str, Body()], dep=Depends(reads_first)
):
    return first
"""

PATHS = [
    "/required-header",
    "/required-cookie",
    "/defaulted",
    "/shared-plain",
    "/shared-models",
    "/by-name",
]


@pytest.fixture(scope="module")
def schemas() -> tuple[dict[str, Any], dict[str, Any]]:
    pytest.importorskip("fastapi")
    oracle: types.ModuleType = load_app(SOURCE, "fastapi", "oracle_shared_params")
    ours: types.ModuleType = load_app(SOURCE, "zephyr", "zephyr_shared_params")
    return oracle.app.openapi(), ours.app.openapi()


@pytest.mark.parametrize("path", PATHS)
def test_parameters_match_fastapi(
    schemas: tuple[dict[str, Any], dict[str, Any]], path: str
) -> None:
    expected, actual = schemas
    operation = next(iter(expected["paths"][path].values()))
    ours = next(iter(actual["paths"][path].values()))
    assert ours["parameters"] == operation["parameters"]


@pytest.mark.parametrize("name", ["Body_form_form_post", "Body_json_body_json_post"])
def test_bodies_match_fastapi(schemas: tuple[dict[str, Any], dict[str, Any]], name: str) -> None:
    expected, actual = schemas
    ours, theirs = actual["components"]["schemas"][name], expected["components"]["schemas"][name]
    # Property order too: a key the endpoint reads first stays first.
    assert list(ours["properties"]) == list(theirs["properties"])
    assert ours == theirs


def _parameters(schema: dict[str, Any], path: str) -> list[tuple[str, bool]]:
    operation = next(iter(schema["paths"][path].values()))
    return [(p["name"], p["required"]) for p in operation["parameters"]]


def test_required_nullable_model_and_shared_keys() -> None:
    schema = load_app(SOURCE, "zephyr", "zephyr_shared_params_direct").app.openapi()
    assert _parameters(schema, "/required-header") == [
        ("first", True),
        ("second", True),
        ("third", False),
    ]
    assert _parameters(schema, "/required-cookie") == [("token", True)]
    assert _parameters(schema, "/defaulted") == [("token", False)]
    assert _parameters(schema, "/shared-plain") == [("a", True)]
    shared = schema["paths"]["/shared-models"]["get"]["parameters"]
    assert [(p["required"], p["schema"]["type"]) for p in shared] == [(True, "string")]
    titles = [p["schema"]["title"] for p in schema["paths"]["/by-name"]["get"]["parameters"]]
    assert titles == ["Int Value"]
    body = schema["components"]["schemas"]["Body_form_form_post"]
    assert body["properties"]["files"]["type"] == "array"
    extra = [item["properties"]["files"] for item in body["allOf"] if "properties" in item]
    assert [(item["type"], item["title"]) for item in extra] == [
        ("string", "Last"),
        ("array", "Files"),
    ]
