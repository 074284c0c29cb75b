"""Example API served by ``scripts/serve``: a small in-memory item catalogue.

Uses zephyr's toolkit layer (routes, requests, responses, lifespan) and
Pydantic for validation.

    curl http://127.0.0.1:8000/
    curl http://127.0.0.1:8000/items
    curl -X POST http://127.0.0.1:8000/items -H 'content-type: application/json' \\
         -d '{"name": "widget", "price": 9.99, "tags": ["a"]}'
    curl http://127.0.0.1:8000/items/1
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, TypedDict

from pydantic import BaseModel, Field, ValidationError

from zephyr.applications import Zephyr
from zephyr.exceptions import HTTPException
from zephyr.requests import Request
from zephyr.responses import JSONResponse, Response
from zephyr.routing import Route


class ItemIn(BaseModel):
    """What a client sends to create an item."""

    name: str = Field(min_length=1, max_length=100)
    price: float = Field(gt=0)
    tags: list[str] = []


class Item(ItemIn):
    """A stored item."""

    id: int


class Catalogue:
    """An in-memory store; a real service would keep this in a database."""

    def __init__(self) -> None:
        self.items: dict[int, Item] = {}
        self._next_id = 1

    def add(self, item: ItemIn) -> Item:
        stored = Item(id=self._next_id, **item.model_dump())
        self.items[stored.id] = stored
        self._next_id += 1
        return stored


class State(TypedDict):
    catalogue: Catalogue


@asynccontextmanager
async def lifespan(app: Zephyr) -> AsyncIterator[State]:
    catalogue = Catalogue()
    catalogue.add(ItemIn(name="teapot", price=18.5, tags=["kitchen"]))
    yield {"catalogue": catalogue}


async def index(request: Request) -> Response:
    return JSONResponse({"service": "zephyr example", "items": str(request.url_for("list_items"))})


async def list_items(request: Request) -> Response:
    catalogue: Catalogue = request.state.catalogue
    return JSONResponse([item.model_dump() for item in catalogue.items.values()])


async def get_item(request: Request) -> Response:
    catalogue: Catalogue = request.state.catalogue
    item = catalogue.items.get(request.path_params["item_id"])
    if item is None:
        raise HTTPException(status_code=404, detail="Item not found")
    return JSONResponse(item.model_dump())


async def create_item(request: Request) -> Response:
    try:
        item_in = ItemIn.model_validate_json(await request.body())
    except ValidationError as exc:
        errors: list[dict[str, Any]] = exc.errors(include_url=False, include_context=False)
        for error in errors:
            error["loc"] = ["body", *error["loc"]]
        return JSONResponse({"detail": errors}, status_code=422)
    catalogue: Catalogue = request.state.catalogue
    return JSONResponse(catalogue.add(item_in).model_dump(), status_code=201)


app = Zephyr(
    routes=[
        Route("/", index),
        Route("/items", list_items, methods=["GET"], name="list_items"),
        Route("/items", create_item, methods=["POST"]),
        Route("/items/{item_id:int}", get_item, methods=["GET"]),
    ],
    lifespan=lifespan,
)
