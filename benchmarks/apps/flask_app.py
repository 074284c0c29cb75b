"""Benchmark app on Flask (WSGI, served by gunicorn): the synchronous reference point.

Database access goes through psycopg 3 with a ``psycopg_pool.ConnectionPool``
(opened lazily in each gunicorn worker, after the fork). Input is validated
with Pydantic models called by hand; invalid input answers 422. ``/io``
sleeps its 100 ms in the worker thread, which is what a sync stack does.
"""

from __future__ import annotations

import random
import time
from typing import Any

from flask import Flask, Response, jsonify, request
from psycopg_pool import ConnectionPool
from pydantic import BaseModel, ValidationError

from benchmarks.apps import _common as te

app = Flask(__name__)
# psycopg uses %s placeholders, not asyncpg's $1.
SELECT_WORLD = "SELECT id, randomnumber FROM world WHERE id = %s"
UPDATE_WORLD = "UPDATE world SET randomnumber = %s WHERE id = %s"
_pool: ConnectionPool | None = None


def pool() -> ConnectionPool:
    global _pool
    if _pool is None:
        _pool = ConnectionPool(te.DSN, min_size=1, max_size=te.POOL_SIZE, open=True)
    return _pool


class Item(BaseModel):
    name: str
    price: float
    tags: list[str] = []


class ItemQuery(BaseModel):
    item_id: int
    q: str | None = None
    limit: int = 10


@app.get("/plaintext")
def plaintext() -> Response:
    return Response("Hello, World!", mimetype="text/plain")


@app.get("/json")
def json_endpoint() -> Response:
    return jsonify(message="Hello, World!")


@app.get("/db")
def single_query() -> Response:
    with pool().connection() as conn:
        row = conn.execute(SELECT_WORLD, (te.random_id(),)).fetchone()
    assert row is not None
    return jsonify(id=row[0], randomNumber=row[1])


def _worlds(conn: Any, count: int) -> list[dict[str, int]]:
    worlds = []
    for _ in range(count):
        row = conn.execute(SELECT_WORLD, (te.random_id(),)).fetchone()
        worlds.append({"id": row[0], "randomNumber": row[1]})
    return worlds


@app.get("/queries")
def multiple_queries() -> Response:
    with pool().connection() as conn:
        worlds = _worlds(conn, te.parse_queries(request.args.get("queries")))
    return jsonify(worlds)


@app.get("/fortunes")
def fortunes() -> Response:
    with pool().connection() as conn:
        rows = [tuple(row) for row in conn.execute(te.SELECT_FORTUNES).fetchall()]
    return Response(te.render_fortunes(rows), mimetype="text/html")


@app.get("/updates")
def updates() -> Response:
    with pool().connection() as conn:
        worlds = _worlds(conn, te.parse_queries(request.args.get("queries")))
        for world in worlds:
            world["randomNumber"] = random.randint(1, 10_000)
        batch = sorted((w["id"], w["randomNumber"]) for w in worlds)
        conn.cursor().executemany(UPDATE_WORLD, [(number, wid) for wid, number in batch])
    return jsonify(worlds)


def _invalid(exc: ValidationError) -> Response:
    # exc.json() copes with bytes inputs (an unparsable body) that jsonify cannot encode.
    body = '{"detail":' + exc.json(include_url=False) + "}"
    return Response(body, status=422, mimetype="application/json")


@app.get("/items/<item_id>")
def read_item(item_id: str) -> Response:
    try:
        query = ItemQuery.model_validate({**request.args.to_dict(), "item_id": item_id})
    except ValidationError as exc:
        return _invalid(exc)
    return jsonify(query.model_dump())


@app.post("/items")
def create_item() -> Response:
    try:
        item = Item.model_validate_json(request.get_data())
    except ValidationError as exc:
        return _invalid(exc)
    return Response(item.model_dump_json(), mimetype="application/json")


@app.get("/io")
def io_bound() -> Response:
    time.sleep(te.IO_SECONDS)
    return jsonify(value=100)
