"""starlette-context's middlewares and plugins on a zephyr app (from its docs' FastAPI usage)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from fastapi import Depends, FastAPI
from fastapi.middleware import Middleware
from starlette_context import context, plugins
from starlette_context.middleware import ContextMiddleware, RawContextMiddleware

from .conftest import Serve


@pytest.mark.parametrize("middleware", [RawContextMiddleware, ContextMiddleware])
def test_context_in_the_endpoint_and_a_dependency_and_headers_back(
    serve: Serve, middleware: type[Any]
) -> None:
    app = FastAPI(
        middleware=[
            Middleware(
                middleware,
                plugins=(
                    plugins.RequestIdPlugin(),
                    plugins.CorrelationIdPlugin(),
                    plugins.UserAgentPlugin(),
                ),
            )
        ]
    )

    async def current_request_id() -> str:
        context["seen_by_dependency"] = True
        return str(context["X-Request-ID"])

    @app.get("/")
    async def index(request_id: str = Depends(current_request_id)) -> dict[str, Any]:
        return {"dependency": request_id, "context": context.data}

    url = serve(app)
    correlation = uuid.uuid4().hex
    with httpx.Client(base_url=url, headers={"User-Agent": "context-test/1"}) as client:
        response = client.get("/", headers={"X-Correlation-ID": correlation})
        bad = client.get("/", headers={"X-Request-ID": "not-a-uuid"})

    assert response.status_code == 200
    request_id = response.headers["x-request-id"]
    assert uuid.UUID(request_id, version=4).hex == request_id
    assert response.headers["x-correlation-id"] == correlation
    assert response.json() == {
        "dependency": request_id,
        "context": {
            "X-Request-ID": request_id,
            "X-Correlation-ID": correlation,
            "User-Agent": "context-test/1",
            "seen_by_dependency": True,
        },
    }
    # A request id that is not a UUID is refused by the plugin, before the app.
    assert bad.status_code == 400
    assert "x-request-id" not in bad.headers
