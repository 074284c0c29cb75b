"""``include_router`` refuses inclusions that cannot mean anything.

A router included into itself would copy its routes into the list it is
reading; a route declared with the empty path (``@router.get("")``, "the
prefix itself") has no path at all when the router is included without a
prefix. Both are reported when ``include_router`` is called.
"""

from __future__ import annotations

import pytest

from zephyr import APIRouter, Zephyr
from zephyr.api_exceptions import ZephyrError
from zephyr.testclient import TestClient


def test_a_router_cannot_include_itself() -> None:
    router = APIRouter()
    with pytest.raises(AssertionError, match="Cannot include the same APIRouter instance"):
        router.include_router(router)


def test_an_empty_path_needs_a_prefix() -> None:
    router = APIRouter()

    @router.get("")
    def root_of_prefix() -> list[str]:
        return ["ok"]

    app = Zephyr()
    with pytest.raises(ZephyrError, match=r"Prefix and path cannot be both empty.*root_of_prefix"):
        app.include_router(router)
    app.include_router(router, prefix="/things")
    assert TestClient(app).get("/things").json() == ["ok"]


def test_an_empty_websocket_path_needs_a_prefix() -> None:
    router = APIRouter()

    @router.websocket("")
    async def feed() -> None: ...

    with pytest.raises(ZephyrError, match=r"path operation: feed"):
        Zephyr().include_router(router)


def test_routes_with_paths_include_without_a_prefix() -> None:
    router = APIRouter()

    @router.get("/ping")
    def ping() -> str:
        return "pong"

    app = Zephyr()
    app.include_router(router)
    assert TestClient(app).get("/ping").json() == "pong"
