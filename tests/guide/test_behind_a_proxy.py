"""Advanced, behind a proxy: root_path in the app and from the server, servers in OpenAPI."""

from typing import Any

from tests.guide.conftest import openapi
from zephyr import Request, Zephyr

app = Zephyr(root_path="/gateway/v3")


@app.get("/status")
async def gateway_status(request: Request) -> dict[str, Any]:
    return {"up": True, "mounted_at": request.scope.get("root_path")}


stripped = Zephyr(
    servers=[
        {"url": "https://stag.example.com", "description": "Staging"},
        {"url": "https://prod.example.com", "description": "Production"},
    ],
)


@stripped.get("/quotes")
async def quotes(request: Request) -> dict[str, Any]:
    return {"mounted_at": request.scope.get("root_path"), "self": str(request.url_for("quotes"))}


no_root_server = Zephyr(root_path="/edge", root_path_in_servers=False)


@no_root_server.get("/ping")
async def ping() -> str:
    return "pong"


def test_app_root_path(client: Any) -> None:
    response = client.get("/status")
    assert response.status_code == 200
    assert response.json() == {"up": True, "mounted_at": "/gateway/v3"}


def test_openapi_servers_from_root_path(client: Any) -> None:
    assert openapi(client)["servers"] == [{"url": "/gateway/v3"}]
    docs = client.get("/docs")
    assert "/gateway/v3/openapi.json" in docs.text


def test_root_path_from_the_server(mod: Any, make_client: Any) -> None:
    client = make_client(mod.stripped, root_path="/proxy")
    response = client.get("/quotes")
    assert response.json() == {"mounted_at": "/proxy", "self": "http://testserver/proxy/quotes"}
    assert openapi(client)["servers"] == [
        {"url": "/proxy"},
        {"url": "https://stag.example.com", "description": "Staging"},
        {"url": "https://prod.example.com", "description": "Production"},
    ]


def test_root_path_not_in_servers(mod: Any, make_client: Any) -> None:
    client = make_client(mod.no_root_server)
    assert client.get("/ping").json() == "pong"
    assert "servers" not in openapi(client)
