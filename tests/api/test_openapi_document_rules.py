"""Smaller rules of the OpenAPI document: titles, examples, statuses, merges, warnings."""

# No ``from __future__ import annotations``: the endpoints' models are local to the tests.

import json
import warnings
from collections.abc import AsyncIterator
from typing import Annotated, Any

import pytest
from annotated_types import Gt
from pydantic import AliasChoices, BaseModel, Field, computed_field

from zephyr import Body, Query, Zephyr
from zephyr.responses import JSONResponse, RedirectResponse
from zephyr.sse import EventSourceResponse
from zephyr.testclient import TestClient


def _document(app: Zephyr) -> dict[str, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the document of a sound app warns of nothing
        return app.openapi()


def test_model_description_stops_at_a_form_feed() -> None:
    class Invoice(BaseModel):
        """What the client sees.
        \f
        Notes for maintainers only.
        """

        total: int

    app = Zephyr()

    @app.post("/invoices")
    def create(invoice: Invoice) -> Invoice:
        return invoice

    schemas = _document(app)["components"]["schemas"]
    assert schemas["Invoice"]["description"] == "What the client sees.\n"


class _Created(JSONResponse):
    def __init__(self, content: Any = None, status_code: int = 201, **options: Any) -> None:
        super().__init__(content, status_code=status_code, **options)


def test_response_status_defaults_to_the_response_class_default() -> None:
    app = Zephyr()

    @app.get("/go", response_class=RedirectResponse)
    def go() -> str:
        return "https://example.org"

    @app.post("/things", response_class=_Created)
    def make() -> dict[str, int]:
        return {"id": 1}

    @app.get("/moved", response_class=RedirectResponse, status_code=301)
    def moved() -> str:
        return "https://example.org"

    paths = _document(app)["paths"]
    assert list(paths["/go"]["get"]["responses"]) == ["307"]
    assert list(paths["/things"]["post"]["responses"]) == ["201"]
    assert list(paths["/moved"]["get"]["responses"]) == ["301"]
    assert TestClient(app).post("/things").status_code == 201


def test_openapi_extra_parameters_come_after_the_generated_ones() -> None:
    app = Zephyr()
    extra = {"name": "trace", "in": "header", "required": False, "schema": {"type": "string"}}

    @app.get("/search", openapi_extra={"parameters": [extra], "tags": ["late"]}, tags=["early"])
    def search(q: str = "") -> list[str]:
        return [q]

    operation = _document(app)["paths"]["/search"]["get"]
    assert [p["name"] for p in operation["parameters"]] == ["q", "trace"]
    assert operation["tags"] == ["early", "late"]


def test_deprecated_example_is_documented_unless_openapi_examples_are() -> None:
    app = Zephyr()

    class Note(BaseModel):
        text: str

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ``example=`` is deprecated (and says so)

        @app.post("/notes")
        def add(
            note: Note = Body(example={"text": "hi"}),
            lang: str = Query("en", example="fr"),
            mode: str = Query(
                "plain", example="unused", openapi_examples={"md": {"value": "markdown"}}
            ),
        ) -> Note:
            return note

    operation = _document(app)["paths"]["/notes"]["post"]
    lang, mode = operation["parameters"]
    assert lang["example"] == "fr"
    assert "example" not in mode
    assert mode["examples"] == {"md": {"value": "markdown"}}
    assert operation["requestBody"]["content"]["application/json"]["example"] == {"text": "hi"}


def test_model_parameter_is_titled_by_its_first_alias_choice() -> None:
    class Paging(BaseModel):
        page: Annotated[int, Field(alias="unused", validation_alias=AliasChoices("p", "pg"))] = 1
        size_hint: Annotated[int, Field(validation_alias=AliasChoices("size_hint", "s"))] = 10

    app = Zephyr()

    @app.get("/list")
    def listing(paging: Annotated[Paging, Query()]) -> Paging:
        return paging

    parameters = _document(app)["paths"]["/list"]["get"]["parameters"]
    assert [(p["name"], p["schema"]["title"]) for p in parameters] == [
        ("p", "P"),
        ("size_hint", "Size Hint"),
    ]


def test_required_nullable_model_parameter_documents_its_required_fields() -> None:
    class Filters(BaseModel):
        term: str
        limit: int = 10

    app = Zephyr()

    @app.get("/required")
    def required(filters: Annotated[Filters | None, Query()]) -> Filters | None:
        return filters

    @app.get("/optional")
    def optional(filters: Annotated[Filters | None, Query()] = None) -> Filters | None:
        return filters

    paths = _document(app)["paths"]
    flags = {path: [p["required"] for p in paths[path]["get"]["parameters"]] for path in paths}
    assert flags == {"/required": [True, False], "/optional": [False, False]}
    client = TestClient(app)
    assert client.get("/required").status_code == 422
    assert client.get("/optional").json() is None


def test_duplicate_operation_ids_warn_once_per_repeat() -> None:
    app = Zephyr()

    @app.get("/a", operation_id="same")
    def first() -> None: ...

    @app.get("/b", operation_id="same")
    def second() -> None: ...

    @app.get("/c", operation_id="same")
    def third() -> None: ...

    @app.get("/d")
    def unique() -> None: ...

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        app.openapi()
    messages = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    assert len(messages) == 2
    assert all(m.startswith("Duplicate Operation ID same for function ") for m in messages)
    assert "second" in messages[0] and "third" in messages[1]


def test_streamed_items_follow_the_response_model_options() -> None:
    class Event(BaseModel):
        full_name: str = Field(alias="fullName")
        detail: str | None = None

    app = Zephyr()

    @app.get("/events", response_model_exclude_none=True)
    async def events() -> AsyncIterator[Event]:
        yield Event(fullName="a")
        yield Event(fullName="b", detail="x")

    @app.get("/by-name", response_model_by_alias=False)
    async def by_name() -> AsyncIterator[Event]:
        yield Event(fullName="a")

    @app.get("/sse", response_class=EventSourceResponse, response_model_exclude_none=True)
    async def sse() -> AsyncIterator[Event]:
        yield Event(fullName="a")

    client = TestClient(app)
    lines = client.get("/events").text.splitlines()
    assert [json.loads(line) for line in lines] == [
        {"fullName": "a"},
        {"fullName": "b", "detail": "x"},
    ]
    assert client.get("/by-name").json() == {"full_name": "a", "detail": None}
    assert client.get("/sse").text == 'data: {"fullName":"a"}\n\n'


def test_one_status_from_response_model_and_responses_is_a_bare_reference() -> None:
    class Shape(BaseModel):
        side: int

    app = Zephyr()

    @app.get("/shape", responses={200: {"model": Shape}})
    def shape() -> Shape:
        return Shape(side=1)

    content = _document(app)["paths"]["/shape"]["get"]["responses"]["200"]["content"]
    assert content["application/json"]["schema"] == {"$ref": "#/components/schemas/Shape"}


class _Node(BaseModel):
    name: str
    children: "list[_Node]" = []

    @computed_field  # type: ignore[prop-decorator]
    @property
    def size(self) -> int:
        return 1 + sum(child.size for child in self.children)


@pytest.mark.parametrize("separate", [True, False])
def test_recursive_model_keeps_no_title_of_a_request_or_response(separate: bool) -> None:
    before = _Node.model_json_schema(mode="serialization")
    app = Zephyr(separate_input_output_schemas=separate)

    @app.post("/tree")
    def tree(node: _Node = Body(description="The root")) -> _Node:
        return node

    operation = _document(app)["paths"]["/tree"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    answer = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/_Node-Input", "description": "The root"}
    assert answer == {"$ref": "#/components/schemas/_Node-Output"}
    # Pydantic would write the body's title and description into the model's own
    # core schema (it is recursive): every later schema of the model showed them
    # (fastapi's document shows the body's description on the response too).
    assert _Node.model_json_schema(mode="serialization") == before


def test_model_only_field_options_are_left_out_of_the_document() -> None:
    app = Zephyr()

    @app.post("/items/{item_id}")
    def update(
        item_id: int,
        count: Annotated[int, Query(validate_default=True)] = 1,
        label: Annotated[str, Body(validate_default=True, embed=True)] = "x",
    ) -> int:
        return count

    operation = _document(app)["paths"]["/items/{item_id}"]["post"]  # warns of nothing
    assert [(p["name"], p["required"]) for p in operation["parameters"]] == [
        ("item_id", True),
        ("count", False),
    ]
    assert operation["parameters"][1]["schema"] == {
        "type": "integer",
        "default": 1,
        "title": "Count",
    }
    assert TestClient(app).post("/items/5", json={}).json() == 1


def test_type_metadata_is_kept_when_the_marker_is_the_default() -> None:
    # A deliberate difference (README): fastapi validates and documents a bare ``int`` here.
    app = Zephyr()

    @app.get("/count")
    def count(n: Annotated[int, Gt(0)] = Query()) -> int:
        return n

    parameter = _document(app)["paths"]["/count"]["get"]["parameters"][0]
    assert parameter["schema"] == {"type": "integer", "exclusiveMinimum": 0, "title": "N"}
    client = TestClient(app)
    assert client.get("/count", params={"n": "-1"}).status_code == 422
    assert client.get("/count", params={"n": "2"}).json() == 2


def test_a_field_before_the_marker_documents_the_parameter() -> None:
    # The marker's own values win (``deprecated=False`` too); json_schema_extra dicts merge.
    app = Zephyr()
    Size = Annotated[
        int,
        Field(
            title="Size",
            description="From the field",
            examples=[3],
            deprecated=True,
            json_schema_extra={"x-unit": "cm", "x-from": "field"},
            gt=0,
        ),
    ]

    @app.get("/boxes")
    def boxes(
        width: Annotated[Size, Query()],
        height: Annotated[
            Size,
            Query(
                description="From the marker", deprecated=False, json_schema_extra={"x-from": "q"}
            ),
        ],
    ) -> int:
        return width * height

    width, height = _document(app)["paths"]["/boxes"]["get"]["parameters"]  # warns of nothing
    assert (width["description"], width["deprecated"]) == ("From the field", True)
    assert width["schema"]["exclusiveMinimum"] == 0
    assert width["schema"]["title"] == "Size"
    assert height["description"] == "From the marker"
    assert "deprecated" not in height
    assert "deprecated" not in height["schema"]
    assert height["schema"]["examples"] == [3]
    assert (height["schema"]["x-unit"], height["schema"]["x-from"]) == ("cm", "q")
    assert TestClient(app).get("/boxes", params={"width": "0", "height": "1"}).status_code == 422
