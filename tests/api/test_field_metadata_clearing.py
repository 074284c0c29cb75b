"""A marker's explicit ``None`` against the ``Field()`` before it in ``Annotated``.

``Annotated[int, Field(title=...), Query(title=None)]`` documents the parameter
without the Field's title (the default one instead), where ``Query()`` without
``title`` keeps it: "given as None" and "not given" are different. Also: a
parameter that only a ``Field(default_factory=...)`` declares is still required
when the route's path names it.
"""

from typing import Annotated, Any

import pytest
from pydantic import Field

from zephyr import Body, Header, Query, Zephyr
from zephyr.testclient import TestClient

Documented = Annotated[
    int,
    Field(
        title="From Field",
        description="Field text",
        examples=[1],
        deprecated=True,
        json_schema_extra={"x-origin": "field"},
    ),
]
_FIELD_SCHEMA = {
    "type": "integer",
    "title": "From Field",
    "description": "Field text",
    "examples": [1],
    "deprecated": True,
    "x-origin": "field",
}


def _query_parameter(app: Zephyr, path: str = "/") -> dict[str, Any]:
    document = TestClient(app).get("/openapi.json").json()
    (parameter,) = document["paths"][path]["get"]["parameters"]
    return dict(parameter)


def test_a_marker_without_the_keys_keeps_the_field_metadata() -> None:
    app = Zephyr()

    @app.get("/")
    def read(value: Annotated[Documented, Query()]) -> int:
        return value

    parameter = _query_parameter(app)
    assert parameter["schema"] == _FIELD_SCHEMA
    assert parameter["description"] == "Field text"
    assert parameter["deprecated"] is True


def test_explicit_nones_clear_all_the_field_metadata() -> None:
    app = Zephyr()

    @app.get("/")
    def read(
        value: Annotated[
            Documented,
            Query(
                title=None,
                description=None,
                examples=None,
                deprecated=None,
                json_schema_extra=None,
            ),
        ],
    ) -> int:
        return value

    parameter = _query_parameter(app)
    assert parameter["schema"] == {"type": "integer", "title": "Value"}
    assert "description" not in parameter
    assert "deprecated" not in parameter
    assert TestClient(app).get("/", params={"value": "3"}).json() == 3


@pytest.mark.parametrize(
    ("key", "schema_keys"),
    [
        ("title", {"title": "Value"}),
        ("description", {"description": None}),
        ("examples", {"examples": None}),
        ("deprecated", {"deprecated": None}),
        ("json_schema_extra", {"x-origin": None}),
    ],
)
def test_one_explicit_none_clears_only_its_key(key: str, schema_keys: dict[str, Any]) -> None:
    app = Zephyr()
    marker = Header(**{key: None})

    @app.get("/")
    def read(value: Annotated[Documented, marker]) -> int:
        return value

    expected = {**_FIELD_SCHEMA, **schema_keys}
    expected = {k: v for k, v in expected.items() if v is not None}
    assert _query_parameter(app)["schema"] == expected


def test_explicit_nones_clear_the_field_metadata_of_a_body_value() -> None:
    app = Zephyr()

    @app.post("/")
    def write(
        kept: Annotated[Documented, Body()],
        cleared: Annotated[Documented, Body(title=None, examples=None, json_schema_extra=None)],
    ) -> int:
        return kept + cleared

    document = TestClient(app).get("/openapi.json").json()
    properties = document["components"]["schemas"]["Body_write__post"]["properties"]
    assert properties["kept"] == _FIELD_SCHEMA
    assert properties["cleared"] == {
        "type": "integer",
        "title": "Cleared",
        "description": "Field text",
        "deprecated": True,
    }


def test_a_path_parameter_from_a_field_default_factory_is_required() -> None:
    app = Zephyr()

    @app.get("/items")
    @app.get("/items/{item_id}")
    def read(item_id: Annotated[int, Field(default_factory=lambda: 7)]) -> int:
        return item_id

    document = TestClient(app).get("/openapi.json").json()
    (in_path,) = document["paths"]["/items/{item_id}"]["get"]["parameters"]
    assert in_path["in"] == "path"
    assert in_path["required"] is True
    assert "default" not in in_path["schema"]
    in_query = _query_parameter(app, "/items")
    assert in_query["in"] == "query"
    assert in_query["required"] is False
    client = TestClient(app)
    assert client.get("/items/3").json() == 3
    assert client.get("/items").json() == 7


@pytest.mark.parametrize(
    ("marker", "cleared", "aliases"),
    [
        (Query(), set(), set()),
        (Query(alias=None, title=None), {"alias", "title"}, {"alias"}),
        (Query(alias="wire"), set(), {"alias"}),
        (
            Header(serialization_alias="out", deprecated=None),
            {"deprecated"},
            {"serialization_alias"},
        ),
        (
            Body(validation_alias=None, description="text"),
            {"validation_alias"},
            {"validation_alias"},
        ),
    ],
    ids=["nothing given", "nones", "alias", "serialization alias", "validation alias none"],
)
def test_a_marker_records_what_was_given(marker: Any, cleared: set[str], aliases: set[str]) -> None:
    # Explicit Nones (read by the OpenAPI merge), and the aliases given, None
    # included (read by compilation: such a marker keeps its own aliases).
    assert marker.cleared == cleared
    assert marker.given_aliases == aliases
