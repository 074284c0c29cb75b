"""Uploaded files are closed once the response has gone, whoever parsed the form."""

from __future__ import annotations

from typing import Annotated, Any

from zephyr import FastAPI, File, Request, UploadFile
from zephyr.testclient import TestClient

FILES = {"upload": ("a.txt", b"hello", "text/plain")}


def test_an_upload_parameter_is_closed_after_the_response() -> None:
    app = FastAPI()
    seen: list[UploadFile] = []

    @app.post("/files")
    async def files(upload: Annotated[UploadFile, File()]) -> dict[str, Any]:
        seen.append(upload)
        return {"size": len(await upload.read()), "closed": upload.file.closed}

    assert TestClient(app).post("/files", files=FILES).json() == {"size": 5, "closed": False}
    assert seen[0].file.closed


def test_a_form_the_endpoint_parses_itself_is_closed_after_the_response() -> None:
    app = FastAPI()
    seen: list[Any] = []

    @app.post("/raw")
    async def raw(request: Request) -> dict[str, Any]:
        form = await request.form()
        seen.append(form["upload"])
        return {"closed": form["upload"].file.closed}

    assert TestClient(app).post("/raw", files=FILES).json() == {"closed": False}
    assert seen[0].file.closed
