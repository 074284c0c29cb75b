"""Tutorial, query/header/cookie parameter models: a Pydantic model per location."""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from tests.guide.conftest import operation
from zephyr import Cookie, Header, Query, Zephyr

app = Zephyr()


class Listing(BaseModel):
    page: int = Field(1, ge=1)
    per_page: int = Field(20, le=100)
    sort: Literal["name", "date"] = "date"
    tag: list[str] = []


class StrictListing(BaseModel):
    model_config = ConfigDict(extra="forbid")

    page: int = 1


class Caller(BaseModel):
    user_agent: str | None = None
    x_tenant: str
    x_flag: list[str] = []


class Prefs(BaseModel):
    theme: str = "light"
    lang: str | None = None


@app.get("/listings")
async def listings(query: Annotated[Listing, Query()]) -> Listing:
    return query


@app.get("/strict")
async def strict(query: Annotated[StrictListing, Query()]) -> StrictListing:
    return query


@app.get("/caller")
async def caller(headers: Annotated[Caller, Header()]) -> Caller:
    return headers


@app.get("/prefs")
async def prefs(cookies: Annotated[Prefs, Cookie()]) -> Prefs:
    return cookies


def test_query_model(client: Any) -> None:
    response = client.get("/listings?page=2&sort=name&tag=a&tag=b")
    assert response.status_code == 200
    assert response.json() == {"page": 2, "per_page": 20, "sort": "name", "tag": ["a", "b"]}
    bad = client.get("/listings?page=0&sort=size")
    assert bad.status_code == 422
    assert [(e["type"], e["loc"]) for e in bad.json()["detail"]] == [
        ("greater_than_equal", ["query", "page"]),
        ("literal_error", ["query", "sort"]),
    ]


def test_forbid_extra_query_params(client: Any) -> None:
    assert client.get("/strict?page=3").json() == {"page": 3}
    response = client.get("/strict?page=3&tracking=abc")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "extra_forbidden",
                "loc": ["query", "tracking"],
                "msg": "Extra inputs are not permitted",
                "input": "abc",
            }
        ]
    }


def test_header_model(client: Any) -> None:
    response = client.get(
        "/caller", headers=[("x-tenant", "acme"), ("x-flag", "a"), ("x-flag", "b")]
    )
    assert response.status_code == 200
    body = response.json()
    assert body["x_tenant"] == "acme"
    assert body["x_flag"] == ["a", "b"]
    missing = client.get("/caller")
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["header", "x-tenant"]


def test_cookie_model(client: Any) -> None:
    assert client.get("/prefs").json() == {"theme": "light", "lang": None}
    response = client.get("/prefs", headers={"cookie": "theme=dark; lang=fr"})
    assert response.json() == {"theme": "dark", "lang": "fr"}


def test_openapi_model_params_are_flattened(client: Any) -> None:
    params = operation(client, "/listings")["parameters"]
    assert [(p["name"], p["in"], p["required"]) for p in params] == [
        ("page", "query", False),
        ("per_page", "query", False),
        ("sort", "query", False),
        ("tag", "query", False),
    ]
    assert params[2]["schema"] == {
        "type": "string",
        "enum": ["name", "date"],
        "default": "date",
        "title": "Sort",
    }
    headers = operation(client, "/caller")["parameters"]
    assert [(p["name"], p["in"]) for p in headers] == [
        ("user-agent", "header"),
        ("x-tenant", "header"),
        ("x-flag", "header"),
    ]
    cookies = operation(client, "/prefs")["parameters"]
    assert [(p["name"], p["in"]) for p in cookies] == [("theme", "cookie"), ("lang", "cookie")]
