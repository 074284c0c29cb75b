"""Lifespans of included routers run inside the including one's, states merged.

``APIRouter(lifespan=...)`` included into an app (directly or through another
router) is entered after the app's lifespan and exited before it; every
yielded state reaches ``request.state``, and on a key set twice the
including router's value wins.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from zephyr import APIRouter, Request, Zephyr
from zephyr.testclient import TestClient


def _lifespan(name: str, log: list[str], state: dict[str, Any] | None) -> Any:
    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[dict[str, Any] | None]:
        log.append(f"{name} start")
        yield state
        log.append(f"{name} stop")

    return lifespan


def test_nested_router_lifespans_run_in_order_and_merge_state() -> None:
    log: list[str] = []
    inner = APIRouter(lifespan=_lifespan("inner", log, {"inner": 1, "shared": "inner"}))
    middle = APIRouter(lifespan=_lifespan("middle", log, None))
    middle.include_router(inner)
    app = Zephyr(lifespan=_lifespan("app", log, {"shared": "app"}))
    app.include_router(middle)

    @app.get("/")
    async def read(request: Request) -> list[Any]:
        return [request.state.inner, request.state.shared]

    with TestClient(app) as client:
        assert log == ["app start", "middle start", "inner start"]
        assert client.get("/").json() == [1, "app"]
    assert log[3:] == ["inner stop", "middle stop", "app stop"]


def test_handlers_of_an_included_router_join_the_app_handlers() -> None:
    log: list[str] = []
    router = APIRouter(on_startup=[lambda: log.append("router start")])
    app = Zephyr(on_startup=[lambda: log.append("app start")])
    app.include_router(router)
    with TestClient(app):
        assert log == ["app start", "router start"]


def test_no_state_anywhere_leaves_the_state_empty() -> None:
    log: list[str] = []
    router = APIRouter(lifespan=_lifespan("router", log, None))
    app = Zephyr(lifespan=_lifespan("app", log, None))
    app.include_router(router)

    @app.get("/")
    async def read(request: Request) -> bool:
        return hasattr(request.state, "router")

    with TestClient(app) as client:
        assert client.get("/").json() is False
    assert log == ["app start", "router start", "router stop", "app stop"]
