"""A compiled plan can be read: its runner's source in tracebacks, ``Plan.describe()``."""

from __future__ import annotations

import gc
import linecache
import traceback
from collections.abc import AsyncIterator
from typing import Annotated

import pytest
from pydantic import BaseModel

from zephyr import Depends, FastAPI, Header, Request
from zephyr._api.routing import APIRoute
from zephyr.dependencies.compile import compile_endpoint
from zephyr.testclient import TestClient


class Item(BaseModel):
    name: str


def token(x_token: Annotated[str, Header()] = "t") -> str:
    return x_token


async def session() -> AsyncIterator[str]:
    yield "db"


def test_traceback_shows_the_generated_line() -> None:
    app = FastAPI()

    @app.get("/boom")
    async def boom(t: Annotated[str, Depends(token)]) -> None:
        raise ValueError("boom")

    with pytest.raises(ValueError) as info:
        TestClient(app).get("/boom")
    frames = traceback.extract_tb(info.value.__traceback__)
    [runner] = [f for f in frames if f.filename.startswith("<zephyr plan ")]
    assert runner.filename.endswith(": test_traceback_shows_the_generated_line.<locals>.boom>")
    assert runner.line == "v[2] = await c1(t=v[1])"
    assert "v[2] = await c1(t=v[1])" in "".join(traceback.format_tb(info.value.__traceback__))


def test_runner_source_leaves_linecache_with_the_plan() -> None:
    async def endpoint() -> None:
        return None

    plan = compile_endpoint(endpoint, path_names=set())
    filename = plan.runner.__code__.co_filename
    linecache.checkcache()  # entries without a file on disk survive it
    assert linecache.getline(filename, 2).strip() == "v[0] = await c0()"
    del plan
    gc.collect()
    assert filename not in linecache.cache


def test_describe_lists_steps_extractors_and_runner() -> None:
    app = FastAPI()

    @app.post("/items/{item_id}")
    async def create(
        item_id: int,
        item: Item,
        request: Request,
        t: Annotated[str, Depends(token)],
        db: Annotated[str, Depends(session)],
        again: Annotated[str, Depends(token, use_cache=False)],
        q: str = "",
    ) -> None:
        return None

    [route] = [r for r in app.routes if isinstance(r, APIRoute)]
    text = route.plan.describe()
    lines = text.splitlines()
    name = "test_describe_lists_steps_extractors_and_runner.<locals>.create"
    assert lines[0] == f"plan of {name}: 4 steps, 10 slots"
    assert lines[1] == "  step 0: v[1] = sync token(x_token=v[0]) cache key (token, ())"
    assert lines[2] == "  step 1: v[2] = async_gen session() cache key (session, ())"
    assert lines[3] == "  step 2: v[4] = sync token(x_token=v[3])"  # use_cache=False: no key
    assert lines[4] == (
        f"  step 3: v[9] = async {name}(t=v[1], db=v[2], again=v[4], item_id=v[5],"
        " item=v[6], q=v[7], request=v[8]) after steps 0, 1, 2"
    )
    assert "  path: LocationExtractor 'item_id'->v[5]" in lines
    assert "  query: LocationExtractor 'q'->v[7]" in lines
    assert "  header: LocationExtractor 'x-token'->v[0], 'x-token'->v[3]" in lines
    assert "  body: BodyExtractor 'item'->v[6]" in lines
    assert "  path+query: validated in one call while both are valid" in lines
    assert "  injected: request=v[8]" in lines
    assert lines[-6].startswith("  runner <zephyr plan ")
    assert lines[-5:] == [
        "    async def run(v, stack):",
        "        v[1] = await threadpool(c0, x_token=v[0])",
        "        v[2] = await call_step(s1, v, stack)",
        "        v[4] = await threadpool(c2, x_token=v[3])",
        "        v[9] = await c3(t=v[1], db=v[2], again=v[4], item_id=v[5], item=v[6], q=v[7],"
        " request=v[8])",
    ]
