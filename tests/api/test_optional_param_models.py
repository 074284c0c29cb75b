"""Optional parameter models: ``Annotated[Filters | None, Query()] = None``.

FastAPI reads a parameter model from the query (or headers, cookies) field by
field. Declared optional, it is ``None`` when the request carries none of its
fields, and validated as the model as soon as one is there; without a default
it is required.
"""

from typing import Annotated

from pydantic import BaseModel

from zephyr import Cookie, Header, Query, Zephyr
from zephyr.testclient import TestClient


class Filters(BaseModel):
    start: int
    end: int
    label: str = "default"


def make_app() -> Zephyr:
    app = Zephyr()

    @app.get("/query")
    def query(filters: Annotated[Filters | None, Query()] = None) -> Filters | None:
        return filters

    @app.get("/required")
    def required(filters: Annotated[Filters | None, Query()]) -> Filters | None:
        return filters

    @app.get("/headers")
    def headers(filters: Annotated[Filters | None, Header()] = None) -> Filters | None:
        return filters

    @app.get("/cookies")
    def cookies(filters: Annotated[Filters | None, Cookie()] = None) -> Filters | None:
        return filters

    return app


def test_no_field_present_gives_none() -> None:
    client = TestClient(make_app())
    for path in ("/query", "/headers", "/cookies"):
        response = client.get(path)
        assert response.status_code == 200, (path, response.text)
        assert response.json() is None


def test_one_field_present_validates_the_model() -> None:
    client = TestClient(make_app())
    ok = client.get("/query", params={"start": "1", "end": "2"})
    assert ok.json() == {"start": 1, "end": 2, "label": "default"}
    partial = client.get("/query", params={"label": "x"})
    assert partial.status_code == 422
    assert [e["loc"] for e in partial.json()["detail"]] == [["query", "start"], ["query", "end"]]
    headers = client.get("/headers", headers={"start": "3", "end": "4"})
    assert headers.json() == {"start": 3, "end": 4, "label": "default"}


def test_without_a_default_the_model_is_required() -> None:
    response = TestClient(make_app()).get("/required")
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "missing"
