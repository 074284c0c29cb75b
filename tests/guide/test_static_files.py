"""Tutorial, static files: StaticFiles mounted under a path, with OpenAPI unaffected."""

from pathlib import Path
from typing import Any

from tests.guide.conftest import openapi
from zephyr import Zephyr
from zephyr.staticfiles import StaticFiles

ASSETS = Path(__file__).parent / "assets"

app = Zephyr()
app.mount("/static", StaticFiles(directory=ASSETS), name="static")
app.mount("/site", StaticFiles(directory=ASSETS / "site", html=True), name="site")


@app.get("/")
async def index() -> dict[str, str]:
    return {"logo": app.url_path_for("static", path="logo.txt")}


def test_serves_files(client: Any) -> None:
    response = client.get("/static/logo.txt")
    assert response.status_code == 200
    assert response.text == (ASSETS / "logo.txt").read_text()
    assert response.headers["content-type"].startswith("text/plain")
    assert "etag" in response.headers
    assert "last-modified" in response.headers


def test_conditional_and_head_requests(client: Any) -> None:
    first = client.get("/static/logo.txt")
    again = client.get("/static/logo.txt", headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
    head = client.head("/static/logo.txt")
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == first.headers["content-length"]


def test_html_mode(client: Any) -> None:
    index = client.get("/site/")
    assert index.status_code == 200
    assert index.text == "<h1>home</h1>\n"
    assert index.headers["content-type"] == "text/html; charset=utf-8"
    missing = client.get("/site/nowhere")
    assert missing.status_code == 404
    assert missing.text == "<h1>not here</h1>\n"


def test_missing_and_traversal(client: Any) -> None:
    assert client.get("/static/nope.txt").status_code == 404
    assert client.get("/static/../test_static_files.py").status_code == 404


def test_url_for_mount(client: Any) -> None:
    assert client.get("/").json() == {"logo": "/static/logo.txt"}


def test_openapi_excludes_mount(client: Any) -> None:
    assert list(openapi(client)["paths"]) == ["/"]
