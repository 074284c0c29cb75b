"""The interactive documentation pages: Swagger UI, ReDoc and the OAuth2 redirect.

By default the pages load their JavaScript/CSS from the assets vendored in
``zephyr/openapi/static`` and served by ``docs_static_app()`` (the
application adds it as ``docs_static_route()`` at ``DOCS_STATIC_PATH`` below
its root path whenever ``/docs`` or ``/redoc`` is on), so they render with no
internet access.
A CDN is used only when its URLs are passed explicitly (``cdn_asset_urls()``).

Every interpolated value is escaped for where it lands: ``html.escape`` in
element text and attributes, JSON with ``<``, ``>`` and ``&`` turned into
``\\u003c``-style escapes inside ``<script>``, so no title, URL or parameter
can close the script element or inject markup.
"""

from __future__ import annotations

import functools
import html
import json
from typing import Any, NamedTuple

from zephyr.openapi._docs_static import STATIC_DIR, DocsStaticFiles, PathParamEndpoint
from zephyr.responses import HTMLResponse
from zephyr.routing import Route

__all__ = [
    "ASSET_VERSIONS",
    "DOCS_STATIC_PATH",
    "DOCS_STATIC_ROUTE_NAME",
    "REDOC_DIR",
    "STATIC_DIR",
    "SWAGGER_UI_DIR",
    "DocsAssetURLs",
    "DocsStaticFiles",
    "cdn_asset_urls",
    "docs_asset_urls",
    "docs_static_app",
    "docs_static_route",
    "get_redoc_html",
    "get_swagger_ui_html",
    "get_swagger_ui_oauth2_redirect_html",
    "swagger_ui_default_parameters",
]

DOCS_STATIC_PATH = "/_zephyr/docs-static"
"""Where applications mount ``docs_static_app()`` (below their root path)."""

ASSET_VERSIONS = {"swagger-ui": "5.35.0", "redoc": "2.5.4"}
"""Versions of the vendored UI bundles."""

SWAGGER_UI_DIR = f"swagger-ui-dist@{ASSET_VERSIONS['swagger-ui']}"
REDOC_DIR = f"redoc@{ASSET_VERSIONS['redoc']}"
"""The vendored copies' directories (below ``STATIC_DIR`` and ``DOCS_STATIC_PATH``),
named ``<npm package>@<version>``: an upgrade changes the asset URLs, so no
browser keeps a stale cached copy."""

swagger_ui_default_parameters: dict[str, Any] = {
    "dom_id": "#swagger-ui",
    "layout": "BaseLayout",
    "deepLinking": True,
    "showExtensions": True,
    "showCommonExtensions": True,
}
"""Swagger UI configuration used unless overridden by ``swagger_ui_parameters``."""


class DocsAssetURLs(NamedTuple):
    """The URLs the docs pages load their assets from."""

    swagger_js_url: str
    swagger_css_url: str
    swagger_favicon_url: str
    redoc_js_url: str
    redoc_favicon_url: str
    oauth2_redirect_js_url: str


def docs_asset_urls(prefix: str = DOCS_STATIC_PATH) -> DocsAssetURLs:
    """Return the URLs of the vendored assets served under ``prefix``.

    Args:
        prefix: Where ``docs_static_app()`` is mounted, including any ASGI
            ``root_path`` (e.g. ``"/api/_zephyr/docs-static"``). Default
            ``DOCS_STATIC_PATH``.

    Returns:
        A ``DocsAssetURLs`` with absolute paths under ``prefix``.
    """
    swagger = f"{prefix.rstrip('/')}/{SWAGGER_UI_DIR}"
    return DocsAssetURLs(
        swagger_js_url=f"{swagger}/swagger-ui-bundle.js",
        swagger_css_url=f"{swagger}/swagger-ui.css",
        swagger_favicon_url=f"{swagger}/favicon-32x32.png",
        redoc_js_url=f"{prefix.rstrip('/')}/{REDOC_DIR}/redoc.standalone.js",
        redoc_favicon_url=f"{swagger}/favicon-32x32.png",
        oauth2_redirect_js_url=f"{swagger}/oauth2-redirect.js",
    )


