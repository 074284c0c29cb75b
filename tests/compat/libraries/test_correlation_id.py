"""asgi-correlation-id's CorrelationIdMiddleware and log filter on a zephyr app."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterator

import httpx
import pytest
from asgi_correlation_id import CorrelationIdFilter, CorrelationIdMiddleware, correlation_id
from fastapi import FastAPI, Request

from .conftest import Serve


class Records(logging.Handler):
    """Keeps the records it is given."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def records() -> Iterator[Records]:
    handler = Records()
    handler.addFilter(CorrelationIdFilter())
    log = logging.getLogger("orders")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    yield handler
    log.removeHandler(handler)


def test_request_ids_in_the_response_the_endpoint_and_the_log(
    serve: Serve, records: Records
) -> None:
    app = FastAPI()
    app.add_middleware(CorrelationIdMiddleware)

    @app.get("/orders")
    async def orders(request: Request) -> dict[str, str | None]:
        logging.getLogger("orders").info("listing orders")
        return {"id": correlation_id.get(), "header": request.headers.get("x-request-id")}

    url = serve(app)
    given = uuid.uuid4().hex
    with httpx.Client(base_url=url) as client:
        fresh = client.get("/orders")
        echoed = client.get("/orders", headers={"X-Request-ID": given})
        replaced = client.get("/orders", headers={"X-Request-ID": "not-a-uuid"})

    assert fresh.status_code == 200
    generated = fresh.headers["x-request-id"]
    assert re.fullmatch("[0-9a-f]{32}", generated), generated
    # The middleware writes the id it generated into the request's headers too.
    assert fresh.json() == {"id": generated, "header": generated}

    assert echoed.headers.get_list("x-request-id") == [given]
    assert echoed.json() == {"id": given, "header": given}

    new = replaced.headers["x-request-id"]
    assert new != "not-a-uuid" and re.fullmatch("[0-9a-f]{32}", new), new
    assert replaced.json() == {"id": new, "header": new}

    assert [(r.getMessage(), r.correlation_id) for r in records.records] == [  # type: ignore[attr-defined]
        ("listing orders", generated),
        ("listing orders", given),
        ("listing orders", new),
    ]
