"""Example API served by ``scripts/serve``: a small in-memory item catalogue.

Written exactly as a FastAPI app would be, with ``zephyr`` in the imports:
typed parameters, Pydantic models, dependencies, lifespan state and OpenAPI
docs at ``/docs``.

    curl http://127.0.0.1:8000/
    curl 'http://127.0.0.1:8000/items?tag=kitchen&limit=10'
    curl -X POST http://127.0.0.1:8000/items -H 'content-type: application/json' \\
         -d '{"name": "widget", "price": 9.99, "tags": ["a"]}'
    curl http://127.0.0.1:8000/items/1
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from pydantic import BaseModel, Field

from zephyr import Depends, FastAPI, HTTPException, Query, Request, status


class ItemIn(BaseModel):
    """What a client sends to create an item."""

    name: str = Field(min_length=1, max_length=100)
    price: float = Field(gt=0)
    tags: list[str] = []


class Item(ItemIn):
    """A stored item."""

    id: int


class Message(BaseModel):
    """An error answer other than a validation error."""

    detail: str


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


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Catalogue]]:
    catalogue = Catalogue()
    catalogue.add(ItemIn(name="teapot", price=18.5, tags=["kitchen"]))
    yield {"catalogue": catalogue}


def get_catalogue(request: Request) -> Catalogue:
    catalogue: Catalogue = request.state.catalogue
    return catalogue


CatalogueDep = Annotated[Catalogue, Depends(get_catalogue)]

app = FastAPI(title="zephyr example", version="1.0.0", lifespan=lifespan)


@app.get("/")
async def index(request: Request) -> dict[str, str]:
    return {"service": "zephyr example", "items": str(request.url_for("list_items"))}


@app.get("/items", name="list_items")
async def list_items(
    catalogue: CatalogueDep,
    tag: str | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[Item]:
    items = [item for item in catalogue.items.values() if tag is None or tag in item.tags]
    return items[:limit]


@app.get("/items/{item_id}", responses={404: {"model": Message, "description": "No such item"}})
async def get_item(item_id: int, catalogue: CatalogueDep) -> Item:
    item = catalogue.items.get(item_id)
    if item is None:
        raise HTTPException(status_code=404, detail="Item not found")
    return item


@app.post(
    "/items",
    status_code=status.HTTP_201_CREATED,
    responses={400: {"model": Message, "description": "The body is not JSON text"}},
)
async def create_item(item: ItemIn, catalogue: CatalogueDep) -> Item:
    return catalogue.add(item)
