"""zephyr.schemas: an OpenAPI document from route docstrings, served as YAML."""

from __future__ import annotations

import yaml

from zephyr.applications import BaseApp
from zephyr.endpoints import HTTPEndpoint
from zephyr.requests import Request
from zephyr.responses import Response
from zephyr.routing import Host, Mount, Route, Router, WebSocketRoute
from zephyr.schemas import SchemaGenerator
from zephyr.testclient import TestClient
from zephyr.websockets import WebSocket

generator = SchemaGenerator({"openapi": "3.2.0", "info": {"title": "T", "version": "1"}})


def item(request: Request) -> Response:
    """
    responses:
      200:
        description: One item.
    """
    return Response()


def prose_then_yaml(request: Request) -> Response:
    """Some words for humans.

    ---
    summary: Machine part
    """
    return Response()


def prose_only(request: Request) -> Response:
    """Only words."""
    return Response()


def search(request: Request) -> Response:
    """
    summary: Search with a body
    """
    return Response()


class Things(HTTPEndpoint):
    def get(self, request: Request) -> Response:
        """summary: List things"""
        return Response()

    def post(self, request: Request) -> Response:
        """summary: Make a thing"""
        return Response()


async def socket(websocket: WebSocket) -> None:
    """summary: never documented"""


def schema(request: Request) -> Response:
    return generator.OpenAPIResponse(request=request)


routes = [
    Route("/items/{id:int}", item),
    Route("/items", search, methods=["QUERY"]),
    Route("/prose", prose_then_yaml),
    Route("/words", prose_only),
    Route("/things", Things),
    Route("/schema", schema, include_in_schema=False),
    WebSocketRoute("/ws", socket),
    Mount("/sub", routes=[Route("/item", item)]),
    Host("api.example", app=Router([Route("/hosted", item)])),
]


def test_document_from_docstrings() -> None:
    paths = generator.get_schema(routes)["paths"]
    assert set(paths) == {"/items/{id}", "/items", "/prose", "/things", "/sub/item", "/hosted"}
    assert paths["/items/{id}"] == {"get": {"responses": {200: {"description": "One item."}}}}
    assert paths["/prose"] == {"get": {"summary": "Machine part"}}
    assert set(paths["/things"]) == {"get", "post"}
    assert paths["/items"] == {"query": {"summary": "Search with a body"}}
    older = SchemaGenerator({"openapi": "3.1.0", "info": {}}).get_schema(routes)["paths"]
    assert "/items" not in older  # QUERY has no place before OpenAPI 3.2


def test_served_as_yaml() -> None:
    response = TestClient(BaseApp(routes=routes)).get("/schema")
    assert response.headers["content-type"] == "application/vnd.oai.openapi"
    document = yaml.safe_load(response.text)
    assert document["info"] == {"title": "T", "version": "1"}
    assert "/schema" not in document["paths"]
