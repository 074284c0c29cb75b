"""Tutorial, declare request example data: model config, Field, Body and openapi_examples."""

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from tests.guide.conftest import operation, schema
from zephyr import Body, Query, Zephyr

app = Zephyr()


class Recipe(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"dish": "soup", "minutes": 30}]},
    )

    dish: str
    minutes: int


class Ingredient(BaseModel):
    name: str = Field(examples=["flour"])
    grams: int = Field(examples=[250])


@app.post("/recipes")
async def add_recipe(recipe: Recipe) -> Recipe:
    return recipe


@app.post("/ingredients")
async def add_ingredient(
    ingredient: Annotated[Ingredient, Body(examples=[{"name": "salt", "grams": 5}])],
    unit: Annotated[str, Query(examples=["g", "kg"])] = "g",
) -> dict[str, Any]:
    return {"ingredient": ingredient, "unit": unit}


@app.put("/pantry")
async def stock_pantry(
    ingredient: Annotated[
        Ingredient,
        Body(
            openapi_examples={
                "small": {
                    "summary": "A pinch",
                    "description": "The smallest amount worth recording",
                    "value": {"name": "pepper", "grams": 1},
                },
                "invalid": {
                    "summary": "Rejected",
                    "value": {"name": "sugar", "grams": "lots"},
                },
            }
        ),
    ],
) -> Ingredient:
    return ingredient


def test_examples_do_not_change_validation(client: Any) -> None:
    assert client.post("/recipes", json={"dish": "tea", "minutes": 3}).json() == {
        "dish": "tea",
        "minutes": 3,
    }
    response = client.put("/pantry", json={"name": "sugar", "grams": "lots"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "grams"]
    ok = client.post("/ingredients?unit=kg", json={"name": "rice", "grams": 900})
    assert ok.json() == {"ingredient": {"name": "rice", "grams": 900}, "unit": "kg"}


def test_model_level_examples(client: Any) -> None:
    assert schema(client, "Recipe")["examples"] == [{"dish": "soup", "minutes": 30}]


def test_field_level_examples(client: Any) -> None:
    props = schema(client, "Ingredient")["properties"]
    assert props["name"] == {"type": "string", "title": "Name", "examples": ["flour"]}
    assert props["grams"] == {"type": "integer", "title": "Grams", "examples": [250]}


def test_body_and_query_examples(client: Any) -> None:
    op = operation(client, "/ingredients", "post")
    assert op["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Ingredient",
        "examples": [{"name": "salt", "grams": 5}],
    }
    assert op["parameters"][0]["schema"] == {
        "type": "string",
        "examples": ["g", "kg"],
        "default": "g",
        "title": "Unit",
    }


def test_openapi_examples_on_media_type(client: Any) -> None:
    media = operation(client, "/pantry", "put")["requestBody"]["content"]["application/json"]
    assert media["schema"] == {"$ref": "#/components/schemas/Ingredient"}
    assert media["examples"] == {
        "small": {
            "summary": "A pinch",
            "description": "The smallest amount worth recording",
            "value": {"name": "pepper", "grams": 1},
        },
        "invalid": {"summary": "Rejected", "value": {"name": "sugar", "grams": "lots"}},
    }
