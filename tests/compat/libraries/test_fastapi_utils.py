"""fastapi-utils on a zephyr app: class-based views, ``Resource``/``Api`` and ``repeat_every``.

``@cbv(router)`` takes the router's routes for the class's methods out of it,
gives each endpoint a new ``__signature__`` (``self`` defaulting to
``Depends(cls)``, whose own signature is made from the class's annotated
attributes) and includes them again through a fresh router; the routes must
be built from the edited signatures, and OpenAPI must not list ``self``.
"""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException
from fastapi_utils import Api, Resource, set_responses
from fastapi_utils.cbv import cbv
from fastapi_utils.tasks import repeat_every
from pydantic import BaseModel

from .conftest import Serve


class Item(BaseModel):
    name: str
    price: float


def _parameters(schema: dict[str, Any], path: str, method: str) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in schema["paths"][path][method].get("parameters", [])}


def test_class_based_view_shares_its_dependencies(serve: Serve) -> None:
    sessions: list[str] = []

    def get_session(x_user: str = Header()) -> str:
        sessions.append(x_user)
        return f"session-of-{x_user}"

    router = APIRouter(prefix="/shop")
    store: dict[int, Item] = {}

    @cbv(router)
    class ItemView:
        session: str = Depends(get_session)
        tag: str = "default"  # a plain default: a query parameter of the view

        @router.get("/items/{item_id}")
        def read(self, item_id: int, verbose: bool = False) -> dict[str, Any]:
            if item_id not in store:
                raise HTTPException(404, "no such item")
            body: dict[str, Any] = {"item": store[item_id].model_dump(), "session": self.session}
            if verbose:
                body["tag"] = self.tag
            return body

        @router.post("/items/{item_id}", status_code=201)
        async def create(self, item_id: int, item: Item) -> dict[str, Any]:
            store[item_id] = item
            return {"created": item_id, "session": self.session}

    app = FastAPI()
    app.include_router(router)
    url = serve(app)
    with httpx.Client(base_url=url, headers={"x-user": "ann"}) as client:
        created = client.post("/shop/items/1", json={"name": "pen", "price": 1.5})
        read = client.get("/shop/items/1", params={"verbose": True, "tag": "sale"})
        plain = client.get("/shop/items/1", headers={"x-user": "bob"})
        missing = client.get("/shop/items/2")
        anonymous = httpx.get(f"{url}/shop/items/1")
        bad_body = client.post("/shop/items/3", json={"name": "cup"})
        schema = client.get("/openapi.json").json()

    assert created.status_code == 201
    assert created.json() == {"created": 1, "session": "session-of-ann"}
    assert read.json() == {
        "item": {"name": "pen", "price": 1.5},
        "session": "session-of-ann",
        "tag": "sale",
    }
    assert plain.json() == {"item": {"name": "pen", "price": 1.5}, "session": "session-of-bob"}
    assert missing.status_code == 404
    assert missing.json() == {"detail": "no such item"}
    assert anonymous.status_code == 422
    assert anonymous.json()["detail"][0]["loc"] == ["header", "x-user"]
    assert bad_body.status_code == 422
    assert bad_body.json()["detail"][0]["loc"] == ["body", "price"]
    # The view's dependencies are solved before the body is read (FastAPI's order).
    assert sessions == ["ann", "ann", "bob", "ann", "ann"]

    get = _parameters(schema, "/shop/items/{item_id}", "get")
    post = _parameters(schema, "/shop/items/{item_id}", "post")
    assert set(get) == {"item_id", "verbose", "tag", "x-user"}
    assert set(post) == {"item_id", "tag", "x-user"}
    assert get["item_id"]["in"] == "path" and get["x-user"]["in"] == "header"
    assert get["tag"]["schema"]["default"] == "default"
    assert "self" not in get and "self" not in post
    assert schema["paths"]["/shop/items/{item_id}"]["post"]["requestBody"]["required"] is True
    assert "201" in schema["paths"]["/shop/items/{item_id}"]["post"]["responses"]
    assert [r.name for r in app.routes if getattr(r, "path", "").startswith("/shop")] == [
        "ItemView.read",
        "ItemView.create",
    ]


def test_resource_methods_become_routes(serve: Serve) -> None:
    class Counter(Resource):
        def __init__(self, start: int) -> None:
            self.count = start

        def get(self) -> dict[str, int]:
            return {"count": self.count}

        @set_responses(dict[str, int], 201)
        def post(self, step: int = 1) -> dict[str, int]:
            self.count += step
            return {"count": self.count}

    app = FastAPI()
    api = Api(app)
    counter = Counter(10)
    api.add_resource(counter, "/counter")
    url = serve(app)
    with httpx.Client(base_url=url) as client:
        before = client.get("/counter")
        bumped = client.post("/counter", params={"step": 5})
        after = client.get("/counter")
        wrong = client.put("/counter")
        schema = client.get("/openapi.json").json()
    assert before.json() == {"count": 10}
    assert bumped.status_code == 201
    assert bumped.json() == {"count": 15}
    assert after.json() == {"count": 15}
    assert counter.count == 15  # the resource instance itself serves every request
    assert wrong.status_code == 405
    assert set(schema["paths"]["/counter"]) == {"get", "post"}
    assert _parameters(schema, "/counter", "get") == {}
    assert set(_parameters(schema, "/counter", "post")) == {"step"}


def test_inferring_router_is_fastapis_router(serve: Serve) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from fastapi_utils.inferring_router import InferringRouter

    router = InferringRouter()

    @router.get("/price")
    def price() -> Item:
        return Item(name="pen", price=2)

    app = FastAPI()
    app.include_router(router)
    url = serve(app)
    with httpx.Client(base_url=url) as client:
        answer = client.get("/price").json()
        schema = client.get("/openapi.json").json()
    assert answer == {"name": "pen", "price": 2.0}
    ok = schema["paths"]["/price"]["get"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Item"}


def test_repeat_every_runs_from_the_lifespan(serve: Serve) -> None:
    ticks: list[int] = []
    done = asyncio.Event()

    async def finished() -> None:
        done.set()

    @repeat_every(seconds=0.01, max_repetitions=3, on_complete=finished)
    async def tick() -> None:
        ticks.append(len(ticks))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await tick()
        yield

    app = FastAPI(lifespan=lifespan)

    @app.get("/ticks")
    async def read_ticks() -> dict[str, Any]:
        await asyncio.wait_for(done.wait(), 5)
        return {"ticks": ticks}

    url = serve(app)
    assert httpx.get(f"{url}/ticks").json() == {"ticks": [0, 1, 2]}
