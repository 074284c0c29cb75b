"""A FastAPI (from PyPI) WebSocket echo app, served unchanged by zephyr's server and uvicorn.

``/ws`` echoes text messages; ``GET /health`` answers ``ok``.
"""

from __future__ import annotations

from fastapi import FastAPI, WebSocket, WebSocketDisconnect
from fastapi.responses import PlainTextResponse

app = FastAPI()


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
