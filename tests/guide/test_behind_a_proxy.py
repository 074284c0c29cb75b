"""Advanced, behind a proxy: root_path in the app and from the server, servers in OpenAPI."""

from typing import Any

from tests.guide.conftest import openapi
from zephyr import Request, Zephyr

app = Zephyr(root_path="/api/v1")


@app.get("/app")
async def read_main(request: Request) -> dict[str, Any]:
    return {"message": "hello", "root_path": request.scope.get("root_path")}


stripped = Zephyr(
    servers=[
        {"url": "https://stag.example.com", "description": "Staging"},
        {"url": "https://prod.example.com", "description": "Production"},
    ],
)


@stripped.get("/app")
async def read_stripped(request: Request) -> dict[str, Any]:
    return {
        "root_path": request.scope.get("root_path"),
        "url": str(request.url_for("read_stripped")),
    }


no_root_server = Zephyr(root_path="/edge", root_path_in_servers=False)


@no_root_server.get("/ping")
async def ping() -> str:
    return "pong"


def test_app_root_path(client: Any) -> None:
    response = client.get("/app")
    assert response.status_code == 200
    assert response.json() == {"message": "hello", "root_path": "/api/v1"}


def test_openapi_servers_from_root_path(client: Any) -> None:
    assert openapi(client)["servers"] == [{"url": "/api/v1"}]
    docs = client.get("/docs")
    assert "/api/v1/openapi.json" in docs.text


def test_root_path_from_the_server(mod: Any, make_client: Any) -> None:
    client = make_client(mod.stripped, root_path="/proxy")
    response = client.get("/app")
    assert response.json() == {"root_path": "/proxy", "url": "http://testserver/proxy/app"}
    assert openapi(client)["servers"] == [
        {"url": "/proxy"},
        {"url": "https://stag.example.com", "description": "Staging"},
        {"url": "https://prod.example.com", "description": "Production"},
    ]


def test_root_path_not_in_servers(mod: Any, make_client: Any) -> None:
    client = make_client(mod.no_root_server)
    assert client.get("/ping").json() == "pong"
    assert "servers" not in openapi(client)
