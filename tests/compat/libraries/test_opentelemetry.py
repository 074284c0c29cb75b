"""opentelemetry-instrumentation-fastapi on a zephyr app: spans named by route template."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from .conftest import Serve


@pytest.fixture
def exporter() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    yield exporter
    exporter.clear()


def build_app(import_from: str) -> Any:
    module = __import__(import_from)
    app = module.FastAPI() if import_from == "fastapi" else module.Zephyr()

    @app.get("/users/{user_id}")
    async def read_user(user_id: int) -> dict[str, int]:
        return {"user_id": user_id}

    return app


@pytest.mark.parametrize("import_from", ["zephyr", "fastapi"])
def test_server_spans_are_named_by_route_template(
    import_from: str, exporter: InMemorySpanExporter, serve: Serve
) -> None:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    app = build_app(import_from)
    FastAPIInstrumentor.instrument_app(app, tracer_provider=provider)
    try:
        url = serve(app)
        with httpx.Client(base_url=url) as client:
            assert client.get("/users/7").json() == {"user_id": 7}
            assert client.get("/nowhere").status_code == 404
    finally:
        FastAPIInstrumentor.uninstrument_app(app)
    servers = [s for s in exporter.get_finished_spans() if s.kind.name == "SERVER"]
    names = [s.name for s in servers]
    assert names == ["GET /users/{user_id}", "GET"], names
    attributes = servers[0].attributes or {}
    assert attributes.get("http.route") == "/users/{user_id}"
    status = attributes.get("http.response.status_code", attributes.get("http.status_code"))
    assert status == 200
