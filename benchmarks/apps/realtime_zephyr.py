"""The real-time benchmark app on zephyr; ``realtime_fastapi.py`` is the same source.

``/ws`` echoes text messages; ``GET /sse?n=N`` streams N typed Server-Sent
Events as fast as the client reads them; ``GET /health`` answers ``ok``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from pydantic import BaseModel

from zephyr import FastAPI, WebSocket, WebSocketDisconnect
from zephyr.responses import PlainTextResponse
from zephyr.sse import EventSourceResponse

app = FastAPI()


class Tick(BaseModel):
    seq: int
    symbol: str
    price: float


@app.get("/health", response_class=PlainTextResponse)
async def health() -> str:
    return "ok"


@app.websocket("/ws")
async def echo(websocket: WebSocket) -> None:
    await websocket.accept()
    try:
        while True:
            await websocket.send_text(await websocket.receive_text())
    except WebSocketDisconnect:
        pass


@app.get("/sse", response_class=EventSourceResponse)
async def ticks(n: int = 100) -> AsyncIterator[Tick]:
    for seq in range(n):
        yield Tick(seq=seq, symbol="ZPHR", price=1.5)
