"""fastapi-versioning on zephyr: ``VersionedFastAPI`` mounts one app per ``@version``.

The library reads the app's routes, appends them to each version's new
``FastAPI`` with ``router.routes.append(...)`` (a later version keeps the
earlier versions' routes it does not replace) and mounts that app under
``/v{major}_{minor}``; each mounted app serves its own ``/docs`` and
``/openapi.json`` under the mount's root path.
"""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import Depends, FastAPI, Header
from fastapi_versioning import VersionedFastAPI, version
from pydantic import BaseModel

from .conftest import Serve


class Item(BaseModel):
    name: str


class ItemV2(BaseModel):
    name: str
    tags: list[str]


def agent(user_agent: str = Header("")) -> str:
    return user_agent


def _app() -> FastAPI:
    app = FastAPI(title="Shop")

    @app.get("/items/{item_id}")
    def item_v1(item_id: int) -> Item:
        return Item(name=f"item{item_id}")

    @app.get("/items/{item_id}")
    @version(2)
    def item_v2(item_id: int, tag: str = "new") -> ItemV2:
        return ItemV2(name=f"item{item_id}", tags=[tag])

    @app.get("/hello")
    @version(1, 1)
    async def hello(who: str = Depends(agent)) -> dict[str, str]:
        return {"hello": who}

    @app.post("/orders", status_code=201)
    @version(2)
    async def order(item: Item) -> dict[str, Any]:
        return {"ordered": item.name}

    return VersionedFastAPI(app, version_format="{major}.{minor}", enable_latest=True)


def _paths(schema: dict[str, Any]) -> dict[str, set[str]]:
    return {path: set(ops) for path, ops in schema["paths"].items()}


def test_each_version_answers_under_its_prefix(serve: Serve) -> None:
    url = serve(_app())
    with httpx.Client(base_url=url, headers={"user-agent": "tester"}) as client:
        v1 = client.get("/v1_0/items/3")
        v1_bad = client.get("/v1_0/items/three")
        v1_1_item = client.get("/v1_1/items/3")
        v1_1_hello = client.get("/v1_1/hello")
        v1_hello = client.get("/v1_0/hello")
        v2 = client.get("/v2_0/items/3", params={"tag": "sale"})
        v2_hello = client.get("/v2_0/hello")
        v2_order = client.post("/v2_0/orders", json={"name": "pen"})
        v1_order = client.post("/v1_0/orders", json={"name": "pen"})
        latest = client.get("/latest/items/4")
        latest_order = client.post("/latest/orders", json={"name": "cup"})
        unversioned = client.get("/items/3")
    assert v1.json() == {"name": "item3"}
    assert v1_bad.status_code == 422
    assert v1_bad.json()["detail"][0]["loc"] == ["path", "item_id"]
    assert v1_1_item.json() == {"name": "item3"}  # 1.1 keeps 1.0's route
    assert v1_1_hello.json() == {"hello": "tester"}
    assert v1_hello.status_code == 404
    assert v2.json() == {"name": "item3", "tags": ["sale"]}
    assert v2_hello.json() == {"hello": "tester"}
    assert v2_order.status_code == 201
    assert v2_order.json() == {"ordered": "pen"}
    assert v1_order.status_code == 404
    assert latest.json() == {"name": "item4", "tags": ["new"]}
    assert latest_order.json() == {"ordered": "cup"}
    assert unversioned.status_code == 404


def test_each_version_has_its_own_docs_and_schema(serve: Serve) -> None:
    url = serve(_app())
    with httpx.Client(base_url=url) as client:
        v1 = client.get("/v1_0/openapi.json")
        v2 = client.get("/v2_0/openapi.json")
        latest = client.get("/latest/openapi.json")
        docs = client.get("/v2_0/docs")
        parent = client.get("/openapi.json")
    assert v1.status_code == v2.status_code == latest.status_code == 200
    v1_schema, v2_schema = v1.json(), v2.json()
    assert v1_schema["info"] == {"title": "Shop", "version": "1.0"}
    assert v2_schema["info"] == {"title": "Shop", "version": "2.0"}
    assert latest.json()["info"]["version"] == "2.0"
    # Each mounted app names its mount as its server (root_path_in_servers).
    assert v1_schema["servers"] == [{"url": "/v1_0"}]
    assert v2_schema["servers"] == [{"url": "/v2_0"}]
    assert latest.json()["servers"] == [{"url": "/latest"}]
    assert _paths(v1_schema) == {"/items/{item_id}": {"get"}}
    assert _paths(v2_schema) == {
        "/items/{item_id}": {"get"},
        "/hello": {"get"},
        "/orders": {"post"},
    }
    v2_params = v2_schema["paths"]["/items/{item_id}"]["get"]["parameters"]
    assert {p["name"] for p in v2_params} == {"item_id", "tag"}
    assert set(v2_schema["components"]["schemas"]) >= {"Item", "ItemV2"}
    assert "ItemV2" not in v1_schema.get("components", {}).get("schemas", {})

    assert docs.status_code == 200
    assert docs.headers["content-type"].startswith("text/html")
    assert "/v2_0/openapi.json" in docs.text

    # The parent app lists every version's docs and schema routes.
    parent_paths = parent.json()["paths"]
    for prefix in ("/v1_0", "/v1_1", "/v2_0"):
        assert f"{prefix}/openapi.json" in parent_paths
        assert f"{prefix}/docs" in parent_paths
