"""``ServerSentEvent`` as a declared type, next to FastAPI: wire bytes and /openapi.json.

The same source runs on fastapi (the oracle) and on zephyr. Before
``ServerSentEvent`` was a Pydantic model, adding any of these routes raised
``PydanticSchemaGenerationError``.
"""

from __future__ import annotations

import copy
import types
from typing import Any

import pytest

from tests.api.conftest import fastapi_client, load_app, zephyr_client

SOURCE = """
import datetime
import decimal
import enum
import uuid
from collections.abc import AsyncIterable, Iterable

from pydantic import BaseModel, ConfigDict
from fastapi import APIRouter, FastAPI
from fastapi.responses import EventSourceResponse
from fastapi.sse import ServerSentEvent


class Item(BaseModel):
    name: str
    price: float = 1.0


class Loose(BaseModel):
    model_config = ConfigDict(ser_json_inf_nan="strings")
    value: float


class Color(enum.Enum):
    red = "r"


app = FastAPI()


@app.get("/tick", response_class=EventSourceResponse)
async def tick() -> AsyncIterable[ServerSentEvent]:
    yield ServerSentEvent(data="tick", id="1", event="tick")


@app.get("/data", response_class=EventSourceResponse)
async def data() -> AsyncIterable[ServerSentEvent]:
    yield ServerSentEvent(data={"a": [1, 2.5, None], "t": (1, "\\u00e9")})
    yield ServerSentEvent(data={"when": datetime.date(2020, 1, 2), "id": uuid.UUID(int=5)})
    yield ServerSentEvent(data={"price": decimal.Decimal("1.5"), "color": Color.red})
    yield ServerSentEvent(data=[Item(name="x\\ny")])
    yield ServerSentEvent(data=Item(name="\\u00e9"))
    yield ServerSentEvent(data=Loose(value=float("nan")))
    yield ServerSentEvent(data=float("inf"))
    yield ServerSentEvent(data=0)
    yield ServerSentEvent()
    yield ServerSentEvent(raw_data="a\\nb", comment="c1\\nc2", event="e", id="", retry=0)


@app.get("/model", response_class=EventSourceResponse, response_model=ServerSentEvent)
async def model():
    yield ServerSentEvent(data="m", retry=10)


@app.get("/mixed", response_class=EventSourceResponse)
def mixed() -> Iterable[ServerSentEvent | Item]:
    yield Item(name="typed")
    yield ServerSentEvent(data="event", event="special")


@app.get("/untyped", response_class=EventSourceResponse)
async def untyped():
    yield {"plain": "\\u00e9", "f": float("nan")}
    yield Item(name="n")
    yield "text"
    yield b"bytes"


@app.get("/jsonl")
async def jsonl():
    yield {"plain": "\\u00e9"}
    yield Item(name="n")


@app.get("/as-json")
def as_json() -> ServerSentEvent:
    return ServerSentEvent(data={"k": 1}, id="1", event="tick")


@app.post("/echo")
def echo(event: ServerSentEvent) -> dict[str, str | None]:
    return {"id": event.id, "event": event.event, "data": repr(event.data)}


router = APIRouter()


@router.get("/typed", response_class=EventSourceResponse)
async def typed() -> AsyncIterable[Item]:
    yield Item(name="r")


app.include_router(router, prefix="/api")
"""

STREAMS = ["/tick", "/data", "/model", "/mixed", "/untyped", "/jsonl", "/api/typed"]


@pytest.fixture(scope="module")
def clients() -> tuple[Any, Any]:
    pytest.importorskip("fastapi")
    theirs: types.ModuleType = load_app(SOURCE, "fastapi", "sse_oracle_app")
    ours: types.ModuleType = load_app(SOURCE, "zephyr", "sse_zephyr_app")
    return fastapi_client(theirs.app), zephyr_client(ours.app)


@pytest.mark.parametrize("path", STREAMS)
def test_stream_bytes_match_fastapi(clients: tuple[Any, Any], path: str) -> None:
    theirs, ours = (client.get(path) for client in clients)
    assert ours.status_code == theirs.status_code == 200
    assert ours.headers["content-type"] == theirs.headers["content-type"]
    assert ours.content == theirs.content


def test_event_as_json_response_and_body(clients: tuple[Any, Any]) -> None:
    for method, path, kwargs in [
        ("GET", "/as-json", {}),
        ("POST", "/echo", {"json": {"data": {"x": [1]}, "id": "3", "retry": 5}}),
        ("POST", "/echo", {"json": {"id": "two\nlines"}}),
        ("POST", "/echo", {"json": {"data": 1, "raw_data": "x"}}),
        ("POST", "/echo", {"json": {"retry": -1}}),
    ]:
        theirs, ours = (client.request(method, path, **kwargs) for client in clients)
        assert (ours.status_code, ours.json()) == (theirs.status_code, theirs.json()), path


def _without_event_description(document: dict[str, Any]) -> dict[str, Any]:
    # The component's description is each project's own docstring.
    document = copy.deepcopy(document)
    document["components"]["schemas"]["ServerSentEvent"].pop("description", None)
    return document


def test_openapi_matches_fastapi(clients: tuple[Any, Any]) -> None:
    theirs, ours = (client.get("/openapi.json").json() for client in clients)
    assert "description" in ours["components"]["schemas"]["ServerSentEvent"]
    assert _without_event_description(ours) == _without_event_description(theirs)
    # Declared events document no data schema; declared models do.
    tick = ours["paths"]["/tick"]["get"]["responses"]["200"]["content"]["text/event-stream"]
    assert "required" not in tick["itemSchema"]
    typed = ours["paths"]["/api/typed"]["get"]["responses"]["200"]["content"]
    assert typed["text/event-stream"]["itemSchema"]["required"] == ["data"]


def test_event_source_response_from_responses_module() -> None:
    from zephyr import responses, sse

    assert responses.EventSourceResponse is sse.EventSourceResponse
    assert "EventSourceResponse" in responses.__all__


def test_null_in_id_as_body(clients: tuple[Any, Any]) -> None:
    theirs, ours = (client.post("/echo", json={"id": "a\x00b"}) for client in clients)
    assert ours.status_code == theirs.status_code == 422
    assert "null" in ours.json()["detail"][0]["msg"]
