"""Benchmark app on zephyr; ``fastapi_api.py`` is the same source on FastAPI.

Endpoints: ``GET /plaintext``, ``GET /json``, ``GET /items/{item_id}``,
``POST /items`` (validated body echoed back), ``GET /deps`` (three-level
dependency chain) and ``GET /nodeps`` (the same answer without dependencies).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel

from zephyr import Depends, FastAPI
from zephyr.responses import PlainTextResponse

app = FastAPI()


class Item(BaseModel):
    name: str
    price: float
    tags: list[str] = []


@app.get("/plaintext", response_class=PlainTextResponse)
async def plaintext() -> PlainTextResponse:
    return PlainTextResponse("Hello, World!")


@app.get("/json")
async def json_endpoint():
    return {"message": "Hello, World!"}


@app.get("/items/{item_id}")
async def read_item(item_id: int, q: str | None = None, limit: int = 10):
    return {"item_id": item_id, "q": q, "limit": limit}


@app.post("/items")
async def create_item(item: Item) -> Item:
    return item


async def first(x: int = 1) -> int:
    return x


async def second(a: Annotated[int, Depends(first)]) -> int:
    return a + 1


async def third(b: Annotated[int, Depends(second)]) -> int:
    return b + 1


@app.get("/deps")
async def deps(c: Annotated[int, Depends(third)]):
    return {"value": c}


@app.get("/nodeps")
async def nodeps(x: int = 1):
    # The /deps route without its dependencies: same input, same answer.
    return {"value": x + 2}
