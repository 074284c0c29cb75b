"""``/docs`` and ``/redoc`` in a real browser: headless Chromium, no network beyond 127.0.0.1.

Playwright drives Debian's ``chromium`` (``/usr/bin/chromium``; ``.ci/run``
installs it). Every request the page makes to another host is aborted and
recorded, so a page that needs the internet fails here. The tests take the
screenshots in ``docs/screenshots/``: ``ZEPHYR_UPDATE_SCREENSHOTS=1`` writes
them there, otherwise they go to the test's temporary folder.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright import sync_api as playwright_sync

from tests.e2e.conftest import ROOT, ServerProcess, app_path
from tests.examples._load import load_example
from zephyr.routing import Route

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

Serve = Callable[..., ServerProcess]
OpenPage = Callable[[str], "Opened"]

CHROMIUM = Path(os.environ.get("ZEPHYR_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = ROOT / "docs" / "screenshots"
WAIT_MS = 30_000

# ReDoc's sidebar footer always asks for its vendor's logo image and hides it
# when the request fails; nothing else may leave the machine.
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


@dataclass
class Opened:
    """A page and what went wrong in it (script errors, failed requests)."""

    page: playwright_sync.Page
    errors: list[str] = field(default_factory=list)


class Browser:
    """One Chromium profile; pages opened here reach 127.0.0.1 only."""

    def __init__(self, context: playwright_sync.BrowserContext) -> None:
        self.context = context
        self.blocked: list[str] = []
        context.set_default_timeout(WAIT_MS)
        context.route("**/*", self._route)

    def _route(self, route: playwright_sync.Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def open(self, url: str) -> Opened:
        opened = Opened(self.context.new_page())
        errors = opened.errors
        opened.page.on("pageerror", lambda error: errors.append(str(error)))
        opened.page.on("requestfailed", lambda request: errors.append(f"failed: {request.url}"))
        opened.page.goto(url)
        return opened


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} not found: the docs browser tests need Debian's package `chromium` "
            "(apt-get install -y chromium; .ci/run installs it), or ZEPHYR_CHROMIUM=<path>"
        )
    profile = tmp_path_factory.mktemp("chromium-profile")
    with playwright_sync.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 800},
        )
        try:
            yield Browser(context)
        finally:
            context.close()


@pytest.fixture
def browser_page(browser: Browser) -> Iterator[Callable[[str], Opened]]:
    """Open pages in the shared browser; blocked requests are reset per test."""
    pages: list[Opened] = []
    browser.blocked.clear()

    def open_page(url: str) -> Opened:
        opened = browser.open(url)
        pages.append(opened)
        return opened

    yield open_page
    for opened in pages:
        opened.page.close()


def screenshot(page: playwright_sync.Page, name: str, tmp_path: Path, full: bool) -> Path:
    folder = SCREENSHOTS if os.environ.get("ZEPHYR_UPDATE_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    page.screenshot(path=str(path), full_page=full)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return path


def example_operations() -> set[tuple[str, str]]:
    """``(METHOD, path)`` of every documented operation of examples/main.py, from its routes."""
    app = load_example("main").app
    return {
        (method, route.path)
        for route in app.routes
        if isinstance(route, Route) and route.include_in_schema
        for method in route.methods or ()
        if method != "HEAD"
    }


def test_swagger_ui_lists_the_example_operations(
    serve: Serve, browser: Browser, browser_page: OpenPage, tmp_path: Path
) -> None:
    server = serve("run", str(ROOT / "examples" / "main.py"))
    server.wait_for_log("(Press CTRL+C to quit)")
    opened = browser_page(server.url + "/docs")
    page = opened.page
    page.wait_for_selector(".opblock")
    listed = {
        (
            block.query_selector(".opblock-summary-method").inner_text().strip(),
            block.query_selector(".opblock-summary-path").get_attribute("data-path"),
        )
        for block in page.query_selector_all(".opblock")
    }
    expected = example_operations()
    assert len(expected) == 4
    assert listed == expected
    assert page.locator(".info .title").first.inner_text().startswith("zephyr example")
    screenshot(page, "docs.png", tmp_path, full=True)
    assert opened.errors == []
    assert browser.blocked == []


def test_redoc_renders_the_operation_list(
    serve: Serve, browser: Browser, browser_page: OpenPage, tmp_path: Path
) -> None:
    server = serve("run", str(ROOT / "examples" / "main.py"))
    server.wait_for_log("(Press CTRL+C to quit)")
    opened = browser_page(server.url + "/redoc")
    page = opened.page
    page.wait_for_selector("[data-section-id^='operation/']")
    sections = page.locator("[data-section-id^='operation/'] h2").all_inner_texts()
    assert sections == ["Index", "List Items", "Create Item", "Get Item"]
    menu = page.locator("[role=menuitem]").all_inner_texts()
    assert [item.split(None, 1)[-1].strip() for item in menu] == sections
    screenshot(page, "redoc.png", tmp_path, full=False)
    assert [error for error in opened.errors if REDOC_LOGO not in error] == []
    assert set(browser.blocked) <= {REDOC_LOGO}


def test_authorize_opens_its_dialog(serve: Serve, browser: Browser, browser_page: OpenPage) -> None:
    server = serve("run", app_path("oauth2_docs.py"))
    server.wait_for_log("(Press CTRL+C to quit)")
    opened = browser_page(server.url + "/docs")
    page = opened.page
    page.wait_for_selector(".opblock")
    page.locator("button.authorize").first.click()
    dialog = page.locator(".dialog-ux .modal-ux")
    dialog.wait_for(state="visible")
    text = dialog.inner_text()
    assert "Available authorizations" in text
    assert "OAuth2PasswordBearer" in text and "password" in text.lower()
    assert dialog.locator("input#oauth_username").count() == 1
    assert dialog.locator("input#oauth_password").count() == 1
    assert opened.errors == []
    assert browser.blocked == []
