"""Advanced, using dataclasses: as request bodies, response models and nested types."""

from dataclasses import dataclass, field
from typing import Any

from tests.guide.conftest import operation, schema
from zephyr import Zephyr

app = Zephyr()


@dataclass
class Ingredient:
    name: str
    grams: float = 0.0


@dataclass
class Dish:
    title: str
    ingredients: list[Ingredient] = field(default_factory=list)
    vegan: bool | None = None


@app.post("/dishes")
async def create_dish(dish: Dish) -> Dish:
    return dish


@app.get("/dishes/sample", response_model=Dish)
async def sample() -> Any:
    return {"title": "salad", "ingredients": [{"name": "leaf", "grams": 40}], "extra": "dropped"}


def test_dataclass_body_and_response(client: Any) -> None:
    payload = {"title": "stew", "ingredients": [{"name": "bean", "grams": 100}]}
    response = client.post("/dishes", json=payload)
    assert response.status_code == 200
    assert response.json() == {
        "title": "stew",
        "ingredients": [{"name": "bean", "grams": 100.0}],
        "vegan": None,
    }
    bad = client.post("/dishes", json={"ingredients": [{"grams": "x"}]})
    assert [e["loc"] for e in bad.json()["detail"]] == [
        ["body", "title"],
        ["body", "ingredients", 0, "name"],
        ["body", "ingredients", 0, "grams"],
    ]


def test_dataclass_response_model_filters(client: Any) -> None:
    assert client.get("/dishes/sample").json() == {
        "title": "salad",
        "ingredients": [{"name": "leaf", "grams": 40.0}],
        "vegan": None,
    }


def test_openapi_dataclass_schemas(client: Any) -> None:
    assert operation(client, "/dishes", "post")["requestBody"]["content"]["application/json"] == {
        "schema": {"$ref": "#/components/schemas/Dish"}
    }
    assert schema(client, "Ingredient") == {
        "properties": {
            "name": {"type": "string", "title": "Name"},
            "grams": {"type": "number", "title": "Grams", "default": 0.0},
        },
        "type": "object",
        "required": ["name"],
        "title": "Ingredient",
    }
