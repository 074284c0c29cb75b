"""Tutorial, CORS: CORSMiddleware answering preflights and decorating simple requests."""

from typing import Any

from tests.guide.conftest import operation
from zephyr import Zephyr
from zephyr.middleware.cors import CORSMiddleware

app = Zephyr()

app.add_middleware(
    CORSMiddleware,
    allow_origins=["https://shop.example", "http://localhost:5173"],
    allow_credentials=True,
    allow_methods=["GET", "POST"],
    allow_headers=["X-Basket"],
    expose_headers=["X-Total"],
    max_age=300,
)

open_app = Zephyr()

open_app.add_middleware(CORSMiddleware, allow_origins=["*"])


@app.get("/basket")
@open_app.get("/basket")
async def basket() -> dict[str, int]:
    return {"items": 2}


def test_simple_request_from_allowed_origin(client: Any) -> None:
    response = client.get("/basket", headers={"Origin": "https://shop.example"})
    assert response.status_code == 200
    assert response.json() == {"items": 2}
    assert response.headers["access-control-allow-origin"] == "https://shop.example"
    assert response.headers["access-control-allow-credentials"] == "true"
    assert response.headers["access-control-expose-headers"] == "X-Total"


def test_disallowed_origin_gets_no_cors_headers(client: Any) -> None:
    response = client.get("/basket", headers={"Origin": "https://evil.example"})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


def test_preflight(client: Any) -> None:
    headers = {
        "Origin": "http://localhost:5173",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "X-Basket",
    }
    response = client.options("/basket", headers=headers)
    assert response.status_code == 200
    assert response.text == "OK"
    assert response.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert response.headers["access-control-max-age"] == "300"
    assert "POST" in response.headers["access-control-allow-methods"]
    bad = client.options("/basket", headers={**headers, "Access-Control-Request-Method": "DELETE"})
    assert bad.status_code == 400
    assert bad.text.startswith("Disallowed CORS method")  # zephyr also names the method


def test_wildcard_origin(mod: Any, make_client: Any) -> None:
    response = make_client(mod.open_app).get("/basket", headers={"Origin": "https://any.example"})
    assert response.headers["access-control-allow-origin"] == "*"


def test_openapi_unaffected(client: Any) -> None:
    assert operation(client, "/basket")["operationId"] == "basket_basket_get"
