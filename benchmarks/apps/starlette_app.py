"""Benchmark app on Starlette: plain routes, Pydantic models called by hand to validate input.

Starlette has no dependency injection, so ``/deps`` and ``/nodeps`` are not
served. Validation errors answer 422 with Pydantic's error list, as an API
built on Starlette would.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from pydantic import BaseModel, ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from benchmarks.apps import _common as te


class Item(BaseModel):
    name: str
    price: float
    tags: list[str] = []


class ItemQuery(BaseModel):
    item_id: int
    q: str | None = None
    limit: int = 10


async def plaintext(request: Request) -> Response:
    return PlainTextResponse("Hello, World!")


async def json_endpoint(request: Request) -> Response:
    return JSONResponse({"message": "Hello, World!"})


async def single_query(request: Request) -> Response:
    async with request.app.state.pool.acquire() as conn:
        row = await conn.fetchrow(te.SELECT_WORLD, te.random_id())
    return JSONResponse({"id": row[0], "randomNumber": row[1]})


async def multiple_queries(request: Request) -> Response:
    count = te.parse_queries(request.query_params.get("queries"))
    async with request.app.state.pool.acquire() as conn:
        statement = await conn.prepare(te.SELECT_WORLD)
        rows = [await statement.fetchrow(te.random_id()) for _ in range(count)]
    return JSONResponse([{"id": row[0], "randomNumber": row[1]} for row in rows])


async def fortunes(request: Request) -> Response:
    async with request.app.state.pool.acquire() as conn:
        rows = [tuple(row) for row in await conn.fetch(te.SELECT_FORTUNES)]
    return HTMLResponse(te.render_fortunes(rows))


async def updates(request: Request) -> Response:
    count = te.parse_queries(request.query_params.get("queries"))
    async with request.app.state.pool.acquire() as conn:
        statement = await conn.prepare(te.SELECT_WORLD)
        worlds = []
        for _ in range(count):
            row = await statement.fetchrow(te.random_id())
            worlds.append({"id": row[0], "randomNumber": te.random_id()})
        batch = sorted((w["id"], w["randomNumber"]) for w in worlds)
        await conn.executemany(te.UPDATE_WORLD, batch)
    return JSONResponse(worlds)


def _invalid(exc: ValidationError) -> Response:
    # exc.json() copes with bytes inputs (an unparsable body) that JSONResponse cannot encode.
    body = '{"detail":' + exc.json(include_url=False) + "}"
    return Response(body, status_code=422, media_type="application/json")


async def read_item(request: Request) -> Response:
    try:
        query = ItemQuery.model_validate(
            {**request.query_params, "item_id": request.path_params["item_id"]}
        )
    except ValidationError as exc:
        return _invalid(exc)
    return JSONResponse(query.model_dump())


async def create_item(request: Request) -> Response:
    try:
        item = Item.model_validate_json(await request.body())
    except ValidationError as exc:
        return _invalid(exc)
    return Response(item.model_dump_json(), media_type="application/json")


async def io_bound(request: Request) -> Response:
    await asyncio.sleep(te.IO_SECONDS)
    return JSONResponse({"value": 100})


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    app.state.pool = await asyncpg.create_pool(te.DSN, min_size=0, max_size=te.POOL_SIZE)
    yield
    await app.state.pool.close()


app = Starlette(
    routes=[
        Route("/plaintext", plaintext),
        Route("/json", json_endpoint),
        Route("/db", single_query),
        Route("/queries", multiple_queries),
        Route("/fortunes", fortunes),
        Route("/updates", updates),
        Route("/items/{item_id}", read_item),
        Route("/items", create_item, methods=["POST"]),
        Route("/io", io_bound),
    ],
    lifespan=lifespan,
)
