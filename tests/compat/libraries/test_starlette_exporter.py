"""starlette-exporter on a zephyr app: ``PrometheusMiddleware`` and ``handle_metrics``.

The middleware labels each request with the template of the route that
served it: after the app ran, it reads ``scope["endpoint"]`` and
``scope["router"]`` and matches the request again against
``router.routes`` (entering mounts through their ``routes``).
"""

from __future__ import annotations

import httpx
from fastapi import APIRouter, FastAPI, HTTPException
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette_exporter import PrometheusMiddleware, from_header, handle_metrics

from .conftest import Serve

Samples = dict[tuple[tuple[str, str], ...], float]


def _requests(text: str, prefix: str) -> Samples:
    """``{sorted labels (without app_name): value}`` of ``{prefix}_requests_total``."""
    found: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == f"{prefix}_requests_total":
                labels = {k: v for k, v in sample.labels.items() if k != "app_name"}
                found[tuple(sorted(labels.items()))] = sample.value
    return found


def _key(**labels: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(labels.items()))


def _app(prefix: str, **options: object) -> FastAPI:
    app = FastAPI()
    router = APIRouter(prefix="/api")

    @router.get("/users/{user_id}")
    async def user(user_id: int) -> dict[str, int]:
        if user_id == 0:
            raise HTTPException(404, "no user 0")
        return {"user_id": user_id}

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("boom")

    @app.get("/health")
    async def health() -> str:
        return "ok"

    async def thing(request: Request) -> PlainTextResponse:
        return PlainTextResponse(request.path_params["name"])

    app.include_router(router)
    app.mount("/sub", Starlette(routes=[Route("/things/{name}", thing)]))
    app.add_middleware(
        PrometheusMiddleware, app_name="shop", prefix=prefix, skip_paths=["/health"], **options
    )
    app.add_route("/metrics", handle_metrics)
    return app


def test_requests_are_counted_by_route_template(serve: Serve) -> None:
    url = serve(_app("zephyr_grouped", group_paths=True))
    with httpx.Client(base_url=url) as client:
        for user_id in (1, 2, 3):
            assert client.get(f"/api/users/{user_id}").status_code == 200
        assert client.get("/api/users/0").status_code == 404
        assert client.get("/api/users/x").status_code == 422
        assert client.post("/api/users/1").status_code == 405
        assert client.get("/sub/things/a").text == "a"
        assert client.get("/sub/things/b").text == "b"
        assert client.get("/nowhere").status_code == 404
        assert client.get("/health").status_code == 200
        assert client.get("/boom").status_code == 500
        first = client.get("/metrics")
        second = client.get("/metrics")
    assert first.status_code == 200
    assert first.headers["content-type"].startswith("text/plain")
    counted = _requests(second.text, "zephyr_grouped")
    users = "/api/users/{user_id}"
    assert counted == {
        _key(method="GET", path=users, status_code="200"): 3.0,
        _key(method="GET", path=users, status_code="404"): 1.0,
        _key(method="GET", path=users, status_code="422"): 1.0,
        _key(method="GET", path="/sub/things/{name}", status_code="200"): 2.0,
        _key(method="GET", path="/boom", status_code="500"): 1.0,
        _key(method="GET", path="/metrics", status_code="200"): 1.0,
    }  # /nowhere (no route), the POST (the route matches it only partially), /health (skipped)


def test_raw_paths_and_header_labels(serve: Serve) -> None:
    url = serve(_app("zephyr_raw", group_paths=False, labels={"tenant": from_header("x-tenant")}))
    with httpx.Client(base_url=url) as client:
        client.get("/api/users/1", headers={"x-tenant": "acme"})
        client.get("/api/users/1", headers={"x-tenant": "acme"})
        client.get("/api/users/2")
        client.get("/sub/things/a", headers={"x-tenant": "initech"})
        text = client.get("/metrics").text
    assert _requests(text, "zephyr_raw") == {
        _key(method="GET", path="/api/users/1", status_code="200", tenant="acme"): 2.0,
        _key(method="GET", path="/api/users/2", status_code="200", tenant=""): 1.0,
        _key(method="GET", path="/sub/things/a", status_code="200", tenant="initech"): 1.0,
    }
    durations = [
        sample
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "zephyr_raw_request_duration_seconds_count"
    ]
    assert {s.labels["path"]: s.value for s in durations} == {
        "/api/users/1": 2.0,
        "/api/users/2": 1.0,
        "/sub/things/a": 1.0,
    }
