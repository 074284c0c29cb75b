"""Tutorial, path parameters and numeric validations: Path() with gt/ge/lt/le."""

from typing import Annotated, Any

from tests.guide.conftest import operation
from zephyr import Path, Query, Zephyr

app = Zephyr()


@app.get("/floors/{floor}")
async def floor(
    floor: Annotated[int, Path(title="Floor number", ge=0, le=40)],
    room: Annotated[str | None, Query(alias="room-code")] = None,
) -> dict[str, Any]:
    return {"floor": floor, "room": room}


@app.get("/ratios/{ratio}")
async def ratio(
    *,
    ratio: Annotated[float, Path(gt=0, lt=1)],
    scale: Annotated[int, Query(gt=0)] = 100,
) -> dict[str, float]:
    return {"scaled": ratio * scale}


def test_in_range(client: Any) -> None:
    assert client.get("/floors/0").json() == {"floor": 0, "room": None}
    assert client.get("/floors/40?room-code=A1").json() == {"floor": 40, "room": "A1"}


def test_out_of_range(client: Any) -> None:
    response = client.get("/floors/41")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "less_than_equal",
                "loc": ["path", "floor"],
                "msg": "Input should be less than or equal to 40",
                "input": "41",
                "ctx": {"le": 40},
            }
        ]
    }
    below = client.get("/floors/-1")
    assert below.json()["detail"][0]["type"] == "greater_than_equal"


def test_float_bounds_exclusive(client: Any) -> None:
    assert client.get("/ratios/0.25?scale=8").json() == {"scaled": 2.0}
    assert client.get("/ratios/1").json()["detail"][0]["type"] == "less_than"
    assert client.get("/ratios/0").json()["detail"][0]["type"] == "greater_than"
    response = client.get("/ratios/0.5?scale=0")
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "type": "greater_than",
            "loc": ["query", "scale"],
            "msg": "Input should be greater than 0",
            "input": "0",
            "ctx": {"gt": 0},
        }
    ]


def test_openapi_numeric_constraints(client: Any) -> None:
    params = operation(client, "/floors/{floor}")["parameters"]
    assert params[0] == {
        "name": "floor",
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "maximum": 40, "minimum": 0, "title": "Floor number"},
    }
    assert params[1]["name"] == "room-code"
    ratio_params = operation(client, "/ratios/{ratio}")["parameters"]
    assert ratio_params[0]["schema"] == {
        "type": "number",
        "exclusiveMaximum": 1.0,
        "exclusiveMinimum": 0.0,
        "title": "Ratio",
    }
    assert ratio_params[1]["schema"] == {
        "type": "integer",
        "exclusiveMinimum": 0,
        "default": 100,
        "title": "Scale",
    }
