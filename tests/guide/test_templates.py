"""Advanced, templates: Jinja2Templates.TemplateResponse with url_for and autoescaping."""

from pathlib import Path
from typing import Any

from tests.guide.conftest import operation
from zephyr import Request, Zephyr
from zephyr.responses import HTMLResponse
from zephyr.templating import Jinja2Templates

app = Zephyr()
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")

RECIPES = {7: "Lentil <soup>"}


@app.get("/recipes/{recipe_id}", response_class=HTMLResponse)
async def read_recipe(request: Request, recipe_id: int, note: str = "") -> Any:
    recipe = {"id": recipe_id, "title": RECIPES.get(recipe_id, "unknown")}
    return templates.TemplateResponse(
        request=request, name="recipe.html", context={"recipe": recipe, "note": note}
    )


def test_rendered_page(client: Any) -> None:
    response = client.get("/recipes/7?note=<b>hot</b>")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "<title>Lentil &lt;soup&gt;</title>" in response.text
    assert '<a href="http://testserver/recipes/7">permalink</a>' in response.text
    assert "<p>&lt;b&gt;hot&lt;/b&gt;</p>" in response.text


def test_template_context_on_response(client: Any) -> None:
    response = client.get("/recipes/1")
    assert response.template.name == "recipe.html"
    assert response.context["recipe"] == {"id": 1, "title": "unknown"}


def test_openapi_html_response(client: Any) -> None:
    assert operation(client, "/recipes/{recipe_id}")["responses"]["200"]["content"] == {
        "text/html": {"schema": {"type": "string"}}
    }
