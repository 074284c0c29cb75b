"""Swagger UI / ReDoc / OAuth2 redirect pages: asset URLs, options, escaping."""

from __future__ import annotations

import json
import re

import pytest

from zephyr.openapi.docs import (
    DOCS_STATIC_PATH,
    STATIC_DIR,
    SWAGGER_UI_DIR,
    cdn_asset_urls,
    docs_asset_urls,
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
    swagger_ui_default_parameters,
)
from zephyr.responses import HTMLResponse

HOSTILE = "</script><script>alert('x')</script>&<!--\u2028"


def text(response: HTMLResponse) -> str:
    assert isinstance(response, HTMLResponse)
    assert response.status_code == 200
    assert response.media_type == "text/html"
    return bytes(response.body).decode()


def swagger_config(page: str) -> dict[str, object]:
    """The JSON options of ``SwaggerUIBundle({...})``: its ``"key": value,`` lines."""
    match = re.search(r"SwaggerUIBundle\(\{\n(.*?)\n\}\);", page, re.S)
    assert match, page
    pairs = [line.strip() for line in match.group(1).splitlines() if line.startswith('  "')]
    loaded: dict[str, object] = json.loads("{" + "".join(pairs).rstrip(",") + "}")
    return loaded


def scripts(page: str) -> list[str]:
    return re.findall(r"<script[^>]*>(.*?)</script>", page, re.S)


def test_swagger_defaults_are_local_assets() -> None:
    page = text(get_swagger_ui_html(openapi_url="/openapi.json", title="Shop - Swagger UI"))
    assert "<title>Shop - Swagger UI</title>" in page
    assert (
        f'<script src="{DOCS_STATIC_PATH}/swagger-ui-dist@5.35.0/swagger-ui-bundle.js"></script>'
        in page
    )
    assert f'href="{DOCS_STATIC_PATH}/swagger-ui-dist@5.35.0/swagger-ui.css"' in page
    assert f'href="{DOCS_STATIC_PATH}/swagger-ui-dist@5.35.0/favicon-32x32.png"' in page
    assert "http://" not in page and "https://" not in page  # nothing leaves the machine
    assert swagger_config(page) == {"url": "/openapi.json", **swagger_ui_default_parameters}
    assert "oauth2RedirectUrl" not in page and "initOAuth" not in page
    assert "SwaggerUIBundle.presets.apis" in page


def test_swagger_options_oauth_and_overrides() -> None:
    page = text(
        get_swagger_ui_html(
            openapi_url="/api/openapi.json",
            title="t",
            oauth2_redirect_url="/api/docs/oauth2-redirect",
            init_oauth={"clientId": "cid", "usePkceWithAuthorizationCodeGrant": True},
            swagger_ui_parameters={"deepLinking": False, "syntaxHighlight": {"theme": "obsidian"}},
        )
    )
    config = swagger_config(page)
    assert config["deepLinking"] is False
    assert config["syntaxHighlight"] == {"theme": "obsidian"}
    assert config["layout"] == "BaseLayout"
    assert "oauth2RedirectUrl: window.location.origin + '/api/docs/oauth2-redirect'," in page
    assert '  "deepLinking": false,\n' in page  # one option a line
    assert 'ui.initOAuth({"clientId": "cid", "usePkceWithAuthorizationCodeGrant": true});' in page


def test_swagger_parameters_can_override_url() -> None:
    page = text(
        get_swagger_ui_html(openapi_url="/a", title="t", swagger_ui_parameters={"url": "/b"})
    )
    assert swagger_config(page)["url"] == "/b"


def test_swagger_explicit_cdn() -> None:
    cdn = cdn_asset_urls()
    page = text(
        get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="t",
            swagger_js_url=cdn.swagger_js_url,
            swagger_css_url=cdn.swagger_css_url,
            swagger_favicon_url=cdn.swagger_favicon_url,
        )
    )
    assert (
        '<script src="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js">' in page
    )
    assert DOCS_STATIC_PATH not in page


