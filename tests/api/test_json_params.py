"""``Json[...]`` parameters: one value holding a JSON text, whatever the JSON holds.

``Json[list[int]]`` in a query, header, cookie or form field is *not* a
repeated-key list: the single value is parsed as JSON and validated.
``Json[Model]`` is likewise one parameter, not a parameter model whose fields
are read from the location.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import pytest
from pydantic import BaseModel, Json

from zephyr import Cookie, Form, Header, Query, Zephyr
from zephyr.testclient import TestClient


class Window(BaseModel):
    start: int
    end: int


def _app() -> Zephyr:
    app = Zephyr()

    @app.get("/query")
    def in_query(ids: Annotated[Json[list[int]], Query()]) -> list[int]:
        return ids

    @app.get("/header")
    def in_header(x_ids: Annotated[Json[list[int]], Header()]) -> list[int]:
        return x_ids

    @app.get("/cookie")
    def in_cookie(ids: Annotated[Json[list[int]], Cookie()]) -> list[int]:
        return ids

    @app.post("/form")
    def in_form(ids: Annotated[Json[list[int]], Form()]) -> list[int]:
        return ids

    @app.get("/window")
    def window(w: Annotated[Json[Window], Query()], page: int = 1) -> dict[str, Any]:
        return {"span": w.end - w.start, "page": page}

    return app


@pytest.mark.parametrize("where", ["query", "header", "cookie", "form"])
def test_json_list_is_one_value(where: str) -> None:
    client = TestClient(_app())
    text = json.dumps([3, 1, 2])
    if where == "query":
        response = client.get("/query", params={"ids": text})
    elif where == "header":
        response = client.get("/header", headers={"x-ids": text})
    elif where == "cookie":
        response = client.get("/cookie", headers={"cookie": f"ids={text}"})
    else:
        response = client.post("/form", data={"ids": text})
    assert response.status_code == 200, response.text
    assert response.json() == [3, 1, 2]


def test_invalid_json_is_a_422() -> None:
    response = TestClient(_app()).get("/query", params={"ids": "[1,"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "json_invalid"
    assert response.json()["detail"][0]["loc"] == ["query", "ids"]


def test_json_model_is_one_parameter() -> None:
    app = _app()
    client = TestClient(app)
    response = client.get("/window", params={"w": '{"start": 2, "end": 9}', "page": "3"})
    assert response.json() == {"span": 7, "page": 3}
    # Fields of the model are not read as parameters of their own.
    assert client.get("/window", params={"start": "2", "end": "9"}).status_code == 422
    names = [p["name"] for p in app.openapi()["paths"]["/window"]["get"]["parameters"]]
    assert names == ["w", "page"]
