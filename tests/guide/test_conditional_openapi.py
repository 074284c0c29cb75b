"""How-to, conditional OpenAPI and Swagger UI configuration."""

import os
from typing import Any

from zephyr import Zephyr


def build(openapi_url: str | None) -> Zephyr:
    application = Zephyr(
        openapi_url=openapi_url,
        swagger_ui_parameters={"syntaxHighlight": False, "deepLinking": False},
        swagger_ui_init_oauth={"clientId": "guide-client"},
    )

    @application.get("/status")
    async def service_status() -> dict[str, str]:
        return {"status": "green"}

    return application


# The URL comes from the environment, so production can turn the docs off.
app = build(os.environ.get("GUIDE_OPENAPI_URL", "/openapi.json"))
production = build(None)


def test_docs_enabled(client: Any) -> None:
    assert client.get("/openapi.json").status_code == 200
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert '"syntaxHighlight": false' in docs.text
    assert '"deepLinking": false' in docs.text
    assert '"clientId": "guide-client"' in docs.text


def test_docs_disabled(mod: Any, make_client: Any) -> None:
    client = make_client(mod.production)
    assert client.get("/status").json() == {"status": "green"}
    for path in ("/openapi.json", "/docs", "/redoc"):
        assert client.get(path).status_code == 404
