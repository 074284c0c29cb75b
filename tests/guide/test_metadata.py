"""Tutorial, metadata and docs URLs: app info, tag metadata, custom or disabled docs URLs."""

from typing import Any

from tests.guide.conftest import openapi
from zephyr import Zephyr

DESCRIPTION = """
Weather station API. 🌦

You can **read** measurements and **record** new ones.
"""

tags_metadata = [
    {"name": "readings", "description": "Measurements from the stations."},
    {
        "name": "stations",
        "description": "Station management.",
        "externalDocs": {
            "description": "Hardware manual",
            "url": "https://stations.example/manual",
        },
    },
]

app = Zephyr(
    title="WeatherHub",
    summary="Stations and their readings",
    description=DESCRIPTION,
    version="2.1.0",
    terms_of_service="https://stations.example/terms/",
    contact={"name": "Ops", "url": "https://stations.example/ops", "email": "ops@stations.example"},
    license_info={"name": "Apache 2.0", "identifier": "Apache-2.0"},
    openapi_tags=tags_metadata,
    openapi_external_docs={
        "description": "Operator handbook",
        "url": "https://stations.example/hb",
    },
    openapi_url="/api/v2/openapi.json",
    docs_url="/documentation",
    redoc_url=None,
)


@app.get("/readings", tags=["readings"])
async def readings() -> list[float]:
    return [12.5, 13.0]


@app.get("/stations", tags=["stations"])
async def stations() -> list[str]:
    return ["north"]


hidden = Zephyr(openapi_url=None)


@hidden.get("/secret")
async def secret() -> dict[str, bool]:
    return {"documented": False}


def test_info_block(client: Any) -> None:
    response = client.get("/api/v2/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["info"] == {
        "title": "WeatherHub",
        "summary": "Stations and their readings",
        "description": DESCRIPTION,
        "termsOfService": "https://stations.example/terms/",
        "contact": {
            "name": "Ops",
            "url": "https://stations.example/ops",
            "email": "ops@stations.example",
        },
        "license": {"name": "Apache 2.0", "identifier": "Apache-2.0"},
        "version": "2.1.0",
    }
    assert doc["tags"] == tags_metadata
    assert doc["externalDocs"] == {
        "description": "Operator handbook",
        "url": "https://stations.example/hb",
    }


def test_custom_docs_urls(client: Any) -> None:
    assert client.get("/openapi.json").status_code == 404
    docs = client.get("/documentation")
    assert docs.status_code == 200
    assert "/api/v2/openapi.json" in docs.text
    assert "<title>WeatherHub - Swagger UI</title>" in docs.text
    assert client.get("/redoc").status_code == 404
    assert client.get("/docs").status_code == 404
    assert client.get("/readings").json() == [12.5, 13.0]


def test_openapi_disabled(mod: Any, make_client: Any) -> None:
    client = make_client(mod.hidden)
    for path in ("/openapi.json", "/docs", "/redoc", "/docs/oauth2-redirect"):
        assert client.get(path).status_code == 404
    assert client.get("/secret").json() == {"documented": False}


def test_default_urls(mod: Any, make_client: Any, framework: str) -> None:
    default = make_client(mod.stations_app)
    assert openapi(default)["info"]["title"] == "FastAPI"
    assert default.get("/docs/oauth2-redirect").status_code == 200


stations_app = Zephyr()
