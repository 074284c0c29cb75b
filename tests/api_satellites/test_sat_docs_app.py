"""The API app serves the docs pages *and* every asset they name, below its root path."""

from __future__ import annotations

import re

import pytest

from zephyr import FastAPI
from zephyr.openapi.docs import DOCS_STATIC_PATH, cdn_asset_urls, get_swagger_ui_html
from zephyr.requests import Request
from zephyr.responses import HTMLResponse
from zephyr.testclient import TestClient

ASSET_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
}


def named_assets(page: str) -> list[str]:
    """Every local ``src``/``href`` a docs page loads."""
    return [url for url in re.findall(r'(?:src|href)="([^"]+)"', page) if url.startswith("/")]


def check_assets(client: TestClient, page_path: str, prefix: str = "") -> list[str]:
    page = client.get(page_path)
    assert page.status_code == 200
    urls = named_assets(page.text)
    assert urls, page.text
    for url in urls:
        assert url.startswith(prefix + DOCS_STATIC_PATH + "/"), url
        response = client.get(url)
        assert response.status_code == 200, url
        suffix = url[url.rindex(".") :]
        assert response.headers["content-type"] == ASSET_TYPES[suffix]
        assert len(response.content) > 100
    return urls


def test_every_asset_the_pages_name_is_served() -> None:
    client = TestClient(FastAPI())
    swagger = check_assets(client, "/docs")
    assert any(url.endswith("/swagger-ui-bundle.js") for url in swagger)
    assert any(url.endswith("/swagger-ui.css") for url in swagger)
    redoc = check_assets(client, "/redoc")
    assert any(url.endswith("/redoc.standalone.js") for url in redoc)
    redirect = client.get("/docs/oauth2-redirect").text
    assert named_assets(redirect) == []  # the vendored script is inlined
    assert "window.opener.swaggerUIRedirectOauth2" in redirect


@pytest.mark.parametrize("where", ["app", "server"])
def test_assets_below_the_root_path(where: str) -> None:
    if where == "app":
        client = TestClient(FastAPI(root_path="/api"))
    else:
        client = TestClient(FastAPI(), root_path="/api")
    for page in ("/docs", "/redoc"):
        check_assets(client, page, prefix="/api")
    page = client.get("/docs").text
    assert '"url": "/api/openapi.json"' in page
    assert "'/api/docs/oauth2-redirect'" in page


def test_assets_are_hidden_from_the_openapi_document() -> None:
    app = FastAPI()

    @app.get("/items")
    async def items() -> list[int]:
        return []

    document = TestClient(app).get("/openapi.json").json()
    assert list(document["paths"]) == ["/items"]


@pytest.mark.parametrize(
    ("options", "served"),
    [
        ({"docs_url": None, "redoc_url": None}, False),
        ({"openapi_url": None}, False),
        ({"docs_url": None}, True),  # ReDoc still needs its bundle
        ({"redoc_url": None}, True),
    ],
)
def test_assets_only_with_a_docs_page(options: dict[str, None], served: bool) -> None:
    app = FastAPI(**options)  # type: ignore[arg-type]
    client = TestClient(app)
    # Served from the compiled table, never listed in app.routes (FastAPI's list).
    paths = [getattr(route, "path", "") for route in app.routes]
    assert not any(path.startswith(DOCS_STATIC_PATH) for path in paths)
    response = client.get(DOCS_STATIC_PATH + "/redoc@2.5.4/redoc.standalone.js")
    if served:
        assert response.status_code == 200
    else:
        assert response.status_code == 404
        assert response.json() == {"detail": "Not Found"}


def test_assets_stay_out_of_user_routes_404_and_405() -> None:
    app = FastAPI()

    @app.post("/{rest:path}")
    async def catch_all(rest: str) -> dict[str, str]:
        return {"rest": rest}

    client = TestClient(app)
    # The user's POST-only catch-all still decides every other path...
    assert client.get("/elsewhere").status_code == 405
    assert client.post("/elsewhere").json() == {"rest": "elsewhere"}
    # ...and the assets answer for themselves, whatever the method.
    asset = DOCS_STATIC_PATH + "/swagger-ui-dist@5.35.0/swagger-ui.css"
    assert client.get(asset).status_code == 200
    refused = client.post(asset)
    assert refused.status_code == 405
    assert refused.headers["allow"] == "GET, HEAD"
    missing = client.get(DOCS_STATIC_PATH + "/swagger-ui-dist@5.35.0/nope.js")
    assert missing.status_code == 404
    traversal = client.get(DOCS_STATIC_PATH + "/..%2F..%2Fapplications.py")
    assert traversal.status_code == 404


def test_user_options_reach_the_page() -> None:
    app = FastAPI(
        title="Shop",
        swagger_ui_parameters={"deepLinking": False, "docExpansion": "none"},
        swagger_ui_init_oauth={"clientId": "shop-ui"},
    )
    page = TestClient(app).get("/docs").text
    assert "<title>Shop - Swagger UI</title>" in page
    assert '"deepLinking": false' in page and '"docExpansion": "none"' in page
    assert 'ui.initOAuth({"clientId": "shop-ui"});' in page


def test_cdn_urls_stay_an_explicit_option() -> None:
    app = FastAPI(docs_url=None)

    @app.get("/cdn-docs", include_in_schema=False)
    async def cdn_docs(request: Request) -> HTMLResponse:
        cdn = cdn_asset_urls()
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="CDN",
            swagger_js_url=cdn.swagger_js_url,
            swagger_css_url=cdn.swagger_css_url,
        )

    client = TestClient(app)
    page = client.get("/cdn-docs").text
    assert '<script src="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js">' in (
        page
    )
    assert client.get("/docs").status_code == 404
    # ReDoc is still on, so the local bundle is still served for it.
    check_assets(client, "/redoc")
