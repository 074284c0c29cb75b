"""sse-starlette's EventSourceResponse on a zephyr app (an async generator in a route)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator

import httpx
from fastapi import FastAPI
from sse_starlette import EventSourceResponse, ServerSentEvent

from .conftest import Serve


def test_events_in_order_with_pings_then_the_stream_ends(serve: Serve) -> None:
    app = FastAPI()

    @app.get("/countdown")
    async def countdown() -> EventSourceResponse:
        async def events() -> AsyncIterator[ServerSentEvent | dict[str, str]]:
            for n in (3, 2, 1):
                yield ServerSentEvent(data=str(n), event="tick", id=f"t{n}")
                await asyncio.sleep(0.15)
            yield {"event": "done", "data": "liftoff\nover"}

        return EventSourceResponse(events(), ping=0.1)

    url = serve(app)
    with (
        httpx.Client(base_url=url, timeout=10) as client,
        client.stream("GET", "/countdown") as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-accel-buffering"] == "no"
        body = response.read().decode()

    blocks = [block for block in body.split("\r\n\r\n") if block]
    pings = [block for block in blocks if block.startswith(": ping - ")]
    events = [block.split("\r\n") for block in blocks if block not in pings]
    assert events == [
        ["id: t3", "event: tick", "data: 3"],
        ["id: t2", "event: tick", "data: 2"],
        ["id: t1", "event: tick", "data: 1"],
        ["event: done", "data: liftoff", "data: over"],
    ]
    # The events span ~0.45 s; a ping comment is sent every 0.1 s in between.
    assert len(pings) >= 2, blocks
    assert body.endswith("\r\n\r\n")


def test_a_client_that_leaves_mid_stream_ends_the_generator(serve: Serve) -> None:
    app = FastAPI()
    sent: list[int] = []
    closed = threading.Event()

    @app.get("/forever")
    async def forever() -> EventSourceResponse:
        async def events() -> AsyncIterator[dict[str, str]]:
            n = 0
            try:
                while True:
                    sent.append(n)
                    yield {"data": str(n)}
                    n += 1
                    await asyncio.sleep(0.05)
            finally:
                closed.set()

        return EventSourceResponse(events())

    url = serve(app)
    with (
        httpx.Client(base_url=url, timeout=10) as client,
        client.stream("GET", "/forever") as response,
    ):
        lines = response.iter_lines()
        assert next(lines) == "data: 0"
        assert not closed.is_set()
    # The stream was left open-ended: only the disconnect can end the generator.
    assert closed.wait(5), f"the generator is still running after {len(sent)} events"