def cdn_asset_urls() -> DocsAssetURLs:
    """Return public CDN URLs for the same assets (the explicit online option).

    Returns:
        A ``DocsAssetURLs`` pointing at jsDelivr, pinned to the vendored
        major versions (Swagger UI 5, ReDoc 2).
    """
    swagger = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5"
    favicon = f"{swagger}/favicon-32x32.png"
    return DocsAssetURLs(
        swagger_js_url=f"{swagger}/swagger-ui-bundle.js",
        swagger_css_url=f"{swagger}/swagger-ui.css",
        swagger_favicon_url=favicon,
        redoc_js_url="https://cdn.jsdelivr.net/npm/redoc@2/bundles/redoc.standalone.js",
        redoc_favicon_url=favicon,
        oauth2_redirect_js_url=f"{swagger}/oauth2-redirect.js",
    )


_LOCAL = docs_asset_urls()


def docs_static_app(*, cache_control: str = "public, max-age=86400") -> DocsStaticFiles:
    """Return the ASGI app serving the vendored docs assets.

    Mount it at ``DOCS_STATIC_PATH``; paths below the mount are e.g.
    ``swagger-ui-dist@5.35.0/swagger-ui-bundle.js`` (see ``SWAGGER_UI_DIR``).

    Args:
        cache_control: The ``Cache-Control`` header of asset responses.

    Returns:
        A ``DocsStaticFiles`` ASGI 3 application.
    """
    return DocsStaticFiles(STATIC_DIR, cache_control=cache_control)


DOCS_STATIC_ROUTE_NAME = "zephyr_docs_static"
"""The name of the route ``docs_static_route()`` returns (for ``url_path_for``)."""


def docs_static_route(*, cache_control: str = "public, max-age=86400") -> Route:
    """Return the route serving the vendored assets at ``DOCS_STATIC_PATH/{path:path}``.

    Applications add it when their docs pages are on. It answers every
    method itself (405 with ``Allow: GET, HEAD``, 404 for unknown files), so
    it never takes part in other routes' 404/405 decisions, and it is left
    out of the OpenAPI document.

    Args:
        cache_control: The ``Cache-Control`` header of asset responses.

    Returns:
        A ``Route`` (any method, ``include_in_schema=False``) for the app's
        compiled route table.
    """
    return Route(
        DOCS_STATIC_PATH + "/{path:path}",
        PathParamEndpoint(docs_static_app(cache_control=cache_control)),
        name=DOCS_STATIC_ROUTE_NAME,
        include_in_schema=False,
    )


def _js(value: Any) -> str:
    """Serialise ``value`` as a JavaScript literal safe inside ``<script>``.

    ``json.dumps`` already escapes non-ASCII (so U+2028/U+2029 too); escaping
    ``<``, ``>`` and ``&`` stops ``</script>`` and ``<!--`` from ending or
    changing the script element.
    """
    text = json.dumps(value)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _js_str(value: str) -> str:
    """Serialise ``value`` as a single-quoted JavaScript string literal, safe as ``_js``.

    The JSON escapes are valid JavaScript; only ``'`` needs escaping in addition
    (a ``\\"`` is still a plain ``"`` in a single-quoted literal).
    """
    return "'" + _js(value)[1:-1].replace("'", "\\u0027") + "'"


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


