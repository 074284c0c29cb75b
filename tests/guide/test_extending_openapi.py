"""How-to, extending OpenAPI: a custom app.openapi built with get_openapi, then cached."""

from typing import Any

from tests.guide.conftest import openapi
from zephyr import Zephyr
from zephyr.openapi.utils import get_openapi

app = Zephyr()

CALLS: list[int] = []


@app.get("/pets")
async def pets() -> list[str]:
    return ["rex"]


def custom_openapi() -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    CALLS.append(1)
    document = get_openapi(
        title="Pet shop",
        version="3.0.0",
        summary="Custom document",
        description="Built by hand",
        routes=app.routes,
    )
    document["info"]["x-logo"] = {"url": "https://pets.example/logo.png"}
    app.openapi_schema = document
    return app.openapi_schema


app.openapi = custom_openapi  # type: ignore[method-assign]


def test_custom_document_served_and_cached(mod: Any, client: Any) -> None:
    doc = openapi(client)
    assert doc["info"] == {
        "title": "Pet shop",
        "summary": "Custom document",
        "description": "Built by hand",
        "version": "3.0.0",
        "x-logo": {"url": "https://pets.example/logo.png"},
    }
    assert doc["paths"]["/pets"]["get"]["operationId"] == "pets_pets_get"
    openapi(client)
    assert len(mod.CALLS) == 1


def test_routes_unaffected(client: Any) -> None:
    assert client.get("/pets").json() == ["rex"]
