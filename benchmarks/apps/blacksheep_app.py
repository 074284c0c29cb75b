"""Benchmark app on BlackSheep: route decorators, typed parameters, ``FromJSON`` Pydantic body.

The asyncpg pool is registered as a service in the app's lifespan and injected
into handlers by type. BlackSheep has no request-scoped dependency chains of
the FastAPI kind, so ``/deps`` and ``/nodeps`` are not served; invalid input
answers 400 (its convention).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
from blacksheep import Application, FromJSON, Response, get, html, json, post, text
from pydantic import BaseModel

from benchmarks.apps import _common as te

app = Application()


class Item(BaseModel):
    name: str
    price: float
    tags: list[str] = []


@app.lifespan
async def db_pool() -> AsyncIterator[None]:
    pool = await asyncpg.create_pool(te.DSN, min_size=0, max_size=te.POOL_SIZE)
    app.services.add_instance(pool, asyncpg.Pool)
    yield
    await pool.close()


@get("/plaintext")
async def plaintext() -> Response:
    return text("Hello, World!")


@get("/json")
async def json_endpoint() -> Response:
    return json({"message": "Hello, World!"})


@get("/db")
async def single_query(pool: asyncpg.Pool) -> Response:
    async with pool.acquire() as conn:
        row = await conn.fetchrow(te.SELECT_WORLD, te.random_id())
    return json({"id": row[0], "randomNumber": row[1]})


@get("/queries")
async def multiple_queries(pool: asyncpg.Pool, queries: str | None = None) -> Response:
    async with pool.acquire() as conn:
        statement = await conn.prepare(te.SELECT_WORLD)
        rows = [await statement.fetchrow(te.random_id()) for _ in range(te.parse_queries(queries))]
    return json([{"id": row[0], "randomNumber": row[1]} for row in rows])


@get("/fortunes")
async def fortunes(pool: asyncpg.Pool) -> Response:
    async with pool.acquire() as conn:
        rows = [tuple(row) for row in await conn.fetch(te.SELECT_FORTUNES)]
    return html(te.render_fortunes(rows))


@get("/updates")
async def updates(pool: asyncpg.Pool, queries: str | None = None) -> Response:
    async with pool.acquire() as conn:
        statement = await conn.prepare(te.SELECT_WORLD)
        worlds = []
        for _ in range(te.parse_queries(queries)):
            row = await statement.fetchrow(te.random_id())
            worlds.append({"id": row[0], "randomNumber": te.random_id()})
        batch = sorted((w["id"], w["randomNumber"]) for w in worlds)
        await conn.executemany(te.UPDATE_WORLD, batch)
    return json(worlds)


@get("/items/{item_id}")
async def read_item(item_id: int, q: str | None = None, limit: int = 10) -> Response:
    return json({"item_id": item_id, "q": q, "limit": limit})


@post("/items")
async def create_item(item: FromJSON[Item]) -> Response:
    return json(item.value.model_dump())


@get("/io")
async def io_bound() -> Response:
    await asyncio.sleep(te.IO_SECONDS)
    return json({"value": 100})
