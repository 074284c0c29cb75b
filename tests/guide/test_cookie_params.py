"""Tutorial, cookie parameters: Cookie() with defaults, validation and OpenAPI."""

from typing import Annotated, Any

from tests.guide.conftest import operation
from zephyr import Cookie, Zephyr

app = Zephyr()


@app.get("/basket")
async def basket(
    basket_id: Annotated[str | None, Cookie()] = None,
    visits: Annotated[int, Cookie(ge=0)] = 0,
) -> dict[str, Any]:
    return {"basket_id": basket_id, "visits": visits}


@app.get("/required")
async def required(session: Annotated[str, Cookie()]) -> dict[str, str]:
    return {"session": session}


def test_cookies_read(client: Any) -> None:
    assert client.get("/basket").json() == {"basket_id": None, "visits": 0}
    response = client.get("/basket", headers={"cookie": "basket_id=b-17; visits=4; other=x"})
    assert response.json() == {"basket_id": "b-17", "visits": 4}


def test_cookie_validation(client: Any) -> None:
    response = client.get("/basket", headers={"cookie": "visits=-2"})
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "type": "greater_than_equal",
            "loc": ["cookie", "visits"],
            "msg": "Input should be greater than or equal to 0",
            "input": "-2",
            "ctx": {"ge": 0},
        }
    ]


def test_required_cookie(client: Any) -> None:
    missing = client.get("/required")
    assert missing.status_code == 422
    assert missing.json()["detail"] == [
        {"type": "missing", "loc": ["cookie", "session"], "msg": "Field required", "input": None}
    ]
    assert client.get("/required", headers={"cookie": "session=s1"}).json() == {"session": "s1"}


def test_openapi_cookie_params(client: Any) -> None:
    assert operation(client, "/basket")["parameters"] == [
        {
            "name": "basket_id",
            "in": "cookie",
            "required": False,
            "schema": {"anyOf": [{"type": "string"}, {"type": "null"}], "title": "Basket Id"},
        },
        {
            "name": "visits",
            "in": "cookie",
            "required": False,
            "schema": {"type": "integer", "minimum": 0, "default": 0, "title": "Visits"},
        },
    ]
