"""fastapi-pagination on a zephyr app: Page[...] responses and their query parameters."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel

from .conftest import Serve


class User(BaseModel):
    name: str


@pytest.mark.xfail(
    strict=True,
    reason="fastapi-pagination edits FastAPI's dependency tree in place (route.dependant."
    "dependencies as a list of Dependant, then the route's handler rebuilt) and imports "
    "private helpers of fastapi.dependencies.utils (_get_body_field, _get_flat_body_params); "
    "zephyr compiles its dependency plans from a tree of another shape (not done yet)",
)
def test_pages_of_a_list(serve: Serve) -> None:
    from fastapi_pagination import Page, add_pagination, paginate

    app = FastAPI()
    users = [User(name=f"user{i}") for i in range(23)]

    @app.get("/users")
    async def get_users() -> Page[User]:
        return paginate(users)

    add_pagination(app)
    url = serve(app)
    with httpx.Client(base_url=url) as client:
        page = client.get("/users", params={"page": 3, "size": 10}).json()
        invalid = client.get("/users", params={"size": 0})
        schema = client.get("/openapi.json").json()
    assert page["items"] == [{"name": f"user{i}"} for i in range(20, 23)]
    assert (page["total"], page["page"], page["size"], page["pages"]) == (23, 3, 10, 3)
    assert invalid.status_code == 422
    assert invalid.json()["detail"][0]["loc"] == ["query", "size"]
    params = {p["name"] for p in schema["paths"]["/users"]["get"]["parameters"]}
    assert params == {"page", "size"}
