"""Server-Sent Events: wire format, validation, keep-alive pings, disconnects, API routes."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from pydantic import BaseModel

from tests.toolkit.conftest import Channel, http_scope
from zephyr.applications import Zephyr
from zephyr.requests import Request
from zephyr.sse import (
    KEEPALIVE_COMMENT,
    EventSourceResponse,
    ServerSentEvent,
    format_sse_event,
)
from zephyr.testclient import TestClient


class Item(BaseModel):
    name: str
    price: float


def run(response: Any, channel: Channel | None = None) -> Channel:
    channel = channel or Channel()
    asyncio.run(asyncio.wait_for(response(http_scope(), channel.receive, channel.send), 10))
    return channel


# -- wire format -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("event", "wire"),
    [
        (ServerSentEvent("hi"), b'data: "hi"\n\n'),
        # Plain data is sent as FastAPI sends it: json.dumps separators, ASCII only.
        (ServerSentEvent({"a": 1}), b'data: {"a": 1}\n\n'),
        (ServerSentEvent([1, "é"]), b'data: [1, "\\u00e9"]\n\n'),
        (ServerSentEvent([1.5, float("nan")]), b"data: [1.5, null]\n\n"),  # JSON has no NaN
        (ServerSentEvent(Item(name="x", price=1)), b'data: {"name":"x","price":1.0}\n\n'),
        (ServerSentEvent(0), b"data: 0\n\n"),
        (ServerSentEvent("two\nlines"), b'data: "two\\nlines"\n\n'),  # JSON escapes it
        (ServerSentEvent(raw_data="a\nb\r\nc\rd"), b"data: a\ndata: b\ndata: c\ndata: d\n\n"),
        (ServerSentEvent(raw_data=""), b"data: \n\n"),
        (ServerSentEvent(comment="keep\nalive"), b": keep\n: alive\n\n"),
        (
            ServerSentEvent({"b": 2}, event="update", id="7", retry=1500, comment="c"),
            b': c\nevent: update\ndata: {"b": 2}\nid: 7\nretry: 1500\n\n',
        ),
        (ServerSentEvent(id=""), b"id: \n\n"),  # an empty id resets Last-Event-ID
        (ServerSentEvent(), b"\n"),
    ],
)
def test_encoding(event: ServerSentEvent, wire: bytes) -> None:
    assert event.encode() == wire


def test_format_sse_event() -> None:
    assert format_sse_event(data_str="x", event="e") == b"event: e\ndata: x\n\n"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"event": "a\nb"},
        {"event": "a\rb"},
        {"id": "1\n2"},
        {"id": "1\r"},
        {"id": "a\x00b"},
        {"retry": -1},
        {"retry": 1.5},
        {"data": 1, "raw_data": "x"},
    ],
)
def test_invalid_fields_raise_value_error(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"SSE|both|retry"):
        ServerSentEvent(**kwargs)


def test_equality_and_repr() -> None:
    assert ServerSentEvent(1, event="e") == ServerSentEvent(data=1, event="e")
    assert ServerSentEvent(1) != ServerSentEvent(2)
    assert "event='e'" in repr(ServerSentEvent(1, event="e"))


# -- the response ------------------------------------------------------------------


def test_headers_and_mixed_items() -> None:
    async def gen() -> AsyncIterator[Any]:
        yield ServerSentEvent("ev", id="1")
        yield {"plain": True}
        yield "data: preformatted\n\n"
        yield b": raw bytes\n\n"

    channel = run(EventSourceResponse(gen()))
    headers = dict(channel.start["headers"])
    assert headers[b"content-type"] == b"text/event-stream; charset=utf-8"
    assert headers[b"cache-control"] == b"no-cache"
    assert headers[b"x-accel-buffering"] == b"no"
    assert channel.body == (
        b'data: "ev"\nid: 1\n\ndata: {"plain": true}\n\ndata: preformatted\n\n: raw bytes\n\n'
    )


def test_explicit_headers_win() -> None:
    async def gen() -> AsyncIterator[Any]:
        yield 1

    response = EventSourceResponse(gen(), headers={"Cache-Control": "no-store"})
    assert response.headers["cache-control"] == "no-store"


def test_keep_alive_ping_when_quiet() -> None:
    async def slow() -> AsyncIterator[Any]:
        await asyncio.sleep(0.25)
        yield ServerSentEvent("late")

    channel = run(EventSourceResponse(slow(), ping=0.05))
    body = channel.body
    assert body.count(KEEPALIVE_COMMENT) >= 2
    assert body.endswith(b'data: "late"\n\n')


def test_no_ping_when_events_flow_or_disabled() -> None:
    async def fast() -> AsyncIterator[Any]:
        for i in range(5):
            yield i

    assert KEEPALIVE_COMMENT not in run(EventSourceResponse(fast(), ping=10)).body

    async def slow() -> AsyncIterator[Any]:
        await asyncio.sleep(0.1)
        yield "x"

    assert KEEPALIVE_COMMENT not in run(EventSourceResponse(slow(), ping=None)).body


def test_pings_between_bursts_and_order_kept() -> None:
    async def bursts() -> AsyncIterator[Any]:
        for burst in range(3):
            for i in range(50):
                yield {"burst": burst, "i": i}
            await asyncio.sleep(0.12)

    body = run(EventSourceResponse(bursts(), ping=0.05)).body
    events = [line for line in body.split(b"\n\n") if line.startswith(b"data:")]
    assert events == [
        f'data: {{"burst": {b}, "i": {i}}}'.encode() for b in range(3) for i in range(50)
    ]
    assert body.count(KEEPALIVE_COMMENT) >= 3  # at least one in each quiet gap


@pytest.mark.parametrize("ping", [0.05, None])
def test_iterator_error_propagates_after_the_events_before_it(ping: float | None) -> None:
    async def failing() -> AsyncIterator[Any]:
        yield ServerSentEvent("first")
        raise LookupError("backend gone")

    channel = Channel()
    with pytest.raises(LookupError, match="backend gone"):
        run(EventSourceResponse(failing(), ping=ping), channel)
    assert channel.body == b'data: "first"\n\n'


def test_default_ping_interval_is_15s() -> None:
    assert EventSourceResponse([]).ping_interval == 15


@pytest.mark.parametrize("ping", [0.01, None])
def test_disconnect_stops_the_generator(ping: float | None) -> None:
    state: dict[str, Any] = {"sent": 0, "finally": False}

    async def endless() -> AsyncIterator[Any]:
        try:
            while True:
                state["sent"] += 1
                yield {"n": state["sent"]}
                await asyncio.sleep(0.005)
        finally:
            state["finally"] = True

    class DisconnectAfterStart(Channel):
        async def receive(self) -> dict[str, Any]:
            while len(self.sent) < 4:
                await asyncio.sleep(0.005)
            return {"type": "http.disconnect"}

    run(EventSourceResponse(endless(), ping=ping), DisconnectAfterStart())
    assert state["finally"]
    assert state["sent"] < 50


def test_disconnect_while_waiting_for_next_item_with_pings() -> None:
    state = {"finally": False}

    async def quiet() -> AsyncIterator[Any]:
        try:
            await asyncio.sleep(3600)
            yield "never"
        finally:
            state["finally"] = True

    class DisconnectSoon(Channel):
        async def receive(self) -> dict[str, Any]:
            await asyncio.sleep(0.1)
            return {"type": "http.disconnect"}

    channel = run(EventSourceResponse(quiet(), ping=0.02), DisconnectSoon())
    assert state["finally"]
    assert KEEPALIVE_COMMENT in channel.body


def test_sync_generator() -> None:
    def gen() -> Iterator[Any]:
        yield ServerSentEvent("a", event="x")
        yield threading.current_thread().name

    body = run(EventSourceResponse(gen())).body
    assert body.startswith(b'event: x\ndata: "a"\n\n')
    assert b"MainThread" not in body


# -- API layer -------------------------------------------------------------------------


def make_app() -> Zephyr:
    app = Zephyr()

    @app.get("/events", response_class=EventSourceResponse)
    async def events(request: Request) -> AsyncIterator[Item]:
        last = request.headers.get("last-event-id")
        if last is not None:
            yield ServerSentEvent(comment=f"resuming after {last}")
        yield Item(name="a", price=1)
        yield {"name": "b", "price": "2"}  # type: ignore[misc]  # validated into Item
        yield ServerSentEvent(raw_data="custom", event="done", id="3")

    @app.get("/untyped", response_class=EventSourceResponse)
    async def untyped():  # type: ignore[no-untyped-def]
        yield "hello"
        yield {"x": [1, 2]}

    @app.post("/rpc", response_class=EventSourceResponse)
    def rpc() -> Iterator[int]:
        yield 1
        yield 2

    @app.get("/direct")
    async def direct() -> EventSourceResponse:
        async def gen() -> AsyncIterator[Any]:
            yield ServerSentEvent({"ok": True}, event="status")

        return EventSourceResponse(gen(), ping=1)

    return app


def test_api_typed_events() -> None:
    response = TestClient(make_app()).get("/events")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    assert response.text == (
        'data: {"name":"a","price":1.0}\n\n'
        'data: {"name":"b","price":2.0}\n\n'
        "event: done\ndata: custom\nid: 3\n\n"
    )


def test_api_last_event_id_is_readable() -> None:
    response = TestClient(make_app()).get("/events", headers={"Last-Event-ID": "41"})
    assert response.text.startswith(": resuming after 41\n\n")


def test_api_untyped_and_post() -> None:
    client = TestClient(make_app())
    assert client.get("/untyped").text == 'data: "hello"\n\ndata: {"x": [1, 2]}\n\n'
    assert client.post("/rpc").text == "data: 1\n\ndata: 2\n\n"


def test_api_returning_response_directly() -> None:
    response = TestClient(make_app()).get("/direct")
    assert response.text == 'event: status\ndata: {"ok": true}\n\n'
    assert response.headers["x-accel-buffering"] == "no"
