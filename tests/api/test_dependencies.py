"""Dependency semantics on zephyr: teardown timing, overrides, caching, threads, errors."""

import asyncio
import threading
from typing import Annotated, Any

import pytest

from tests.api.conftest import fastapi_client, zephyr_client
from zephyr import APIRouter, Depends, FastAPI, HTTPException, Query
from zephyr.api_exceptions import RequestValidationError
from zephyr.testclient import TestClient


def test_yield_teardown_runs_after_response_is_sent() -> None:
    log: list[str] = []

    async def resource() -> Any:
        log.append("enter")
        yield "r"
        log.append("exit")

    app = FastAPI()

    @app.get("/")
    async def endpoint(r: Annotated[str, Depends(resource)]) -> str:
        return r

    async def main() -> None:
        messages: list[str] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.body":
                messages.append("body sent, teardown done: " + str("exit" in log))

        scope = {
            "type": "http",
            "method": "GET",
            "path": "/",
            "root_path": "",
            "query_string": b"",
            "headers": [],
        }
        await app(scope, receive, send)
        assert messages == ["body sent, teardown done: False"]

    asyncio.run(main())
    assert log == ["enter", "exit"]


def test_function_scope_teardown_runs_before_response() -> None:
    log: list[str] = []

    def resource() -> Any:
        log.append("enter")
        yield 1
        log.append("exit")

    app = FastAPI()

    @app.get("/")
    def endpoint(r: Annotated[int, Depends(resource, scope="function")]) -> int:
        log.append("endpoint")
        return r

    assert zephyr_client(app).get("/").json() == 1
    assert log == ["enter", "endpoint", "exit"]


def test_dependency_overrides_apply_and_revert() -> None:
    def real(limit: int = 5) -> str:
        return f"real:{limit}"

    def fake(token: Annotated[str, Query()]) -> str:
        return f"fake:{token}"

    app = FastAPI()
    router = APIRouter()

    @router.get("/")
    async def endpoint(value: Annotated[str, Depends(real)]) -> str:
        return value

    app.include_router(router)
    client = zephyr_client(app)
    assert client.get("/?limit=2").json() == "real:2"
    app.dependency_overrides[real] = fake
    assert client.get("/?token=t").json() == "fake:t"
    missing = client.get("/")
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["query", "token"]
    app.dependency_overrides.clear()
    assert client.get("/").json() == "real:5"


def test_sync_callables_run_in_worker_threads() -> None:
    seen: dict[str, int] = {}
    app = FastAPI()

    def dep() -> int:
        seen["dep"] = threading.get_ident()
        return 1

    @app.get("/")
    def endpoint(v: Annotated[int, Depends(dep)]) -> int:
        seen["endpoint"] = threading.get_ident()
        return v

    assert zephyr_client(app).get("/").json() == 1
    assert threading.get_ident() not in seen.values()


def test_cached_dependency_called_once_per_request() -> None:
    calls: list[int] = []
    app = FastAPI()

    def shared() -> int:
        calls.append(1)
        return len(calls)

    def a(v: Annotated[int, Depends(shared)]) -> int:
        return v

    def b(v: Annotated[int, Depends(shared)]) -> int:
        return v

    @app.get("/")
    def endpoint(x: Annotated[int, Depends(a)], y: Annotated[int, Depends(b)]) -> list[int]:
        return [x, y]

    client = zephyr_client(app)
    assert client.get("/").json() == [1, 1]
    assert client.get("/").json() == [2, 2]


def test_dependency_exception_reaches_yield_and_handler() -> None:
    log: list[str] = []

    async def guarded() -> Any:
        try:
            yield
        except ValueError as exc:
            log.append(f"saw {exc}")
            raise HTTPException(409, "conflict") from exc

    app = FastAPI()

    @app.get("/", dependencies=[Depends(guarded)])
    async def endpoint() -> None:
        raise ValueError("boom")

    response = zephyr_client(app).get("/")
    assert (response.status_code, response.json()) == (409, {"detail": "conflict"})
    assert log == ["saw boom"]


def test_custom_validation_handler_gets_errors_and_body() -> None:
    app = FastAPI()
    captured: dict[str, Any] = {}

    @app.exception_handler(RequestValidationError)
    async def handler(request: Any, exc: RequestValidationError) -> Any:
        from zephyr.responses import JSONResponse

        captured["body"] = exc.body
        return JSONResponse({"n": len(exc.errors())}, status_code=400)

    @app.post("/")
    async def endpoint(a: Annotated[int, Query()], b: dict[str, int]) -> None:
        return None

    response = zephyr_client(app).post("/?a=x", json={"k": "v"})
    assert (response.status_code, response.json()) == (400, {"n": 2})
    assert captured["body"] == {"k": "v"}


def test_unhandled_endpoint_error_is_500_and_raised_in_testclient() -> None:
    app = FastAPI()

    @app.get("/")
    async def endpoint() -> None:
        raise RuntimeError("kaput")

    with pytest.raises(RuntimeError, match="kaput"):
        TestClient(app).get("/")


def test_benchmark_apps_answer_like_fastapi() -> None:
    from benchmarks.apps import fastapi_api, zephyr_api

    oracle, ours = fastapi_client(fastapi_api.app), zephyr_client(zephyr_api.app)
    requests: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", "/plaintext", {}),
        ("GET", "/json", {}),
        ("GET", "/items/5?q=x&limit=3", {}),
        ("POST", "/items", {"json": {"name": "a", "price": 1.5, "tags": ["t"]}}),
        ("GET", "/deps?x=4", {}),
    ]
    for method, url, kwargs in requests:
        expected = oracle.request(method, url, **kwargs)
        actual = ours.request(method, url, **kwargs)
        assert (actual.status_code, actual.content) == (expected.status_code, expected.content)
        assert actual.headers["content-type"] == expected.headers["content-type"]
