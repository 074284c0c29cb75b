"""Where a parameter declared without ``Query()``/``Body()``... is read from.

A scalar is a query parameter; a list, even of scalars, is the JSON body, as
in FastAPI: a list in the query string has to say so with ``Query()``.
"""

from typing import Annotated

from zephyr import Query, Zephyr
from zephyr.testclient import TestClient


def test_bare_list_of_scalars_is_the_body() -> None:
    app = Zephyr()

    @app.post("/")
    def total(numbers: list[int]) -> int:
        return sum(numbers)

    client = TestClient(app)
    assert client.post("/", json=[1, 2, 3]).json() == 6
    response = client.post("/?numbers=1&numbers=2")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body"]
    operation = app.openapi()["paths"]["/"]["post"]
    assert "parameters" not in operation
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert schema == {"type": "array", "items": {"type": "integer"}, "title": "Numbers"}


def test_list_in_the_query_says_query() -> None:
    app = Zephyr()

    @app.get("/")
    def total(numbers: Annotated[list[int], Query()]) -> int:
        return sum(numbers)

    assert TestClient(app).get("/?numbers=1&numbers=2").json() == 3
