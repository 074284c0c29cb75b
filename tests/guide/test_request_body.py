"""Tutorial, request body: Pydantic models, body + path + query, malformed bodies."""

from typing import Any

from pydantic import BaseModel

from tests.guide.conftest import openapi, operation
from zephyr import Zephyr

app = Zephyr()


class Gadget(BaseModel):
    name: str
    summary: str | None = None
    price: float
    weight_kg: float | None = None


@app.post("/gadgets")
async def create_gadget(gadget: Gadget) -> dict[str, Any]:
    data = gadget.model_dump()
    if gadget.weight_kg is not None:
        data["shipping"] = round(gadget.weight_kg * 2.5, 2)
    return data


@app.put("/gadgets/{gadget_id}")
async def replace_gadget(gadget_id: int, gadget: Gadget, reason: str | None = None):
    result: dict[str, Any] = {"gadget_id": gadget_id, **gadget.model_dump()}
    if reason:
        result["reason"] = reason
    return result


@app.post("/gadgets/check")
async def check_gadget(gadget: Gadget | None = None) -> dict[str, Any]:
    return {"checked": gadget is not None}


def test_optional_body(client: Any) -> None:
    assert client.post("/gadgets/check").json() == {"checked": False}
    assert client.post("/gadgets/check", json={"name": "a", "price": 1}).json() == {"checked": True}
    assert client.post("/gadgets/check", json={"name": "a"}).status_code == 422


def test_create_with_defaults(client: Any) -> None:
    response = client.post("/gadgets", json={"name": "lamp", "price": 12.5})
    assert response.status_code == 200
    assert response.json() == {"name": "lamp", "summary": None, "price": 12.5, "weight_kg": None}


def test_model_used_inside_function(client: Any) -> None:
    response = client.post("/gadgets", json={"name": "desk", "price": 99, "weight_kg": 20})
    assert response.json()["shipping"] == 50.0


def test_body_path_and_query_together(client: Any) -> None:
    response = client.put("/gadgets/7?reason=refresh", json={"name": "fan", "price": 3})
    assert response.status_code == 200
    assert response.json() == {
        "gadget_id": 7,
        "name": "fan",
        "summary": None,
        "price": 3.0,
        "weight_kg": None,
        "reason": "refresh",
    }


def test_invalid_field(client: Any) -> None:
    response = client.post("/gadgets", json={"name": "x", "price": "cheap"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "float_parsing",
                "loc": ["body", "price"],
                "msg": "Input should be a valid number, unable to parse string as a number",
                "input": "cheap",
            }
        ]
    }


def test_missing_body(client: Any) -> None:
    response = client.post("/gadgets")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [{"type": "missing", "loc": ["body"], "msg": "Field required", "input": None}]
    }


def test_malformed_json(client: Any) -> None:
    response = client.post(
        "/gadgets", content=b'{"name": "x",', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail[0]["type"] == "json_invalid"
    assert detail[0]["loc"] == ["body", 13]


def test_openapi_request_body(client: Any) -> None:
    assert operation(client, "/gadgets", "post")["requestBody"] == {
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Gadget"}}},
        "required": True,
    }
    assert openapi(client)["components"]["schemas"]["Gadget"] == {
        "properties": {
            "name": {"type": "string", "title": "Name"},
            "summary": {"anyOf": [{"type": "string"}, {"type": "null"}], "title": "Summary"},
            "price": {"type": "number", "title": "Price"},
            "weight_kg": {"anyOf": [{"type": "number"}, {"type": "null"}], "title": "Weight Kg"},
        },
        "type": "object",
        "required": ["name", "price"],
        "title": "Gadget",
    }
