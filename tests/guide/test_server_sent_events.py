"""Tutorial, server-sent events: yield from a path operation with EventSourceResponse."""

import importlib.util
from collections.abc import AsyncIterable, Iterable
from typing import Any

import pytest
from pydantic import BaseModel

HAS_SSE = importlib.util.find_spec("zephyr.sse") is not None
pytestmark = pytest.mark.skipif(not HAS_SSE, reason="zephyr.sse is not available yet")

from tests.guide.conftest import operation  # noqa: E402
from zephyr import Zephyr  # noqa: E402

if HAS_SSE:
    from zephyr.sse import EventSourceResponse, ServerSentEvent

app = Zephyr()


class Price(BaseModel):
    symbol: str
    cents: int


# Routes need zephyr.sse; without it the module still imports and its tests skip.
if HAS_SSE:

    @app.get("/prices", response_class=EventSourceResponse)
    async def prices() -> AsyncIterable[Price]:
        for cents in (101, 99):
            yield Price(symbol="ZPH", cents=cents)

    @app.get("/alerts", response_class=EventSourceResponse)
    def alerts() -> Iterable[Any]:
        yield ServerSentEvent(data={"level": "high"}, event="alert", id="41", retry=2500)
        yield ServerSentEvent(comment="still here")
        yield "all clear"


def test_typed_stream(client: Any) -> None:
    response = client.get("/prices")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    assert response.text == (
        'data: {"symbol":"ZPH","cents":101}\n\ndata: {"symbol":"ZPH","cents":99}\n\n'
    )


def test_event_fields(client: Any) -> None:
    assert client.get("/alerts").text == (
        'event: alert\ndata: {"level": "high"}\nid: 41\nretry: 2500\n\n'
        ": still here\n\n"
        'data: "all clear"\n\n'
    )


def test_openapi_item_schema(client: Any) -> None:
    content = operation(client, "/prices")["responses"]["200"]["content"]
    item = content["text/event-stream"]["itemSchema"]
    assert item["required"] == ["data"]
    assert item["properties"]["data"] == {
        "type": "string",
        "contentMediaType": "application/json",
        "contentSchema": {"$ref": "#/components/schemas/Price"},
    }
    assert item["properties"]["retry"] == {"type": "integer", "minimum": 0}
