"""App for the hostile-traffic end-to-end tests: a JSON body, a form, a capped upload, a ping."""

from __future__ import annotations

import os
from typing import Any

from zephyr import Form, Request, Zephyr

app = Zephyr()

UPLOAD_LIMIT = 1 << 20  # bytes


@app.get("/ping")
async def ping() -> dict[str, int]:
    return {"pid": os.getpid()}


@app.post("/json")
async def take_json(doc: dict[str, Any]) -> dict[str, int]:
    # No max_body_size: the default max_buffered_body_size (16 MiB) applies.
    return {"keys": len(doc)}


@app.post("/form")
async def take_form(f: str = Form("")) -> dict[str, int]:
    return {"length": len(f)}


@app.post("/upload", max_body_size=UPLOAD_LIMIT)
async def upload(request: Request) -> dict[str, int]:
    return {"size": len(await request.body())}