def get_swagger_ui_html(
    *,
    openapi_url: str,
    title: str,
    swagger_js_url: str = _LOCAL.swagger_js_url,
    swagger_css_url: str = _LOCAL.swagger_css_url,
    swagger_favicon_url: str = _LOCAL.swagger_favicon_url,
    oauth2_redirect_url: str | None = None,
    init_oauth: dict[str, Any] | None = None,
    swagger_ui_parameters: dict[str, Any] | None = None,
) -> HTMLResponse:
    """Render the Swagger UI page for an OpenAPI document.

    Args:
        openapi_url: URL of the OpenAPI JSON (usually ``root_path + "/openapi.json"``).
        title: The page title (HTML-escaped).
        swagger_js_url: URL of ``swagger-ui-bundle.js``; default the vendored copy.
        swagger_css_url: URL of ``swagger-ui.css``; default the vendored copy.
        swagger_favicon_url: URL of the favicon; default the vendored one.
        oauth2_redirect_url: Path of the OAuth2 redirect page, made absolute
            with ``window.location.origin``; ``None`` to omit.
        init_oauth: Settings for ``ui.initOAuth(...)`` (e.g. ``clientId``), or ``None``.
        swagger_ui_parameters: JSON-able Swagger UI options merged over
            ``swagger_ui_default_parameters`` (later keys win, ``url`` included).

    Returns:
        An ``HTMLResponse`` (200, ``text/html; charset=utf-8``).
    """
    config: dict[str, Any] = {"url": openapi_url, **swagger_ui_default_parameters}
    config.update(swagger_ui_parameters or {})
    # One property a line: the options (JSON), the OAuth2 redirect, then the
    # presets (functions, so not JSON).
    lines: list[str] = []
    lines.extend(f"  {_js(key)}: {_js(value)}," for key, value in config.items())
    if oauth2_redirect_url:
        lines.append(
            f"  oauth2RedirectUrl: window.location.origin + {_js_str(oauth2_redirect_url)},"
        )
    lines.append(
        "  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],"
    )
    init = f"\nui.initOAuth({_js(init_oauth)});" if init_oauth else ""
    options = "\n".join(lines)
    page = f"""<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link type="text/css" rel="stylesheet" href="{_attr(swagger_css_url)}">
<link rel="shortcut icon" href="{_attr(swagger_favicon_url)}">
<title>{html.escape(title)}</title>
</head>
<body>
<div id="swagger-ui"></div>
<script src="{_attr(swagger_js_url)}"></script>
<script>
const ui = SwaggerUIBundle({{
{options}
}});{init}
</script>
</body>
</html>
"""
    return HTMLResponse(page)


def get_redoc_html(
    *,
    openapi_url: str,
    title: str,
    redoc_js_url: str = _LOCAL.redoc_js_url,
    redoc_favicon_url: str = _LOCAL.redoc_favicon_url,
    with_google_fonts: bool = True,
) -> HTMLResponse:
    """Render the ReDoc page for an OpenAPI document.

    Args:
        openapi_url: URL of the OpenAPI JSON.
        title: The page title (HTML-escaped).
        redoc_js_url: URL of ``redoc.standalone.js``; default the vendored copy.
        redoc_favicon_url: URL of the favicon; default the vendored one.
        with_google_fonts: Load the Montserrat/Roboto fonts from Google Fonts
            (default ``True``, as in FastAPI). The app's own ``/redoc`` page
            passes ``False``, so it makes no external request; ReDoc then
            falls back to system fonts.

    Returns:
        An ``HTMLResponse`` (200, ``text/html; charset=utf-8``).
    """
    fonts = ""
    if with_google_fonts:
        fonts = (
            '<link href="https://fonts.googleapis.com/css?family=Montserrat:300,400,700'
            '|Roboto:300,400,700" rel="stylesheet">\n'
        )
    page = f"""<!DOCTYPE html>
<html>
<head>
<title>{html.escape(title)}</title>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{fonts}<link rel="shortcut icon" href="{_attr(redoc_favicon_url)}">
<style>body {{ margin: 0; padding: 0; }}</style>
</head>
<body>
<noscript>This documentation needs JavaScript.</noscript>
<redoc spec-url="{_attr(openapi_url)}"></redoc>
<script src="{_attr(redoc_js_url)}"></script>
</body>
</html>
"""
    return HTMLResponse(page)


def get_swagger_ui_oauth2_redirect_html(*, script_url: str | None = None) -> HTMLResponse:
    """Render the page Swagger UI's OAuth2 popup is redirected to.

    The page runs Swagger UI's own ``oauth2-redirect.js``, which hands the
    authorization result back to the opener window and closes the popup.

    Args:
        script_url: URL to load ``oauth2-redirect.js`` from; default ``None``:
            the vendored script is inlined, so the page needs no other request.

    Returns:
        An ``HTMLResponse`` (200, ``text/html; charset=utf-8``).
    """
    if script_url is None:
        script = f"<script>\n{_oauth2_redirect_script()}\n</script>"
    else:
        script = f'<script src="{_attr(script_url)}"></script>'
    page = f"""<!DOCTYPE html>
<html lang="en-US">
<head><title>Swagger UI: OAuth2 Redirect</title></head>
<body>
{script}
</body>
</html>
"""
    return HTMLResponse(page)


@functools.cache
def _oauth2_redirect_script() -> str:
    # Read once, on the first redirect (the file holds no "</script").
    return (STATIC_DIR / SWAGGER_UI_DIR / "oauth2-redirect.js").read_text("utf-8").strip()
