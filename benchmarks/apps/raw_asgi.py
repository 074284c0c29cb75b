"""A framework-free ASGI 3 app: measures the server alone.

Endpoints: ``/plaintext`` (``Hello, World!``) and ``/json``
(``{"message":"Hello, World!"}``); anything else is 404.
"""

from __future__ import annotations

import json

from zephyr.types import Message, Receive, Scope, Send

_PLAIN_START: Message = {
    "type": "http.response.start",
    "status": 200,
    "headers": [(b"content-type", b"text/plain"), (b"content-length", b"13")],
}
_PLAIN_BODY: Message = {"type": "http.response.body", "body": b"Hello, World!"}
_NOT_FOUND_START: Message = {
    "type": "http.response.start",
    "status": 404,
    "headers": [(b"content-type", b"text/plain"), (b"content-length", b"9")],
}
_NOT_FOUND_BODY: Message = {"type": "http.response.body", "body": b"Not Found"}


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """Answer the two benchmark endpoints; lifespan is acknowledged."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            else:
                await send({"type": "lifespan.shutdown.complete"})
                return
    path = scope["path"]
    if path == "/plaintext":
        await send(_PLAIN_START)
        await send(_PLAIN_BODY)
    elif path == "/json":
        # A fresh object per request, serialised per request (TechEmpower rule).
        body = json.dumps({"message": "Hello, World!"}, separators=(",", ":")).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
    else:
        await send(_NOT_FOUND_START)
        await send(_NOT_FOUND_BODY)
