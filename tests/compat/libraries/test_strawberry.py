"""strawberry-graphql's GraphQLRouter on a zephyr app: queries over HTTP."""

from __future__ import annotations

import httpx
import strawberry
from fastapi import FastAPI
from strawberry.fastapi import GraphQLRouter

from .conftest import Serve


@strawberry.type
class Query:
    @strawberry.field
    def hello(self, name: str = "world") -> str:
        return f"Hello {name}"


def test_graphql_queries(serve: Serve) -> None:
    app = FastAPI()
    app.include_router(GraphQLRouter(strawberry.Schema(Query)), prefix="/graphql")
    url = serve(app)
    with httpx.Client(base_url=url) as client:
        posted = client.post("/graphql", json={"query": '{ hello(name: "zephyr") }'})
        got = client.get("/graphql", params={"query": "{ hello }"})
        wrong = client.post("/graphql", json={"query": "{ nope }"})
    assert posted.json() == {"data": {"hello": "Hello zephyr"}}
    assert got.json() == {"data": {"hello": "Hello world"}}
    assert wrong.status_code == 200 and "nope" in wrong.json()["errors"][0]["message"]
