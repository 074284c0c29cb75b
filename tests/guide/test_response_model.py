"""Tutorial, response model: return types, response_model filtering and exclude options."""

from typing import Any

import pytest
from pydantic import BaseModel, Field

from tests.guide.conftest import operation, schema
from zephyr import Zephyr
from zephyr.exceptions import ResponseValidationError  # noqa: F401 - used as mod.<name>
from zephyr.responses import JSONResponse, RedirectResponse, Response

app = Zephyr()


class AccountIn(BaseModel):
    login: str
    password: str
    email: str | None = Field(None, pattern=r"^[^@\s]+@[^@\s]+$")


class AccountOut(BaseModel):
    login: str
    email: str | None = None


class Product(BaseModel):
    name: str
    price: float
    discount: float = 0.0
    tags: list[str] = []
    note: str | None = None


PRODUCTS = {
    "kettle": {"name": "Kettle", "price": 30},
    "mug": {"name": "Mug", "price": 5, "discount": 0.5, "note": None},
    "pot": {"name": "Pot", "price": 12, "discount": 0.0, "tags": ["kitchen"], "note": "steel"},
}


@app.post("/accounts", response_model=AccountOut)
async def create_account(account: AccountIn) -> Any:
    return account


@app.post("/accounts/typed")
async def create_account_typed(account: AccountIn) -> AccountOut:
    return AccountOut(**account.model_dump())


@app.get("/products/{key}", response_model=Product, response_model_exclude_unset=True)
async def product_unset(key: str) -> Any:
    return PRODUCTS[key]


@app.get("/products/{key}/defaults", response_model=Product, response_model_exclude_defaults=True)
async def product_defaults(key: str) -> Any:
    return PRODUCTS[key]


@app.get("/products/{key}/none", response_model=Product, response_model_exclude_none=True)
async def product_none(key: str) -> Any:
    return PRODUCTS[key]


@app.get(
    "/products/{key}/short",
    response_model=Product,
    response_model_include={"name", "price"},
)
async def product_short(key: str) -> Any:
    return PRODUCTS[key]


@app.get("/products/{key}/public", response_model=Product, response_model_exclude={"note"})
async def product_public(key: str) -> Any:
    return PRODUCTS[key]


@app.get("/products", response_model=list[Product])
async def all_products() -> Any:
    return list(PRODUCTS.values())


@app.get("/go")
async def go(to_docs: bool = False) -> Response:
    if to_docs:
        return RedirectResponse("/docs")
    return JSONResponse({"staying": True})


@app.get("/unfiltered", response_model=None)
async def unfiltered() -> Response | dict[str, str]:
    return {"any": "thing"}


@app.get("/broken", response_model=Product)
async def broken() -> Any:
    return {"name": "no price"}


def test_response_model_filters_secret(client: Any) -> None:
    account = {"login": "kim", "password": "hunter2", "email": "kim@example.com"}
    for path in ("/accounts", "/accounts/typed"):
        response = client.post(path, json=account)
        assert response.status_code == 200
        assert response.json() == {"login": "kim", "email": "kim@example.com"}


def test_email_validation(client: Any) -> None:
    response = client.post("/accounts", json={"login": "a", "password": "b", "email": "nope"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "email"]
    assert response.json()["detail"][0]["type"] == "string_pattern_mismatch"


def test_exclude_unset(client: Any) -> None:
    assert client.get("/products/kettle").json() == {"name": "Kettle", "price": 30.0}
    assert client.get("/products/mug").json() == {
        "name": "Mug",
        "price": 5.0,
        "discount": 0.5,
        "note": None,
    }


def test_exclude_defaults_and_none(client: Any) -> None:
    assert client.get("/products/pot/defaults").json() == {
        "name": "Pot",
        "price": 12.0,
        "tags": ["kitchen"],
        "note": "steel",
    }
    assert client.get("/products/mug/none").json() == {
        "name": "Mug",
        "price": 5.0,
        "discount": 0.5,
        "tags": [],
    }


def test_include_and_exclude(client: Any) -> None:
    assert client.get("/products/pot/short").json() == {"name": "Pot", "price": 12.0}
    assert client.get("/products/pot/public").json() == {
        "name": "Pot",
        "price": 12.0,
        "discount": 0.0,
        "tags": ["kitchen"],
    }


def test_list_response_model(client: Any) -> None:
    body = client.get("/products").json()
    assert [p["name"] for p in body] == ["Kettle", "Mug", "Pot"]
    assert body[0] == {"name": "Kettle", "price": 30.0, "discount": 0.0, "tags": [], "note": None}


def test_returning_responses_directly(client: Any) -> None:
    redirect = client.get("/go?to_docs=true", follow_redirects=False)
    assert redirect.status_code == 307
    assert redirect.headers["location"] == "/docs"
    assert client.get("/go").json() == {"staying": True}
    assert client.get("/unfiltered").json() == {"any": "thing"}


def test_invalid_return_value_is_a_server_error(mod: Any, make_client: Any) -> None:
    client = make_client(mod.app, raise_server_exceptions=False)
    response = client.get("/broken")
    assert response.status_code == 500
    assert response.text == "Internal Server Error"
    assert response.headers["content-type"] == "text/plain; charset=utf-8"


def test_invalid_return_value_raises_in_tests(mod: Any, make_client: Any) -> None:
    with pytest.raises(mod.ResponseValidationError) as info:
        make_client(mod.app).get("/broken")
    [error] = info.value.errors()
    assert (error["type"], error["loc"]) == ("missing", ("response", "price"))


def test_openapi_response_models(client: Any) -> None:
    content = operation(client, "/accounts", "post")["responses"]["200"]["content"]
    assert content == {"application/json": {"schema": {"$ref": "#/components/schemas/AccountOut"}}}
    typed = operation(client, "/accounts/typed", "post")["responses"]["200"]["content"]
    assert typed == content
    listing = operation(client, "/products")["responses"]["200"]["content"]["application/json"]
    assert listing["schema"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/Product"},
        "title": "Response All Products Products Get",
    }
    assert "password" not in schema(client, "AccountOut")["properties"]
    assert schema(client, "AccountOut")["properties"]["email"] == {
        "anyOf": [{"type": "string"}, {"type": "null"}],
        "title": "Email",
    }
    go = operation(client, "/go")["responses"]["200"]["content"]["application/json"]
    assert go == {"schema": {}}
