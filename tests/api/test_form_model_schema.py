"""How a form body with model parameters is documented in OpenAPI.

A form model's fields are keys of the form itself, so the form's
``Body_<operation id>`` schema keeps its plain fields as properties and lists
each model in ``allOf``: a required one as its schema, an optional one as
"none of its keys, or the model", a required nullable one as "not none of its
keys" plus the model. The body's media type is multipart as soon as one field
needs it.
"""

from typing import Annotated, Any, Literal

import pytest
from pydantic import BaseModel, ConfigDict

from zephyr import File, Form, UploadFile, Zephyr


class Address(BaseModel):
    street: str
    city: str = "Paris"


class Card(BaseModel):
    model_config = ConfigDict(extra="forbid")
    number: str


class Cat(BaseModel):
    pet: Literal["cat"]
    meows: bool = True


class Dog(BaseModel):
    pet: Literal["dog"]
    barks: bool = True


def _body(app: Zephyr, path: str = "/") -> tuple[dict[str, Any], dict[str, Any]]:
    document = app.openapi()
    body = document["paths"][path]["post"]["requestBody"]
    (media,) = body["content"].values()
    name = media["schema"]["$ref"].rsplit("/", 1)[-1]
    return body, document["components"]["schemas"][name]


def test_required_model_next_to_a_plain_field_is_an_allof_reference() -> None:
    app = Zephyr()

    @app.post("/")
    def send(address: Annotated[Address, Form()], note: Annotated[str, Form()]) -> None: ...

    body, schema = _body(app)
    assert body["required"] is True
    assert set(schema["properties"]) == {"note"}
    assert schema["required"] == ["note"]
    assert schema["allOf"] == [{"$ref": "#/components/schemas/Address"}]
    assert app.openapi()["components"]["schemas"]["Address"]["required"] == ["street"]


def test_optional_model_is_absent_or_present() -> None:
    app = Zephyr()

    @app.post("/")
    def send(address: Annotated[Address | None, Form()] = None) -> None: ...

    body, schema = _body(app)
    assert "required" not in body
    assert "required" not in schema
    absent = {"not": {"anyOf": [{"required": ["city"]}, {"required": ["street"]}]}}
    present = {"anyOf": [{"$ref": "#/components/schemas/Address"}], "title": "Address"}
    assert schema["allOf"] == [{"anyOf": [absent, present]}]


def test_a_model_taking_extra_keys_is_absent_only_for_an_empty_form() -> None:
    app = Zephyr()

    @app.post("/")
    def send(card: Annotated[Card | None, Form()]) -> None: ...

    body, schema = _body(app)
    assert body["required"] is True
    present = {"anyOf": [{"$ref": "#/components/schemas/Card"}], "title": "Card"}
    # Required but nullable: something of it must come, so "not absent" and the model.
    assert schema["allOf"] == [{"not": {"maxProperties": 0}}, present]


def test_discriminated_union_keeps_its_mapping() -> None:
    app = Zephyr()

    @app.post("/")
    def send(
        pet: Annotated[Cat | Dog, Form(discriminator="pet")], owner: Annotated[str, Form()]
    ) -> None: ...

    _, schema = _body(app)
    (union,) = schema["allOf"]
    assert union["discriminator"]["mapping"] == {
        "cat": "#/components/schemas/Cat",
        "dog": "#/components/schemas/Dog",
    }
    assert len(union["oneOf"]) == 2


def test_single_required_model_documents_as_itself() -> None:
    app = Zephyr()

    @app.post("/")
    def send(address: Annotated[Address, Form()]) -> None: ...

    content = app.openapi()["paths"]["/"]["post"]["requestBody"]["content"]
    schema = content["application/x-www-form-urlencoded"]["schema"]
    assert schema == {"$ref": "#/components/schemas/Address"}


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("application/x-www-form-urlencoded", "multipart/form-data", "multipart/form-data"),
        ("multipart/form-data", "application/x-www-form-urlencoded", "multipart/form-data"),
        (
            "application/x-www-form-urlencoded; charset=utf-8",
            "application/x-www-form-urlencoded; charset=utf-8",
            "application/x-www-form-urlencoded; charset=utf-8",
        ),
    ],
)
def test_form_media_type_is_multipart_when_any_field_needs_it(
    first: str, second: str, expected: str
) -> None:
    app = Zephyr()

    @app.post("/")
    def send(
        a: Annotated[str, Form(media_type=first)], b: Annotated[str, Form(media_type=second)]
    ) -> None: ...

    assert list(app.openapi()["paths"]["/"]["post"]["requestBody"]["content"]) == [expected]


def test_a_file_makes_the_form_multipart() -> None:
    app = Zephyr()

    @app.post("/")
    def send(address: Annotated[Address, Form()], photo: Annotated[UploadFile, File()]) -> None: ...

    body, schema = _body(app)
    assert list(body["content"]) == ["multipart/form-data"]
    assert schema["required"] == ["photo"]
    assert schema["allOf"] == [{"$ref": "#/components/schemas/Address"}]


def test_single_required_union_documents_as_the_titled_union() -> None:
    app = Zephyr()

    @app.post("/")
    def send(pet: Annotated[Cat | Dog, Form()]) -> None: ...

    content = app.openapi()["paths"]["/"]["post"]["requestBody"]["content"]
    assert content["application/x-www-form-urlencoded"]["schema"] == {
        "anyOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
        "title": "Pet",
    }
