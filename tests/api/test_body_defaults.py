"""Defaults of body and query parameters: validated on request, reported by key.

``validate_default=True`` sends the default through validation like a sent
value, and a failing default is reported under the parameter's request key.
An embedded JSON body that is not an object holds none of its fields. A
validation alias with an ``AliasPath`` names no request key: the parameter is
read under its name.
"""

from typing import Annotated, Any

from pydantic import AliasChoices, AliasPath, Field

from zephyr import Body, Query, Zephyr
from zephyr.testclient import TestClient


def test_failing_default_is_reported_under_the_request_key() -> None:
    app = Zephyr()

    @app.get("/")
    def read(limit: Annotated[int, Query(alias="max", ge=1, validate_default=True)] = 0) -> int:
        return limit

    response = TestClient(app).get("/")
    assert response.status_code == 422
    assert [(e["type"], e["loc"]) for e in response.json()["detail"]] == [
        ("greater_than_equal", ["query", "max"])
    ]
    assert TestClient(app).get("/?max=3").json() == 3


def test_plain_field_constraints_apply_to_inferred_parameters() -> None:
    app = Zephyr()

    @app.post("/")
    def read(
        ids: Annotated[list[int], Field(default_factory=list, min_length=1, validate_default=True)],
        page: Annotated[int, Field(gt=0)] = 1,
    ) -> dict[str, Any]:
        return {"ids": ids, "page": page}

    client = TestClient(app)
    response = client.post("/")
    assert response.status_code == 422
    assert [(e["type"], e["loc"]) for e in response.json()["detail"]] == [("too_short", ["body"])]
    assert client.post("/?page=0", json=[1]).json()["detail"][0]["loc"] == ["query", "page"]
    assert client.post("/?page=2", json=[1]).json() == {"ids": [1], "page": 2}


def test_embedded_body_that_is_not_an_object_misses_every_field() -> None:
    app = Zephyr()

    @app.post("/")
    def read(
        first: Annotated[int | None, Body()] = 1, second: Annotated[int | None, Body()] = 2
    ) -> list[int | None]:
        return [first, second]

    client = TestClient(app)
    response = client.post("/", content="null", headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert [(e["type"], e["loc"], e["input"]) for e in response.json()["detail"]] == [
        ("missing", ["body", "first"], None),
        ("missing", ["body", "second"], None),
    ]
    assert client.post("/", json={}).json() == [1, 2]
    assert client.post("/").json() == [1, 2]


def test_alias_path_in_a_validation_alias_reads_the_name() -> None:
    app = Zephyr()

    @app.post("/")
    def read(
        value: Annotated[
            int, Body(embed=True, validation_alias=AliasChoices("other", AliasPath("a", "b")))
        ],
    ) -> int:
        return value

    response = TestClient(app).post("/", json={"value": 1, "other": 2, "a": {"b": 3}})
    assert response.json() == 1
