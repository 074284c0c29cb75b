"""How-to, custom docs UI assets: docs pages built by hand with self-hosted asset URLs."""

from typing import Any

from tests.guide.conftest import openapi
from zephyr import Zephyr
from zephyr.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from zephyr.responses import HTMLResponse

app = Zephyr(docs_url=None, redoc_url=None)


@app.get("/docs", include_in_schema=False)
async def custom_swagger_ui_html() -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url=app.openapi_url or "/openapi.json",
        title=app.title + " - Swagger UI",
        oauth2_redirect_url=app.swagger_ui_oauth2_redirect_url,
        swagger_js_url="/assets/swagger-ui-bundle.js",
        swagger_css_url="/assets/swagger-ui.css",
    )


@app.get(app.swagger_ui_oauth2_redirect_url or "/docs/oauth2-redirect", include_in_schema=False)
async def swagger_ui_redirect() -> HTMLResponse:
    return get_swagger_ui_oauth2_redirect_html()


@app.get("/redoc", include_in_schema=False)
async def redoc_html() -> HTMLResponse:
    return get_redoc_html(
        openapi_url=app.openapi_url or "/openapi.json",
        title=app.title + " - ReDoc",
        redoc_js_url="/assets/redoc.standalone.js",
    )


@app.get("/forecasts/{city}")
async def forecast(city: str) -> dict[str, str]:
    return {"city": city, "sky": "clear"}


def test_swagger_page_uses_given_assets(client: Any) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert '<script src="/assets/swagger-ui-bundle.js">' in response.text
    assert '<link type="text/css" rel="stylesheet" href="/assets/swagger-ui.css">' in response.text
    assert "<title>FastAPI - Swagger UI</title>" in response.text
    assert "/openapi.json" in response.text
    assert "oauth2RedirectUrl" in response.text


def test_redoc_page_uses_given_assets(client: Any) -> None:
    response = client.get("/redoc")
    assert response.status_code == 200
    assert '<script src="/assets/redoc.standalone.js">' in response.text
    assert "<title>FastAPI - ReDoc</title>" in response.text


def test_oauth2_redirect_page(client: Any) -> None:
    response = client.get("/docs/oauth2-redirect")
    assert response.status_code == 200
    assert "oauth2" in response.text.lower()


def test_openapi_lists_only_the_api(client: Any) -> None:
    assert client.get("/forecasts/oslo").json() == {"city": "oslo", "sky": "clear"}
    assert list(openapi(client)["paths"]) == ["/forecasts/{city}"]
