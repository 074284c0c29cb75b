"""Upload app for end-to-end tests: hashes uploaded files chunk by chunk."""

from __future__ import annotations

import hashlib
import os

from zephyr import File, Form, UploadFile, Zephyr

app = Zephyr()


@app.post("/upload")
async def upload(file: UploadFile = File(), note: str = Form()) -> dict[str, object]:
    digest = hashlib.sha256()
    size = 0
    while chunk := await file.read(1 << 20):
        digest.update(chunk)
        size += len(chunk)
    on_disk = bool(getattr(file.file, "_rolled", False))
    return {
        "filename": file.filename,
        "size": size,
        "sha256": digest.hexdigest(),
        "note": note,
        "on_disk": on_disk,
        "pid": os.getpid(),
    }