def test_swagger_escapes_hostile_values() -> None:
    page = text(
        get_swagger_ui_html(
            openapi_url=HOSTILE,
            title=HOSTILE,
            swagger_js_url='x.js"><script>alert(1)</script>',
            swagger_css_url="a.css' onload='alert(1)",
            swagger_favicon_url='"><img src=x>',
            oauth2_redirect_url=HOSTILE,
            init_oauth={"clientId": HOSTILE},
            swagger_ui_parameters={HOSTILE: HOSTILE},
        )
    )
    # Exactly the two script elements we emit: nothing closed ours or opened another.
    assert len(re.findall(r"<script", page)) == 2
    assert page.count("</script>") == 2
    assert "<!--" not in page and "<img" not in page
    # U+2028 is harmless in HTML text but a line break in older JS engines.
    assert all("\u2028" not in script for script in scripts(page))
    title = "&lt;/script&gt;&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;&amp;&lt;!--"
    assert f"<title>{title}" in page
    assert 'src="x.js&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in page
    assert 'href="a.css&#x27; onload=&#x27;alert(1)"' in page
    # The values survive as data: decoding the JSON gives back the exact input.
    config = swagger_config(page)
    assert config["url"] == HOSTILE and config[HOSTILE] == HOSTILE
    inline = scripts(page)[1]
    assert "\\u003c/script\\u003e" in inline and "\\u0026" in inline
    init = re.search(r"ui\.initOAuth\((.*)\);", inline)
    assert init and json.loads(init.group(1)) == {"clientId": HOSTILE}


def test_redoc_assets_are_local_and_fonts_optional() -> None:
    # Google Fonts are on by default, as in FastAPI; the app's /redoc turns them off.
    assert "fonts.googleapis.com" in text(get_redoc_html(openapi_url="/o", title="t"))
    page = text(
        get_redoc_html(openapi_url="/openapi.json", title="Shop - ReDoc", with_google_fonts=False)
    )
    assert "<title>Shop - ReDoc</title>" in page
    assert '<redoc spec-url="/openapi.json"></redoc>' in page
    assert f'<script src="{DOCS_STATIC_PATH}/redoc@2.5.4/redoc.standalone.js"></script>' in page
    assert f'href="{DOCS_STATIC_PATH}/swagger-ui-dist@5.35.0/favicon-32x32.png"' in page
    assert "fonts.googleapis.com" not in page
    assert "http://" not in page and "https://" not in page


def test_redoc_fonts_and_cdn_on_request() -> None:
    cdn = cdn_asset_urls()
    page = text(
        get_redoc_html(
            openapi_url="/o.json",
            title="t",
            redoc_js_url=cdn.redoc_js_url,
            redoc_favicon_url="https://example.com/f.png",
            with_google_fonts=True,
        )
    )
    assert "https://fonts.googleapis.com/css?family=Montserrat" in page
    assert '<script src="https://cdn.jsdelivr.net/npm/redoc@2/bundles/redoc.standalone.js">' in page
    assert 'href="https://example.com/f.png"' in page


def test_redoc_escapes_hostile_values() -> None:
    page = text(
        get_redoc_html(openapi_url='/x" onload="alert(1)', title=HOSTILE, redoc_js_url=HOSTILE)
    )
    assert '<redoc spec-url="/x&quot; onload=&quot;alert(1)"></redoc>' in page
    assert page.count("<script") == 1 and page.count("</script>") == 1
    assert "<!--" not in page


def test_oauth2_redirect_page() -> None:
    page = text(get_swagger_ui_oauth2_redirect_html())
    # The vendored script, inlined as it is: the page loads nothing else.
    vendored = (STATIC_DIR / SWAGGER_UI_DIR / "oauth2-redirect.js").read_text().strip()
    assert scripts(page) == [f"\n{vendored}\n"]
    assert "window.opener.swaggerUIRedirectOauth2" in page and "src=" not in page
    custom = text(get_swagger_ui_oauth2_redirect_html(script_url='/p/o.js"><b>'))
    assert 'src="/p/o.js&quot;&gt;&lt;b&gt;"' in custom


@pytest.mark.parametrize("prefix", ["/api/_zephyr/docs-static", "/api/_zephyr/docs-static/"])
def test_asset_urls_follow_the_mount_prefix(prefix: str) -> None:
    urls = docs_asset_urls(prefix)
    assert (
        urls.swagger_js_url
        == "/api/_zephyr/docs-static/swagger-ui-dist@5.35.0/swagger-ui-bundle.js"
    )
    assert urls.redoc_js_url == "/api/_zephyr/docs-static/redoc@2.5.4/redoc.standalone.js"
    assert all(url.startswith("/api/_zephyr/docs-static/") for url in urls)
    assert all(url.startswith("https://cdn.jsdelivr.net/npm/") for url in cdn_asset_urls())
