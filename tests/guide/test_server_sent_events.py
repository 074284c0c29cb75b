"""Tutorial, server-sent events: yield from a path operation with EventSourceResponse."""

import json
from collections.abc import AsyncIterable, Iterable
from typing import Any

from pydantic import BaseModel

from tests.guide.conftest import operation
from zephyr import Zephyr
from zephyr.sse import EventSourceResponse, ServerSentEvent

app = Zephyr()


class Price(BaseModel):
    symbol: str
    cents: int


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


def parse_events(text: str) -> list[dict[str, Any]]:
    """Split an event stream into events; ``data`` is decoded from JSON."""
    events = []
    for block in text.split("\n\n"):
        if not block:
            continue
        event: dict[str, Any] = {}
        for line in block.split("\n"):
            field, _, value = line.partition(": ")
            event[field or "comment"] = json.loads(value) if field == "data" else value
        events.append(event)
    return events


def test_event_fields(client: Any) -> None:
    response = client.get("/alerts")
    assert response.text.endswith("\n\n")
    # JSON spacing inside ``data`` is the encoder's choice; the decoded events must match.
    assert parse_events(response.text) == [
        {"event": "alert", "data": {"level": "high"}, "id": "41", "retry": "2500"},
        {"comment": "still here"},
        {"data": "all clear"},
    ]


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
    loose = operation(client, "/alerts")["responses"]["200"]["content"]["text/event-stream"]
    assert loose["itemSchema"]["required"] == ["data"]
    assert loose["itemSchema"]["properties"]["data"] == {
        "type": "string",
        "contentMediaType": "application/json",
        "contentSchema": {"title": "Streamitem Alerts Alerts Get"},
    }
