"""Union form models: each member of the union reads the form its own way.

Members may read one key differently (a string in one, a list in another),
so each gets an input shaped for its own fields; errors name the member as
Pydantic does for a plain union (the model's name, or the tag when
discriminated).
"""

from typing import Annotated, Any, Literal

import pytest
from pydantic import BaseModel, BeforeValidator, ConfigDict, Discriminator, Tag, model_validator

from zephyr import Form, Zephyr
from zephyr.testclient import TestClient


class Single(BaseModel):
    mode: Literal["single"]
    item: str


class Many(BaseModel):
    mode: Literal["many"]
    item: list[str]


def _app() -> Zephyr:
    app = Zephyr()

    @app.post("/plain")
    def plain(choice: Annotated[Single | Many, Form()]) -> Any:
        return choice

    @app.post("/tagged")
    def tagged(choice: Annotated[Single | Many, Form(discriminator="mode")]) -> Any:
        return choice

    @app.post("/optional")
    def optional(choice: Annotated[Single | Many | None, Form()] = None) -> Any:
        return choice

    return app


@pytest.mark.parametrize("path", ["/plain", "/tagged", "/optional"])
def test_each_member_reads_its_own_shape(path: str) -> None:
    client = TestClient(_app())
    response = client.post(path, data={"mode": "many", "item": "x"})
    assert response.json() == {"mode": "many", "item": ["x"]}
    response = client.post(path, data={"mode": "many", "item": ["x", "y"]})
    assert response.json() == {"mode": "many", "item": ["x", "y"]}
    response = client.post(path, data={"mode": "single", "item": "x"})
    assert response.json() == {"mode": "single", "item": "x"}


def test_an_empty_scalar_is_missing_for_its_member() -> None:
    client = TestClient(_app())
    response = client.post("/tagged", data={"mode": "single", "item": ""})
    assert response.status_code == 422
    assert [(e["type"], e["loc"]) for e in response.json()["detail"]] == [
        ("missing", ["body", "single", "item"])
    ]
    response = client.post("/plain", data={"mode": "other"})
    locs = [e["loc"][:2] for e in response.json()["detail"]]
    assert ["body", "Single"] in locs
    assert ["body", "Many"] in locs


def test_optional_union_is_absent_without_its_keys() -> None:
    assert TestClient(_app()).post("/optional").json() is None


def test_member_validators_get_their_own_copy() -> None:
    class Left(BaseModel):
        model_config = ConfigDict(extra="allow")
        side: Literal["left"]

        @model_validator(mode="before")
        @classmethod
        def scribble(cls, value: Any) -> Any:
            value["side"] = "broken"  # Must not leak into the other member's input.
            return value

    class Right(BaseModel):
        side: Literal["right"]

    app = Zephyr()

    @app.post("/")
    def pick(choice: Annotated[Left | Right, Form()]) -> Any:
        return choice

    assert TestClient(app).post("/", data={"side": "right"}).json() == {"side": "right"}


def test_a_validator_around_the_union_can_rewrite_the_form() -> None:
    def rename(data: Any) -> Any:
        assert isinstance(data, dict)
        data = dict(data)  # A copy works too: members read what it returns.
        data["item"] = data.pop("old")
        return data

    app = Zephyr()

    @app.post("/")
    def pick(choice: Annotated[Single | Many, BeforeValidator(rename), Form()]) -> Any:
        return choice

    client = TestClient(app)
    assert client.post("/", data={"mode": "many", "old": ""}).json() == {
        "mode": "many",
        "item": [""],
    }
    assert client.post("/", data={"mode": "single", "old": "x"}).json() == {
        "mode": "single",
        "item": "x",
    }


@pytest.mark.parametrize(("mode", "expected"), [("smart", "Wide"), ("left_to_right", "Narrow")])
def test_union_mode_and_callable_discriminators_are_kept(mode: str, expected: str) -> None:
    class Narrow(BaseModel):
        name: str

    class Wide(BaseModel):
        name: str
        size: int

    app = Zephyr()

    @app.post("/")
    def pick(choice: Annotated[Narrow | Wide, Form(union_mode=mode)]) -> str:
        return type(choice).__name__

    @app.post("/tags")
    def tags(
        choice: Annotated[
            Annotated[Single, Tag("one")] | Annotated[Many, Tag("more")],
            Discriminator(lambda v: "one" if v.get("mode") == "single" else "more"),
            Form(),
        ],
    ) -> Any:
        return choice

    client = TestClient(app)
    assert client.post("/", data={"name": "n", "size": "2"}).json() == expected
    response = client.post("/tags", data={"mode": "single", "item": ""})
    assert response.json()["detail"][0]["loc"] == ["body", "one", "item"]


def test_values_a_validator_sets_to_none_or_empty_are_kept() -> None:
    class Cleared(BaseModel):
        mode: Literal["cleared"]
        note: str | None = "n"
        tags: list[str]

    def clear(data: Any) -> Any:
        return {**data, "note": None, "tags": []}

    app = Zephyr()

    @app.post("/")
    def pick(choice: Annotated[Cleared | Single, BeforeValidator(clear), Form()]) -> Any:
        return choice.model_dump(exclude_unset=True)

    response = TestClient(app).post("/", data={"mode": "cleared"})
    assert response.json() == {"mode": "cleared", "note": None, "tags": []}
