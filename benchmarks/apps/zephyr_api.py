"""Benchmark app on zephyr; ``fastapi_api.py`` is the same source on FastAPI.

Only the import block differs between the two files (a test keeps it so).
See ``fastapi_api.py`` for the endpoints.
"""

from __future__ import annotations

from zephyr import Depends, FastAPI, Request
from zephyr.responses import HTMLResponse, PlainTextResponse

# isort: split
# End of the framework imports: the rest of this file is identical in fastapi_api.py.
import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from pydantic import BaseModel

from benchmarks.apps import _common as te


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.pool = await te.open_pool()
    yield
    await app.state.pool.close()


app = FastAPI(lifespan=lifespan)


class Item(BaseModel):
    name: str
    price: float
    tags: list[str] = []


def get_pool(request: Request) -> Any:
    return request.app.state.pool


# An asyncpg.Pool; typed Any so that the API tests import this module without asyncpg.
Pool = Annotated[Any, Depends(get_pool)]


@app.get("/plaintext", response_class=PlainTextResponse)
async def plaintext() -> PlainTextResponse:
    return PlainTextResponse("Hello, World!")


@app.get("/json")
async def json_endpoint():
    return {"message": "Hello, World!"}


@app.get("/db")
async def single_query(pool: Pool):
    async with pool.acquire() as conn:
        row = await conn.fetchrow(te.SELECT_WORLD, te.random_id())
    return {"id": row[0], "randomNumber": row[1]}


@app.get("/queries")
async def multiple_queries(pool: Pool, queries: str | None = None):
    async with pool.acquire() as conn:
        statement = await conn.prepare(te.SELECT_WORLD)
        rows = [await statement.fetchrow(te.random_id()) for _ in range(te.parse_queries(queries))]
    return [{"id": row[0], "randomNumber": row[1]} for row in rows]


@app.get("/fortunes", response_class=HTMLResponse)
async def fortunes(pool: Pool) -> HTMLResponse:
    async with pool.acquire() as conn:
        rows = [tuple(row) for row in await conn.fetch(te.SELECT_FORTUNES)]
    return HTMLResponse(te.render_fortunes(rows))


@app.get("/updates")
async def updates(pool: Pool, queries: str | None = None):
    async with pool.acquire() as conn:
        statement = await conn.prepare(te.SELECT_WORLD)
        worlds = []
        for _ in range(te.parse_queries(queries)):
            row = await statement.fetchrow(te.random_id())
            worlds.append({"id": row[0], "randomNumber": te.random_id()})
        # Sorted ids: concurrent batches lock rows in the same order (no deadlocks).
        batch = sorted((w["id"], w["randomNumber"]) for w in worlds)
        await conn.executemany(te.UPDATE_WORLD, batch)
    return worlds


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
    return {"value": x + 2}


@app.get("/io")
async def io_bound():
    await asyncio.sleep(te.IO_SECONDS)
    return {"value": 100}
