"""fastapi-cache2's @cache decorator with its InMemoryBackend on a zephyr app."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import httpx
import pytest
from fastapi import FastAPI
from fastapi_cache import FastAPICache
from fastapi_cache.backends.inmemory import InMemoryBackend
from fastapi_cache.decorator import cache

from .conftest import Serve


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    FastAPICache.reset()
    InMemoryBackend._store.clear()
    yield
    FastAPICache.reset()
    InMemoryBackend._store.clear()


def test_a_second_call_is_served_from_the_cache(serve: Serve) -> None:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        FastAPICache.init(InMemoryBackend(), prefix="fastapi-cache")
        yield

    app = FastAPI(lifespan=lifespan)
    calls: list[int] = []

    @app.get("/squares/{n}")
    @cache(expire=60)
    async def square(n: int) -> dict[str, int]:
        calls.append(n)
        return {"n": n, "square": n * n, "call": len(calls)}

    url = serve(app)
    with httpx.Client(base_url=url) as client:
        first = client.get("/squares/4")
        second = client.get("/squares/4")
        other = client.get("/squares/5")
        revalidated = client.get("/squares/4", headers={"If-None-Match": second.headers["etag"]})
        uncached = client.get("/squares/4", headers={"Cache-Control": "no-store"})

    assert first.status_code == 200
    assert first.json() == {"n": 4, "square": 16, "call": 1}
    assert first.headers["x-fastapi-cache"] == "MISS"
    assert first.headers["cache-control"] == "max-age=60"

    assert second.status_code == 200
    assert second.json() == first.json()
    assert second.headers["x-fastapi-cache"] == "HIT"
    assert second.headers["cache-control"].startswith("max-age=")
    assert 0 < int(second.headers["cache-control"].removeprefix("max-age=")) <= 60
    assert second.headers["etag"] == first.headers["etag"]

    assert other.json() == {"n": 5, "square": 25, "call": 2}
    assert other.headers["x-fastapi-cache"] == "MISS"

    assert revalidated.status_code == 304
    assert revalidated.content == b""

    assert uncached.json() == {"n": 4, "square": 16, "call": 3}
    assert "x-fastapi-cache" not in uncached.headers
    assert calls == [4, 5, 4]
