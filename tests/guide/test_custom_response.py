"""Advanced, custom response classes: HTML, plain text, redirects, streaming, files, defaults."""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

from tests.guide.conftest import operation
from zephyr import APIRouter, Zephyr
from zephyr.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    StreamingResponse,
)

app = Zephyr()

DATA_FILE = Path(__file__).parent / "assets" / "logo.txt"


@app.get("/page", response_class=HTMLResponse)
async def page() -> str:
    return "<html><body><h1>Hi</h1></body></html>"


@app.get("/page-direct")
async def page_direct() -> HTMLResponse:
    return HTMLResponse("<p>direct</p>", status_code=202)


@app.get("/text", response_class=PlainTextResponse)
async def text() -> str:
    return "just words"


@app.get("/old-docs", response_class=RedirectResponse, status_code=302)
async def old_docs() -> str:
    return "/docs"


@app.get("/elsewhere")
async def elsewhere() -> RedirectResponse:
    return RedirectResponse("https://example.com/new")


async def count_up() -> AsyncIterator[bytes]:
    for i in range(3):
        yield f"line {i}\n".encode()


def count_down() -> Iterator[str]:
    yield from ("3", "2", "1")


@app.get("/stream")
async def stream() -> StreamingResponse:
    return StreamingResponse(count_up(), media_type="text/plain")


@app.get("/stream-sync")
def stream_sync() -> StreamingResponse:
    return StreamingResponse(count_down())


@app.get("/download", response_class=FileResponse)
async def download() -> Path:
    return DATA_FILE


@app.get("/attachment")
async def attachment() -> FileResponse:
    return FileResponse(DATA_FILE, filename="logo copy.txt")


html_default = Zephyr(default_response_class=HTMLResponse)


@html_default.get("/")
async def html_root() -> str:
    return "<b>default html</b>"


@html_default.get("/json", response_class=JSONResponse)
async def html_json() -> dict[str, bool]:
    return {"json": True}


pages = APIRouter(default_response_class=HTMLResponse)


@pages.get("/about")
async def about() -> str:
    return "<h2>about</h2>"


notes = APIRouter()


@notes.get("/note")
async def note() -> str:
    return "a note"


app.include_router(pages)
app.include_router(notes, default_response_class=PlainTextResponse)


def test_router_default_response_classes(client: Any) -> None:
    about_page = client.get("/about")
    assert about_page.headers["content-type"] == "text/html; charset=utf-8"
    assert about_page.text == "<h2>about</h2>"
    text_note = client.get("/note")
    assert text_note.headers["content-type"] == "text/plain; charset=utf-8"
    assert text_note.text == "a note"
    assert list(operation(client, "/note")["responses"]["200"]["content"]) == ["text/plain"]


def test_html(client: Any) -> None:
    response = client.get("/page")
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.text == "<html><body><h1>Hi</h1></body></html>"
    direct = client.get("/page-direct")
    assert direct.status_code == 202
    assert direct.text == "<p>direct</p>"


def test_plain_text(client: Any) -> None:
    response = client.get("/text")
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.text == "just words"


def test_redirects(client: Any) -> None:
    response = client.get("/old-docs", follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"] == "/docs"
    other = client.get("/elsewhere", follow_redirects=False)
    assert other.status_code == 307
    assert other.headers["location"] == "https://example.com/new"


def test_streaming(client: Any) -> None:
    response = client.get("/stream")
    assert response.text == "line 0\nline 1\nline 2\n"
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert client.get("/stream-sync").text == "321"


def test_files(client: Any) -> None:
    response = client.get("/download")
    assert response.content == DATA_FILE.read_bytes()
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert int(response.headers["content-length"]) == DATA_FILE.stat().st_size
    attached = client.get("/attachment")
    assert attached.headers["content-disposition"] == (
        "attachment; filename*=utf-8''logo%20copy.txt"
    )


def test_default_response_class(mod: Any, make_client: Any) -> None:
    client = make_client(mod.html_default)
    root = client.get("/")
    assert root.headers["content-type"] == "text/html; charset=utf-8"
    assert root.text == "<b>default html</b>"
    assert client.get("/json").json() == {"json": True}


def test_openapi_media_types(client: Any) -> None:
    assert operation(client, "/page")["responses"]["200"]["content"] == {
        "text/html": {"schema": {"type": "string"}}
    }
    assert operation(client, "/text")["responses"]["200"]["content"] == {
        "text/plain": {"schema": {"type": "string"}}
    }
    assert operation(client, "/old-docs")["responses"] == {
        "302": {"description": "Successful Response"}
    }
