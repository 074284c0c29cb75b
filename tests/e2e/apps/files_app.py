"""API app for file and SSE end-to-end tests; serves the directory in $ZEPHYR_E2E_FILES.

/health, /file/{name} (FileResponse), /static (StaticFiles), /sse (an event
every ``interval`` seconds), /sse/quiet (pings only), /sse/stats (generator
open/close counters, to observe disconnects from outside).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from typing import Any

from zephyr.applications import Zephyr
from zephyr.exceptions import HTTPException
from zephyr.requests import Request
from zephyr.responses import FileResponse
from zephyr.sse import EventSourceResponse, ServerSentEvent
from zephyr.staticfiles import StaticFiles

ROOT = os.environ["ZEPHYR_E2E_FILES"]
STATS = {"opened": 0, "closed": 0, "sent": 0}

app = Zephyr()


@app.get("/health")
async def health() -> dict[str, Any]:
    return {"pid": os.getpid()}


@app.get("/file/{name}")
async def file(name: str) -> FileResponse:
    if "/" in name or name.startswith("."):
        raise HTTPException(status_code=404)
    return FileResponse(os.path.join(ROOT, name))


async def counted(events: AsyncIterator[ServerSentEvent]) -> AsyncIterator[ServerSentEvent]:
    STATS["opened"] += 1
    try:
        async for event in events:
            STATS["sent"] += 1
            yield event
    finally:
        STATS["closed"] += 1


@app.get("/sse")
async def sse(request: Request, interval: float = 0.05, ping: float = 15.0) -> EventSourceResponse:
    start = int(request.headers.get("last-event-id", "-1")) + 1

    async def ticks() -> AsyncIterator[ServerSentEvent]:
        number = start
        while True:
            yield ServerSentEvent({"n": number}, event="tick", id=str(number))
            number += 1
            await asyncio.sleep(interval)

    return EventSourceResponse(counted(ticks()), ping=ping)


@app.get("/sse/quiet")
async def quiet(ping: float = 0.1) -> EventSourceResponse:
    async def nothing() -> AsyncIterator[ServerSentEvent]:
        await asyncio.sleep(3600)
        yield ServerSentEvent("never")

    return EventSourceResponse(counted(nothing()), ping=ping)


@app.get("/sse/stats")
async def stats() -> dict[str, int]:
    return STATS


app.mount("/static", StaticFiles(directory=ROOT))
