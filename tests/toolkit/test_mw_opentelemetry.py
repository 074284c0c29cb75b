"""OpenTelemetryMiddleware: one server span per request, named after the route template."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from zephyr.applications import BaseApp
from zephyr.middleware import Middleware
from zephyr.middleware.opentelemetry import OpenTelemetryMiddleware
from zephyr.requests import Request
from zephyr.responses import PlainTextResponse
from zephyr.routing import Mount, Route, Router
from zephyr.testclient import TestClient


@pytest.fixture
def exporter() -> Iterator[InMemorySpanExporter]:
    memory = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(memory))
    memory.provider = provider  # type: ignore[attr-defined]
    yield memory
    provider.shutdown()


async def hello(request: Request) -> PlainTextResponse:
    return PlainTextResponse("hi")


async def boom(request: Request) -> PlainTextResponse:
    raise ValueError("broken")


def traced(exporter: InMemorySpanExporter, routes: list[Any], **options: Any) -> TestClient:
    options.setdefault("tracer_provider", exporter.provider)  # type: ignore[attr-defined]
    app = BaseApp(routes=routes, middleware=[Middleware(OpenTelemetryMiddleware, **options)])
    return TestClient(app, raise_server_exceptions=False)


def test_span_is_named_after_the_route_template(exporter: InMemorySpanExporter) -> None:
    client = traced(exporter, [Mount("/api", app=Router([Route("/users/{name}", hello)]))])
    traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    response = client.get("/api/users/ann?x=1", headers={"traceparent": traceparent})
    assert response.text == "hi"
    (span,) = exporter.get_finished_spans()
    assert span.name == "GET /api/users/{name}" and span.kind is SpanKind.SERVER
    attributes = dict(span.attributes or {})
    assert attributes["http.route"] == "/api/users/{name}"
    assert attributes["url.path"] == "/api/users/ann" and attributes["url.query"] == "x=1"
    assert attributes["http.request.method"] == "GET"
    assert attributes["http.response.status_code"] == 200
    assert attributes["server.address"] == "testserver" and attributes["server.port"] == 80
    assert span.status.status_code is StatusCode.UNSET
    # The client's trace goes on (W3C traceparent).
    assert span.parent is not None and span.parent.is_remote
    assert span.context.trace_id == 0x0AF7651916CD43DD8448EB211C80319C


def test_unmatched_mount_and_unrouted_requests(exporter: InMemorySpanExporter) -> None:
    client = traced(exporter, [Mount("/api", app=Router([Route("/users/{name}", hello)]))])
    assert client.get("/api/nothing").status_code == 404
    assert client.get("/elsewhere").status_code == 404
    names = [span.name for span in exporter.get_finished_spans()]
    assert names == ["GET /api", "GET"]


def test_errors_mark_the_span(exporter: InMemorySpanExporter) -> None:
    unavailable = PlainTextResponse("down", status_code=503)
    client = traced(exporter, [Route("/boom", boom), Route("/down", unavailable)])
    assert client.get("/boom").status_code == 500
    assert client.get("/down").status_code == 503
    raised, status = exporter.get_finished_spans()
    assert raised.status.status_code is StatusCode.ERROR
    assert (raised.attributes or {})["error.type"] == "ValueError"
    assert [event.name for event in raised.events] == ["exception"]
    assert (status.attributes or {})["error.type"] == "503"
    assert status.status.status_code is StatusCode.ERROR


def test_exclusions_and_nested_instances_make_no_extra_span(exporter: InMemorySpanExporter) -> None:
    inner = BaseApp(
        routes=[Route("/health", hello)],
        middleware=[Middleware(OpenTelemetryMiddleware, tracer_provider=exporter.provider)],  # type: ignore[attr-defined]
    )
    client = traced(exporter, [Mount("/sub", app=inner)], excluded_urls="/health$, /metrics$")
    assert client.get("/sub/health").text == "hi"  # excluded outside, so inside too
    assert exporter.get_finished_spans() == ()

    twice = traced(exporter, [Mount("/sub", app=inner)])
    twice.get("/sub/health")
    assert [span.name for span in exporter.get_finished_spans()] == ["GET /sub/health"]


def test_global_provider_is_looked_up_per_request(
    exporter: InMemorySpanExporter, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = traced(exporter, [Route("/", hello)], tracer_provider=None)
    monkeypatch.setattr(trace, "get_tracer_provider", trace.NoOpTracerProvider)
    client.get("/")
    assert exporter.get_finished_spans() == ()
    monkeypatch.setattr(trace, "get_tracer_provider", lambda: exporter.provider)  # type: ignore[attr-defined]
    client.get("/")
    assert len(exporter.get_finished_spans()) == 1
