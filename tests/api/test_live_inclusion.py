"""Routes added to a router after ``include_router`` are served, as in FastAPI 0.165."""

from __future__ import annotations

import gc
import weakref

import pytest

from zephyr import APIRouter, Depends, FastAPI, Request, WebSocket
from zephyr.api_exceptions import ZephyrError
from zephyr.responses import PlainTextResponse
from zephyr.testclient import TestClient


def _paths(app: FastAPI) -> list[str]:
    return [getattr(route, "path", "") for route in app.routes]


def test_a_later_route_gets_the_inclusion_prefix_and_options() -> None:
    seen: list[str] = []

    def audit() -> None:
        seen.append("audit")

    router = APIRouter()

    @router.get("/items")
    def items() -> str:
        return "items"

    app = FastAPI()
    app.include_router(router, prefix="/api", tags=["api"], dependencies=[Depends(audit)])
    with TestClient(app) as client:
        assert client.get("/api/items").json() == "items"

        @router.get("/later", tags=["late"])
        def later() -> str:
            return "later"

        assert client.get("/api/later").json() == "later"
        assert client.get("/later").status_code == 404
    assert seen == ["audit", "audit"]
    operation = app.openapi()["paths"]["/api/later"]["get"]
    assert operation["tags"] == ["api", "late"]


def test_a_later_route_keeps_its_place_before_the_parents_later_routes() -> None:
    router = APIRouter()

    @router.get("/first")
    def first() -> str:
        return "first"

    app = FastAPI()
    app.include_router(router, prefix="/api")

    @app.get("/api/{rest:path}")
    def catch_all(rest: str) -> str:
        return "catch-all"

    @router.get("/second")
    def second() -> str:
        return "second"

    client = TestClient(app)
    assert client.get("/api/second").json() == "second"
    assert client.get("/api/other").json() == "catch-all"
    assert _paths(app)[-3:] == ["/api/first", "/api/second", "/api/{rest:path}"]


def test_nested_inclusions_pass_later_routes_up() -> None:
    users = APIRouter()
    api = APIRouter()
    app = FastAPI()
    app.include_router(api, prefix="/api")
    api.include_router(users, prefix="/users")  # included after api itself was

    @users.get("/{user_id}")
    def user(user_id: int) -> int:
        return user_id

    @app.get("/{rest:path}")
    def catch_all(rest: str) -> str:
        return "catch-all"

    @users.get("/{user_id}/name")
    def name(user_id: int) -> str:
        return f"user {user_id}"

    client = TestClient(app)
    assert client.get("/api/users/7").json() == 7
    assert client.get("/api/users/7/name").json() == "user 7"
    assert client.get("/api/users/x").status_code == 422
    assert _paths(app)[-3:] == ["/api/users/{user_id}", "/api/users/{user_id}/name", "/{rest:path}"]


def test_a_router_included_in_two_apps_reaches_both() -> None:
    router = APIRouter()
    apps = [FastAPI(), FastAPI()]
    for prefix, app in zip(("/a", "/b"), apps, strict=True):
        app.include_router(router, prefix=prefix)

    @router.get("/ping")
    def ping() -> str:
        return "pong"

    assert TestClient(apps[0]).get("/a/ping").json() == "pong"
    assert TestClient(apps[1]).get("/b/ping").json() == "pong"
    assert TestClient(apps[1]).get("/a/ping").status_code == 404


def test_later_websocket_and_plain_routes() -> None:
    router = APIRouter()
    app = FastAPI()
    app.include_router(router, prefix="/rt")

    @router.websocket("/ws")
    async def ws(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text("hello")
        await websocket.close()

    async def plain(request: Request) -> PlainTextResponse:
        return PlainTextResponse("plain")

    router.add_route("/plain", plain)
    client = TestClient(app)
    with client.websocket_connect("/rt/ws") as session:
        assert session.receive_text() == "hello"
    assert client.get("/rt/plain").text == "plain"


def test_an_empty_path_added_later_without_a_prefix_is_refused() -> None:
    router = APIRouter()
    app = FastAPI()
    app.include_router(router)
    with pytest.raises(ZephyrError, match="Prefix and path cannot be both empty"):

        @router.get("")
        def empty() -> str:
            return ""  # pragma: no cover


def test_an_including_app_is_not_kept_alive_by_the_router() -> None:
    router = APIRouter()
    app = FastAPI()
    app.include_router(router, prefix="/x")
    gone = weakref.ref(app)
    del app
    gc.collect()
    assert gone() is None

    @router.get("/after")  # the dead app is skipped
    def after() -> str:
        return "after"

    other = FastAPI()
    other.include_router(router, prefix="/y")
    assert TestClient(other).get("/y/after").json() == "after"
