"""Raw ASGI app for end-to-end tests: /pid, /sleep?s=1, /inflight, /scheme, lifespan markers."""

import asyncio
import os
import sys

sleeping = 0  # /sleep requests now inside the app (read by /inflight)


async def app(scope, receive, send):  # type: ignore[no-untyped-def]
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                scope["state"]["started_by"] = os.getpid()
                await send({"type": "lifespan.startup.complete"})
            else:
                print(f"lifespan shutdown ran in {os.getpid()}", file=sys.stderr, flush=True)
                await send({"type": "lifespan.shutdown.complete"})
                return
    path = scope["path"]
    if path == "/sleep":
        global sleeping
        sleeping += 1
        try:
            await asyncio.sleep(float(scope["query_string"].decode().partition("=")[2] or 1))
        finally:
            sleeping -= 1
    if path == "/scheme":
        body = scope["scheme"].encode()
    elif path == "/inflight":
        body = str(sleeping).encode()
    else:
        body = f"{os.getpid()} {scope['state']['started_by']}".encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/plain"), (b"content-length", b"%d" % len(body))],
        }
    )
    await send({"type": "http.response.body", "body": body})
