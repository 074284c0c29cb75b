"""Tutorial, first steps: a minimal app, its JSON answer and the generated OpenAPI."""

from typing import Any

from tests.guide.conftest import openapi
from zephyr import Zephyr

app = Zephyr()


@app.get("/")
async def greet() -> dict[str, str]:
    return {"greeting": "hello, world"}


@app.get("/sync")
def greet_sync():
    return ["plain", "function", 3]


def test_root_returns_json(client: Any) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"greeting": "hello, world"}


def test_sync_function_endpoint(client: Any) -> None:
    response = client.get("/sync")
    assert response.status_code == 200
    assert response.json() == ["plain", "function", 3]


def test_unknown_path_and_method(client: Any) -> None:
    missing = client.get("/nope")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Not Found"}
    wrong = client.post("/")
    assert wrong.status_code == 405
    assert wrong.json() == {"detail": "Method Not Allowed"}
    assert wrong.headers["allow"] == "GET"


def test_openapi_document(client: Any) -> None:
    doc = openapi(client)
    assert doc["openapi"].startswith("3.1")
    assert doc["info"] == {"title": "FastAPI", "version": "0.1.0"}
    op = doc["paths"]["/"]["get"]
    assert op["summary"] == "Greet"
    assert op["operationId"] == "greet__get"
    assert op["responses"] == {
        "200": {
            "description": "Successful Response",
            "content": {
                "application/json": {
                    "schema": {
                        "additionalProperties": {"type": "string"},
                        "type": "object",
                        "title": "Response Greet  Get",
                    }
                }
            },
        }
    }
    sync = doc["paths"]["/sync"]["get"]
    assert sync["operationId"] == "greet_sync_sync_get"
    assert sync["responses"]["200"]["content"]["application/json"]["schema"] == {}
    assert "components" not in doc


def test_docs_pages(client: Any) -> None:
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "text/html" in docs.headers["content-type"]
    assert "swagger" in docs.text.lower()
    redoc = client.get("/redoc")
    assert redoc.status_code == 200
    assert "redoc" in redoc.text.lower()
