"""Tutorial, body fields: pydantic Field() constraints and metadata inside models."""

from typing import Any

from pydantic import BaseModel, Field

from tests.guide.conftest import schema
from zephyr import Zephyr

app = Zephyr()


class Parcel(BaseModel):
    label: str = Field(min_length=1, max_length=20, description="Shown on the box")
    weight: float = Field(gt=0, le=30, description="Kilograms")
    fragile: bool = Field(default=False, title="Handle with care")


@app.post("/parcels")
async def send_parcel(parcel: Parcel) -> dict[str, Any]:
    return {"accepted": parcel.model_dump()}


def test_valid_parcel(client: Any) -> None:
    response = client.post("/parcels", json={"label": "books", "weight": 2})
    assert response.status_code == 200
    assert response.json() == {"accepted": {"label": "books", "weight": 2.0, "fragile": False}}


def test_field_constraints(client: Any) -> None:
    response = client.post("/parcels", json={"label": "", "weight": 31})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "string_too_short",
                "loc": ["body", "label"],
                "msg": "String should have at least 1 character",
                "input": "",
                "ctx": {"min_length": 1},
            },
            {
                "type": "less_than_equal",
                "loc": ["body", "weight"],
                "msg": "Input should be less than or equal to 30",
                "input": 31,
                "ctx": {"le": 30.0},
            },
        ]
    }


def test_openapi_field_metadata(client: Any) -> None:
    assert schema(client, "Parcel") == {
        "properties": {
            "label": {
                "type": "string",
                "maxLength": 20,
                "minLength": 1,
                "title": "Label",
                "description": "Shown on the box",
            },
            "weight": {
                "type": "number",
                "maximum": 30.0,
                "exclusiveMinimum": 0.0,
                "title": "Weight",
                "description": "Kilograms",
            },
            "fragile": {"type": "boolean", "title": "Handle with care", "default": False},
        },
        "type": "object",
        "required": ["label", "weight"],
        "title": "Parcel",
    }
