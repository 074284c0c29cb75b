"""Tutorial, static files: StaticFiles mounted under a path, with OpenAPI unaffected."""

from pathlib import Path
from typing import Any

from tests.guide.conftest import openapi
from zephyr import Zephyr
from zephyr.staticfiles import StaticFiles

ASSETS = Path(__file__).parent / "assets"

app = Zephyr()
app.mount("/static", StaticFiles(directory=ASSETS), name="static")


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


def test_missing_and_traversal(client: Any) -> None:
    assert client.get("/static/nope.txt").status_code == 404
    assert client.get("/static/../test_static_files.py").status_code == 404


def test_url_for_mount(client: Any) -> None:
    assert client.get("/").json() == {"logo": "/static/logo.txt"}


def test_openapi_excludes_mount(client: Any) -> None:
    assert list(openapi(client)["paths"]) == ["/"]
