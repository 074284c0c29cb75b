"""fastapi-pagination on a zephyr app: Page[...] responses and their query parameters.

``add_pagination`` edits each paginated route's dependency tree in place
(``route.dependant.dependencies.append(...)``) and builds the route's handler
again; the route compiles its plan from the edited tree, and the OpenAPI
document lists the parameters the library added.
"""

from __future__ import annotations

from typing import Any, TypeVar

import httpx
from fastapi import APIRouter, Depends, FastAPI, Query
from fastapi_pagination import (
    LimitOffsetPage,
    Page,
    Params,
    add_pagination,
    paginate,
)
from fastapi_pagination.customization import CustomizedPage, UseParamsFields
from fastapi_pagination.utils import disable_installed_extensions_check
from pydantic import BaseModel

from .conftest import Serve

# The suite's virtualenv has SQLAlchemy (for fastapi-users): paginating plain
# lists is what these tests mean to do.
disable_installed_extensions_check()

T = TypeVar("T")

# Pages of 5 by default, up to 500 (the docs' way to change the size bounds).
BigPage = CustomizedPage[Page[T], UseParamsFields(size=Query(5, ge=1, le=500))]


class User(BaseModel):
    name: str


USERS = [User(name=f"user{i}") for i in range(23)]


def _parameters(schema: dict[str, Any], path: str) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}


def test_pages_of_a_list(serve: Serve) -> None:
    app = FastAPI()

    @app.get("/users")
    async def get_users() -> Page[User]:
        return paginate(USERS)

    add_pagination(app)
    url = serve(app)
    with httpx.Client(base_url=url) as client:
        page = client.get("/users", params={"page": 3, "size": 10}).json()
        first = client.get("/users").json()
        invalid = client.get("/users", params={"size": 0})
        schema = client.get("/openapi.json").json()
    assert page["items"] == [{"name": f"user{i}"} for i in range(20, 23)]
    assert (page["total"], page["page"], page["size"], page["pages"]) == (23, 3, 10, 3)
    assert (len(first["items"]), first["page"], first["size"]) == (23, 1, 50)
    assert invalid.status_code == 422
    assert invalid.json()["detail"][0]["loc"] == ["query", "size"]
    assert set(_parameters(schema, "/users")) == {"page", "size"}


def test_params_as_an_explicit_dependency_in_an_included_router(serve: Serve) -> None:
    # The docs' other style: the endpoint asks for Params itself; the route is
    # reached through include_router, and add_pagination runs on the app.
    router = APIRouter(prefix="/v1")

    @router.get("/users")
    def get_users(params: Params = Depends()) -> Page[User]:
        return paginate(USERS, params)

    app = FastAPI()
    app.include_router(router)
    add_pagination(app)
    url = serve(app)
    with httpx.Client(base_url=url) as client:
        page = client.get("/v1/users", params={"page": 2, "size": 20}).json()
        too_big = client.get("/v1/users", params={"size": 101})
        schema = client.get("/openapi.json").json()
    assert page["items"] == [{"name": "user20"}, {"name": "user21"}, {"name": "user22"}]
    assert (page["page"], page["size"], page["pages"]) == (2, 20, 2)
    assert too_big.status_code == 422
    assert too_big.json()["detail"][0]["loc"] == ["query", "size"]
    # The library's own Params dependency and the endpoint's read the same keys.
    assert set(_parameters(schema, "/v1/users")) == {"page", "size"}


def test_limit_offset_and_customized_size_bounds(serve: Serve) -> None:
    app = FastAPI()

    @app.get("/offset")
    async def by_offset() -> LimitOffsetPage[User]:
        return paginate(USERS)

    @app.get("/big")
    async def big_pages() -> BigPage[User]:  # type: ignore[valid-type]
        return paginate(USERS)

    add_pagination(app)
    url = serve(app)
    with httpx.Client(base_url=url) as client:
        window = client.get("/offset", params={"limit": 2, "offset": 21}).json()
        default = client.get("/big").json()
        wide = client.get("/big", params={"size": 300}).json()
        too_wide = client.get("/big", params={"size": 501})
        schema = client.get("/openapi.json").json()
    assert window["items"] == [{"name": "user21"}, {"name": "user22"}]
    assert (window["limit"], window["offset"], window["total"]) == (2, 21, 23)
    assert (len(default["items"]), default["size"], default["pages"]) == (5, 5, 5)
    assert (len(wide["items"]), wide["size"]) == (23, 300)
    assert too_wide.status_code == 422
    assert set(_parameters(schema, "/offset")) == {"limit", "offset"}
    size = _parameters(schema, "/big")["size"]["schema"]
    assert (size["default"], size["maximum"]) == (5, 500)
