"""Tutorial, middleware: @app.middleware("http") around every request, in order."""

import time
from collections.abc import Awaitable, Callable
from typing import Any

from tests.guide.conftest import operation
from zephyr import HTTPException, Request, Zephyr
from zephyr.responses import JSONResponse, Response

app = Zephyr()

TRACE: list[str] = []


@app.middleware("http")
async def timing(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    TRACE.append("timing in")
    started = time.perf_counter()
    response = await call_next(request)
    response.headers["X-Elapsed"] = f"{time.perf_counter() - started:.6f}"
    TRACE.append("timing out")
    return response


@app.middleware("http")
async def gate(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    # Registered last, so it runs first (outermost).
    TRACE.append("gate in")
    if request.headers.get("x-blocked") == "1":
        return JSONResponse({"detail": "blocked"}, status_code=403)
    response = await call_next(request)
    TRACE.append("gate out")
    return response


@app.get("/ping")
async def ping(request: Request) -> dict[str, str]:
    TRACE.append("endpoint")
    return {"path": request.url.path}


@app.get("/missing")
async def missing() -> None:
    raise HTTPException(status_code=404, detail="gone")


def test_middleware_wraps_endpoint(mod: Any, client: Any) -> None:
    mod.TRACE.clear()
    response = client.get("/ping")
    assert response.status_code == 200
    assert response.json() == {"path": "/ping"}
    assert float(response.headers["x-elapsed"]) >= 0
    assert mod.TRACE == ["gate in", "timing in", "endpoint", "timing out", "gate out"]


def test_middleware_short_circuit(mod: Any, client: Any) -> None:
    mod.TRACE.clear()
    response = client.get("/ping", headers={"x-blocked": "1"})
    assert response.status_code == 403
    assert response.json() == {"detail": "blocked"}
    assert "x-elapsed" not in response.headers
    assert mod.TRACE == ["gate in"]


def test_middleware_sees_error_responses(client: Any) -> None:
    response = client.get("/missing")
    assert response.status_code == 404
    assert response.json() == {"detail": "gone"}
    assert "x-elapsed" in response.headers
    not_routed = client.get("/nowhere")
    assert not_routed.status_code == 404
    assert "x-elapsed" in not_routed.headers


def test_openapi_unaffected(client: Any) -> None:
    assert operation(client, "/ping")["operationId"] == "ping_ping_get"
    assert client.get("/openapi.json").headers["x-elapsed"]
