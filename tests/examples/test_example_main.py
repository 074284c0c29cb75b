"""The example API that ``scripts/serve`` serves (``examples/main.py``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.examples._load import load_example
from zephyr.testclient import TestClient


@pytest.fixture()
def client() -> Iterator[TestClient]:
    with TestClient(load_example("main").app) as client:
        yield client


def test_index_links_to_items(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.json() == {"service": "zephyr example", "items": "http://testserver/items"}


def test_create_then_read_and_filter(client: TestClient) -> None:
    created = client.post("/items", json={"name": "widget", "price": 9.99, "tags": ["a"]})
    assert created.status_code == 201
    assert created.json() == {"name": "widget", "price": 9.99, "tags": ["a"], "id": 2}
    assert client.get("/items/2").json()["name"] == "widget"
    assert [i["id"] for i in client.get("/items", params={"tag": "kitchen"}).json()] == [1]
    assert len(client.get("/items", params={"limit": 1}).json()) == 1


def test_invalid_input_names_the_field(client: TestClient) -> None:
    response = client.post("/items", json={"name": "", "price": -1})
    assert response.status_code == 422
    locs = [error["loc"] for error in response.json()["detail"]]
    assert locs == [["body", "name"], ["body", "price"]]
    response = client.get("/items", params={"limit": 0})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "limit"]


def test_undecodable_json_body_is_400(client: TestClient) -> None:
    body = bytes.fromhex("551e2313ff5dfe")  # not UTF-8: json.loads used to raise -> 500
    response = client.post("/items", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json() == {"detail": "There was an error parsing the body"}


def test_missing_item_is_404(client: TestClient) -> None:
    response = client.get("/items/99")
    assert response.status_code == 404
    assert response.json() == {"detail": "Item not found"}


def test_openapi_lists_the_operations(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert set(paths) == {"/", "/items", "/items/{item_id}"}
    assert set(paths["/items"]) == {"get", "post"}
