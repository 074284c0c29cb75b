"""prometheus-fastapi-instrumentator on a zephyr app: request metrics by handler template."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from prometheus_fastapi_instrumentator import Instrumentator

from .conftest import Serve


def test_metrics_count_requests_by_route_template(serve: Serve) -> None:
    app = FastAPI()

    @app.get("/orders/{order_id}")
    async def order(order_id: int) -> dict[str, int]:
        return {"order_id": order_id}

    registry = CollectorRegistry()
    Instrumentator(registry=registry).instrument(app).expose(app)
    url = serve(app)
    with httpx.Client(base_url=url) as client:
        for n in range(3):
            assert client.get(f"/orders/{n}").status_code == 200
        metrics = client.get("/metrics")
    assert metrics.status_code == 200
    assert metrics.headers["content-type"].startswith("text/plain")
    lines = [line for line in metrics.text.splitlines() if line.startswith("http_requests_total{")]
    assert any(
        'handler="/orders/{order_id}"' in line and line.endswith(" 3.0") for line in lines
    ), lines
