"""Jinja2Templates: rendering, url_for, context processors, test client hooks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import jinja2
import pytest

from zephyr.applications import BaseApp, Zephyr
from zephyr.background import BackgroundTask
from zephyr.requests import Request
from zephyr.routing import Route
from zephyr.templating import Jinja2Templates
from zephyr.testclient import TestClient


@pytest.fixture
def templates(tmp_path: Path) -> Jinja2Templates:
    (tmp_path / "index.html").write_text(
        "<h1>{{ title }}</h1><a href='{{ url_for('item', item_id=7) }}'>x</a>"
        "<p>{{ request.url.path }} {{ site }}</p>"
    )
    (tmp_path / "plain.txt").write_text("{{ value }}")
    return Jinja2Templates(
        directory=tmp_path, context_processors=[lambda request: {"site": "Zephyr"}]
    )


def make_app(templates: Jinja2Templates, **response_options: Any) -> BaseApp:
    async def index(request: Request) -> Any:
        title = request.query_params.get("title", "Home")
        return templates.TemplateResponse(
            request, "index.html", {"title": title}, **response_options
        )

    async def item(request: Request) -> Any:
        return templates.TemplateResponse(request, "plain.txt", {"value": "item"})

    return BaseApp(routes=[Route("/", index), Route("/items/{item_id}", item, name="item")])


def test_render_with_url_for_and_context_processor(templates: Jinja2Templates) -> None:
    response = TestClient(make_app(templates)).get("/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.text == (
        "<h1>Home</h1><a href='http://testserver/items/7'>x</a><p>/ Zephyr</p>"
    )


def test_html_is_autoescaped(templates: Jinja2Templates) -> None:
    response = TestClient(make_app(templates)).get("/", params={"title": "<script>x</script>"})
    assert "<script>" not in response.text
    assert "&lt;script&gt;x&lt;/script&gt;" in response.text


def test_testclient_exposes_template_and_context(templates: Jinja2Templates) -> None:
    response = TestClient(make_app(templates)).get("/")
    assert response.template.name == "index.html"
    assert response.context["title"] == "Home"
    assert response.context["site"] == "Zephyr"
    assert isinstance(response.context["request"], Request)


def test_response_options(templates: Jinja2Templates) -> None:
    ran: list[str] = []
    app = make_app(
        templates,
        status_code=201,
        headers={"x-extra": "1"},
        media_type="text/plain",
        background=BackgroundTask(ran.append, "done"),
    )
    response = TestClient(app).get("/")
    assert response.status_code == 201
    assert response.headers["x-extra"] == "1"
    assert response.headers["content-type"].startswith("text/plain")
    assert ran == ["done"]


def test_env_argument_and_get_template() -> None:
    env = jinja2.Environment(loader=jinja2.DictLoader({"a.html": "{{ 1 + 1 }}"}), autoescape=True)
    templates = Jinja2Templates(env=env)
    assert templates.env is env
    assert templates.get_template("a.html").render() == "2"
    assert "url_for" in env.globals


def test_directory_or_env_exactly_one(tmp_path: Path) -> None:
    with pytest.raises(AssertionError):
        Jinja2Templates()
    with pytest.raises(AssertionError):
        Jinja2Templates(directory=tmp_path, env=jinja2.Environment())


def test_several_directories(tmp_path: Path) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    (tmp_path / "two" / "b.html").write_text("from two")
    templates = Jinja2Templates(directory=[tmp_path / "one", tmp_path / "two"])
    assert templates.get_template("b.html").render() == "from two"


def test_missing_template_raises(templates: Jinja2Templates) -> None:
    with pytest.raises(jinja2.TemplateNotFound):
        templates.get_template("nope.html")


def test_works_in_api_app(templates: Jinja2Templates) -> None:
    app = Zephyr()

    @app.get("/items/{item_id}", name="item")
    async def item(item_id: int) -> dict[str, int]:
        return {"item_id": item_id}

    @app.get("/page")
    async def page(request: Request) -> Any:
        return templates.TemplateResponse(request, "index.html", {"title": "API"})

    response = TestClient(app).get("/page")
    assert "<a href='http://testserver/items/7'>" in response.text
    assert response.context["title"] == "API"


def test_clear_error_without_jinja2() -> None:
    code = (
        "import sys; sys.modules['jinja2'] = None\n"
        "try:\n    import zephyr.templating\n"
        "except ImportError as exc:\n    print(exc)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=True
    )
    assert "zephyr.templating requires jinja2" in out.stdout
    assert "pip install jinja2" in out.stdout
