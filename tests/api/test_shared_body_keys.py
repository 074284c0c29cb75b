"""A body parameter declared again by a dependency is one body value, read once.

``item: Item`` in the endpoint and ``item: Item`` in one of its dependencies
name the same key: the route has one body parameter, so (not embedded) the
whole JSON body is that item, and both receive the same validated value.
"""

from typing import Any

from pydantic import BaseModel

from zephyr import Depends, Zephyr
from zephyr.testclient import TestClient


class Item(BaseModel):
    name: str


def same_item(item: Item) -> Item:
    return item


def nested(item: Item, inner: Item = Depends(same_item)) -> list[Item]:
    return [item, inner]


def _app() -> Zephyr:
    app = Zephyr()

    @app.post("/direct")
    async def direct(item: Item, again: Item = Depends(same_item)) -> list[Any]:
        return [item.name, again.name, item is again]

    @app.post("/nested")
    async def through(item: Item, both: list[Item] = Depends(nested)) -> list[Any]:
        return [item.name, *(i.name for i in both)]

    return app


def test_one_shared_key_is_the_whole_body() -> None:
    client = TestClient(_app())
    assert client.post("/direct", json={"name": "a"}).json() == ["a", "a", True]
    assert client.post("/nested", json={"name": "b"}).json() == ["b", "b", "b"]


def test_the_shared_key_is_reported_once_and_documented_once() -> None:
    app = _app()
    client = TestClient(app)
    errors = client.post("/direct", json={}).json()["detail"]
    assert [error["loc"] for error in errors] == [["body", "name"]]
    body = app.openapi()["paths"]["/direct"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Item"}
