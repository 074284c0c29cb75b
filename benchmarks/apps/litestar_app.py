"""Benchmark app on Litestar: handler decorators, Pydantic body, ``Provide`` dependencies.

Litestar answers invalid input with 400 (its convention), which the verifier
accepts as a rejection.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from litestar import Litestar, MediaType, Request, Response, get, post
from litestar.di import Provide
from pydantic import BaseModel

from benchmarks.apps import _common as te


class Item(BaseModel):
    name: str
    price: float
    tags: list[str] = []


def _pool(request: Request[Any, Any, Any]) -> asyncpg.Pool:
    return request.app.state.pool


@get("/plaintext", media_type=MediaType.TEXT)
async def plaintext() -> str:
    return "Hello, World!"


@get("/json")
async def json_endpoint() -> dict[str, str]:
    return {"message": "Hello, World!"}


@get("/db")
async def single_query(request: Request[Any, Any, Any]) -> dict[str, int]:
    async with _pool(request).acquire() as conn:
        row = await conn.fetchrow(te.SELECT_WORLD, te.random_id())
    return {"id": row[0], "randomNumber": row[1]}


@get("/queries")
async def multiple_queries(
    request: Request[Any, Any, Any], queries: str | None = None
) -> list[dict[str, int]]:
    async with _pool(request).acquire() as conn:
        statement = await conn.prepare(te.SELECT_WORLD)
        rows = [await statement.fetchrow(te.random_id()) for _ in range(te.parse_queries(queries))]
    return [{"id": row[0], "randomNumber": row[1]} for row in rows]


@get("/fortunes")
async def fortunes(request: Request[Any, Any, Any]) -> Response[str]:
    async with _pool(request).acquire() as conn:
        rows = [tuple(row) for row in await conn.fetch(te.SELECT_FORTUNES)]
    return Response(te.render_fortunes(rows), media_type=MediaType.HTML)


@get("/updates")
async def updates(
    request: Request[Any, Any, Any], queries: str | None = None
) -> list[dict[str, int]]:
    async with _pool(request).acquire() as conn:
        statement = await conn.prepare(te.SELECT_WORLD)
        worlds = []
        for _ in range(te.parse_queries(queries)):
            row = await statement.fetchrow(te.random_id())
            worlds.append({"id": row[0], "randomNumber": te.random_id()})
        batch = sorted((w["id"], w["randomNumber"]) for w in worlds)
        await conn.executemany(te.UPDATE_WORLD, batch)
    return worlds


@get("/items/{item_id:int}")
async def read_item(item_id: int, q: str | None = None, limit: int = 10) -> dict[str, Any]:
    return {"item_id": item_id, "q": q, "limit": limit}


@post("/items", status_code=200)
async def create_item(data: Item) -> Item:
    return data


async def first(x: int = 1) -> int:
    return x


async def second(a: int) -> int:
    return a + 1


async def third(b: int) -> int:
    return b + 1


@get(
    "/deps",
    dependencies={"a": Provide(first), "b": Provide(second), "c": Provide(third)},
)
async def deps(c: int) -> dict[str, int]:
    return {"value": c}


@get("/nodeps")
async def nodeps(x: int = 1) -> dict[str, int]:
    return {"value": x + 2}


@get("/io")
async def io_bound() -> dict[str, int]:
    await asyncio.sleep(te.IO_SECONDS)
    return {"value": 100}


@asynccontextmanager
async def db_pool(app: Litestar) -> AsyncIterator[None]:
    app.state.pool = await asyncpg.create_pool(te.DSN, min_size=0, max_size=te.POOL_SIZE)
    yield
    await app.state.pool.close()


app = Litestar(
    route_handlers=[
        plaintext, json_endpoint, single_query, multiple_queries, fortunes, updates,
        read_item, create_item, deps, nodeps, io_bound,
    ],
    lifespan=[db_pool],
)  # fmt: skip
