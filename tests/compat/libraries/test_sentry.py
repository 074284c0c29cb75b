"""sentry-sdk's Starlette and FastAPI integrations on a zephyr app (from sentry's FastAPI docs)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import sentry_sdk
from sentry_sdk.envelope import Envelope
from sentry_sdk.integrations.fastapi import FastApiIntegration
from sentry_sdk.integrations.starlette import StarletteIntegration
from sentry_sdk.transport import Transport

from .conftest import Serve


class Captured(Transport):
    """Keeps every envelope sentry would send, instead of sending it."""

    envelopes: list[Envelope] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        self.envelopes.append(envelope)


def items(kind: str, count: int) -> list[dict[str, Any]]:
    """The payloads of the captured items of ``kind`` ("event", "transaction").

    Waits (up to 5 s) for ``count`` of them: the server finishes a request's
    transaction after the client has read the response.
    """
    deadline = time.monotonic() + 5
    while True:
        sentry_sdk.flush()
        found = [
            item.payload.json
            for envelope in Captured.envelopes
            for item in envelope.items
            if item.type == kind and item.payload.json is not None
        ]
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


@pytest.fixture
def sentry() -> Iterator[None]:
    Captured.envelopes = []
    sentry_sdk.init(
        dsn="http://public@127.0.0.1:9/1",
        transport=Captured,
        traces_sample_rate=1.0,
        integrations=[StarletteIntegration(), FastApiIntegration()],
    )
    yield
    sentry_sdk.get_client().close()


def build_app() -> Any:
    from fastapi import FastAPI, HTTPException

    app = FastAPI()

    @app.get("/items/{item_id}")
    async def read_item(item_id: int) -> dict[str, int]:
        return {"item_id": item_id}

    @app.get("/sync/{name}")
    def sync_endpoint(name: str) -> dict[str, str]:
        return {"name": name}

    @app.get("/boom/{n}")
    async def boom(n: int) -> None:
        raise RuntimeError(f"boom {n}")

    @app.get("/missing")
    async def missing() -> None:
        raise HTTPException(status_code=404, detail="nope")

    return app


def test_errors_are_captured_with_the_route_as_transaction(sentry: None, serve: Serve) -> None:
    url = serve(build_app())
    with httpx.Client(base_url=url) as client:
        assert client.get("/boom/3").status_code == 500
        assert client.get("/missing").status_code == 404  # an HTTPException under 500: no event
    events = items("event", 1)
    assert len(events) == 1, events
    event = events[0]
    assert event["transaction"] == "/boom/{n}"
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    assert event["exception"]["values"][-1]["value"] == "boom 3"
    assert event["request"]["url"].endswith("/boom/3")
    assert event["request"]["method"] == "GET"


def test_transactions_are_named_by_route_template(sentry: None, serve: Serve) -> None:
    url = serve(build_app())
    with httpx.Client(base_url=url) as client:
        assert client.get("/items/5").json() == {"item_id": 5}
        assert client.get("/sync/ada").json() == {"name": "ada"}
    transactions = items("transaction", 2)
    names = sorted(t["transaction"] for t in transactions)
    assert names == ["/items/{item_id}", "/sync/{name}"], names
    for transaction in transactions:
        assert transaction["transaction_info"] == {"source": "route"}
        assert transaction["contexts"]["trace"]["op"] == "http.server"
        assert transaction["contexts"]["response"]["status_code"] == 200
