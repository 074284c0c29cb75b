"""``Depends(..., scope="lifespan")``: created once at startup, closed at shutdown."""

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import pytest

from zephyr import APIRouter, Depends, FastAPI, Header, Request
from zephyr.api_exceptions import DependencyScopeError
from zephyr.testclient import TestClient


class Pool:
    def __init__(self, name: str) -> None:
        self.name = name
        self.closed = False


def build_app(events: list[str]) -> tuple[FastAPI, Any]:
    def get_settings() -> dict[str, str]:
        events.append("settings")
        return {"dsn": "db://x"}

    async def get_pool(
        settings: Annotated[dict[str, str], Depends(get_settings)],
    ) -> AsyncIterator[Pool]:
        pool = Pool(settings["dsn"])
        events.append("pool open")
        yield pool
        pool.closed = True
        events.append("pool close")

    def get_cache() -> Iterator[dict[str, int]]:
        events.append("cache open")
        yield {"hits": 0}
        events.append("cache close")

    async def get_conn(pool: Annotated[Pool, Depends(get_pool, scope="lifespan")]) -> str:
        return f"conn:{pool.name}"

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        events.append("app start")
        yield
        events.append("app stop")

    app = FastAPI(lifespan=lifespan)
    router = APIRouter(dependencies=[Depends(get_cache, scope="lifespan")])

    @router.get("/pool")
    async def read_pool(
        pool: Annotated[Pool, Depends(get_pool, scope="lifespan")],
        conn: Annotated[str, Depends(get_conn)],
        cache: Annotated[dict[str, int], Depends(get_cache, scope="lifespan")],
    ) -> dict[str, Any]:
        cache["hits"] += 1
        return {"pool": id(pool), "closed": pool.closed, "conn": conn, "hits": cache["hits"]}

    @app.get("/other")
    def other(pool: Annotated[Pool, Depends(get_pool, scope="lifespan")]) -> int:
        return id(pool)

    app.include_router(router)
    return app, get_pool


def test_created_once_shared_and_closed_in_reverse_order() -> None:
    events: list[str] = []
    app, _ = build_app(events)
    with TestClient(app) as client:
        bodies = [client.get("/pool").json() for _ in range(5)]
        assert client.get("/other").json() == bodies[0]["pool"]
        # Route order: /other (pool) is added before the router (cache).
        assert events == ["settings", "pool open", "cache open", "app start"]
    assert [b["hits"] for b in bodies] == [1, 2, 3, 4, 5]
    assert {b["pool"] for b in bodies} == {bodies[0]["pool"]}
    assert bodies[0]["conn"] == "conn:db://x" and not bodies[0]["closed"]
    assert events[4:] == ["app stop", "cache close", "pool close"]


def test_restart_creates_new_values() -> None:
    events: list[str] = []
    app, _ = build_app(events)
    with TestClient(app) as client:
        first = client.get("/other").json()
    with TestClient(app) as client:
        second = client.get("/other").json()
    assert events.count("pool open") == 2 and events.count("pool close") == 2
    assert isinstance(first, int) and isinstance(second, int)


def test_override_resolved_at_startup() -> None:
    events: list[str] = []
    app, get_pool = build_app(events)

    def fake_pool() -> Pool:
        events.append("fake")
        return Pool("fake")

    app.dependency_overrides[get_pool] = fake_pool
    with TestClient(app) as client:
        assert client.get("/pool").json()["conn"] == "conn:fake"
        client.get("/pool")
    assert events.count("fake") == 1
    assert "pool open" not in events


def test_used_without_lifespan_is_a_clear_error() -> None:
    app, _ = build_app([])
    client = TestClient(app, raise_server_exceptions=True)
    with pytest.raises(RuntimeError, match="'get_pool' has not been created"):
        client.get("/other")


def test_failure_while_creating_fails_startup() -> None:
    def broken() -> int:
        raise ValueError("no database")

    app = FastAPI()

    @app.get("/")
    def index(value: Annotated[int, Depends(broken, scope="lifespan")]) -> int:
        return value

    with pytest.raises(ValueError, match="no database"), TestClient(app):
        pass


def _route(app: FastAPI, dependency: Any) -> None:
    @app.get("/")
    def index(value: Annotated[Any, Depends(dependency, scope="lifespan")]) -> Any:
        return value


def test_request_parameter_refused_when_route_is_added() -> None:
    def needs_query(limit: int) -> int:
        return limit

    with pytest.raises(DependencyScopeError, match=r"'needs_query'.*parameter 'limit'.*query"):
        _route(FastAPI(), needs_query)


def test_request_object_refused() -> None:
    def needs_request(request: Request) -> str:
        return request.url.path

    with pytest.raises(DependencyScopeError, match="'request' asks for the request's Request"):
        _route(FastAPI(), needs_request)


def test_request_data_in_sub_dependency_refused() -> None:
    def token(x_token: Annotated[str, Header()]) -> str:
        return x_token

    def client_factory(value: Annotated[str, Depends(token)]) -> str:
        return value

    with pytest.raises(DependencyScopeError, match=r"'token'.*parameter 'x_token'.*header"):
        _route(FastAPI(), client_factory)


def test_request_scoped_sub_dependency_refused() -> None:
    def per_request() -> Iterator[int]:
        yield 1

    def factory(value: Annotated[int, Depends(per_request, scope="request")]) -> int:
        return value

    with pytest.raises(DependencyScopeError, match="'factory' can't depend on 'per_request'"):
        _route(FastAPI(), factory)


def test_unknown_scope_refused() -> None:
    with pytest.raises(ValueError, match="lifespan"):
        Depends(lambda: 1, scope="app")
