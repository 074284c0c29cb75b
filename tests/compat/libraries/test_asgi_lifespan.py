"""asgi-lifespan's LifespanManager with httpx's ASGITransport on a zephyr app (no server)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import Depends, FastAPI, Request


class Database:
    def __init__(self, log: list[str]) -> None:
        self.log = log
        self.rows = {"1": "ada"}
        self.open = False

    async def connect(self) -> None:
        await asyncio.sleep(0)
        self.open = True
        self.log.append("db open")

    async def close(self) -> None:
        self.open = False
        self.log.append("db closed")


def make_app(log: list[str]) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
        log.append("startup")
        db = Database(log)
        await db.connect()
        yield {"db": db}
        log.append("shutdown")
        await db.close()

    app = FastAPI(lifespan=lifespan)

    def database(request: Request) -> Database:
        return request.state.db  # type: ignore[no-any-return]

    @app.get("/users/{user_id}")
    async def user(user_id: str, db: Database = Depends(database)) -> dict[str, Any]:
        log.append(f"GET {user_id}")
        return {"name": db.rows.get(user_id), "open": db.open}

    return app


def test_state_from_the_lifespan_reaches_requests_and_shutdown_runs_on_exit() -> None:
    log: list[str] = []
    app = make_app(log)

    async def main() -> list[dict[str, Any]]:
        async with LifespanManager(app) as manager:
            assert log == ["startup", "db open"]
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                answers = [await client.get("/users/1"), await client.get("/users/2")]
            assert "shutdown" not in log
        return [{"status": r.status_code, **r.json()} for r in answers]

    assert asyncio.run(main()) == [
        {"status": 200, "name": "ada", "open": True},
        {"status": 200, "name": None, "open": True},
    ]
    assert log == ["startup", "db open", "GET 1", "GET 2", "shutdown", "db closed"]


def test_an_error_in_the_block_still_shuts_down() -> None:
    log: list[str] = []

    async def main() -> None:
        async with LifespanManager(make_app(log)):
            raise KeyError("boom")

    with pytest.raises(KeyError):
        asyncio.run(main())
    # asgi-lifespan sends no shutdown message then: it cancels the lifespan task.
    assert log == ["startup", "db open"]


def test_a_startup_failure_raises_from_the_manager() -> None:
    reached: list[str] = []

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        raise ConnectionRefusedError("database is down")
        yield

    app = FastAPI(lifespan=lifespan)

    @app.get("/")
    async def root() -> dict[str, str]:
        reached.append("/")
        return {}

    async def main() -> None:
        async with LifespanManager(app):
            reached.append("block")

    with pytest.raises(ConnectionRefusedError, match="database is down"):
        asyncio.run(main())
    assert reached == []


def test_startup_and_shutdown_events_in_order() -> None:
    log: list[str] = []
    app = FastAPI()
    app.router.on_startup.append(lambda: log.append("first startup"))
    app.add_event_handler("startup", lambda: log.append("second startup"))
    app.add_event_handler("shutdown", lambda: log.append("shutdown"))

    @app.get("/")
    async def root() -> dict[str, bool]:
        log.append("request")
        return {"ok": True}

    async def main() -> None:
        async with LifespanManager(app) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                assert (await client.get("/")).json() == {"ok": True}

    asyncio.run(main())
    assert log == ["first startup", "second startup", "request", "shutdown"]


def test_a_slow_startup_times_out() -> None:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await asyncio.sleep(10)
        yield

    async def main() -> None:
        async with LifespanManager(FastAPI(lifespan=lifespan), startup_timeout=0.2):
            pass

    with pytest.raises(TimeoutError):
        asyncio.run(main())
