"""A framework-free ASGI 3 WebSocket echo app: measures the server's WebSocket path alone.

``/ws`` echoes every message with its own type; ``GET /health`` answers ``ok``
(the benchmark harness polls it to know the server is up); lifespan is
acknowledged.
"""

from __future__ import annotations

from zephyr.types import Message, Receive, Scope, Send

_OK_START: Message = {
    "type": "http.response.start",
    "status": 200,
    "headers": [(b"content-type", b"text/plain"), (b"content-length", b"2")],
}
_OK_BODY: Message = {"type": "http.response.body", "body": b"ok"}


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """Echo WebSocket messages on any path; answer HTTP with ``ok``."""
    kind = scope["type"]
    if kind == "websocket":
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        while True:
            message = await receive()
            if message["type"] != "websocket.receive":
                return
            text = message.get("text")
            if text is not None:
                await send({"type": "websocket.send", "text": text})
            else:
                await send({"type": "websocket.send", "bytes": message["bytes"]})
    elif kind == "http":
        await send(_OK_START)
        await send(_OK_BODY)
    elif kind == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            else:
                await send({"type": "lifespan.shutdown.complete"})
                return
