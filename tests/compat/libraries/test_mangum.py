"""mangum's Lambda adapter around a zephyr app: API Gateway HTTP API (v2) and REST (v1) events.

No server here: Mangum calls the app through ASGI itself, a lifespan cycle
around each invocation (``lifespan="auto"``).
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from fastapi import Cookie, FastAPI, File, Form, Header, Request, Response, UploadFile
from mangum import Mangum
from mangum.exceptions import LifespanFailure
from pydantic import BaseModel

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe"


class Item(BaseModel):
    name: str
    price: float


def shop(events: list[str]) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
        events.append("startup")
        yield {"db": {"7": "anvil"}}
        events.append("shutdown")

    app = FastAPI(lifespan=lifespan)

    @app.get("/items/{item_id}")
    async def read(
        item_id: str, request: Request, q: str | None = None, x_token: str = Header()
    ) -> dict[str, Any]:
        events.append(f"read {item_id}")
        return {
            "name": request.state.db.get(item_id),
            "q": q,
            "tags": request.query_params.getlist("tag"),
            "token": x_token,
            "url": str(request.url),
            "client": request.client.host if request.client else None,
        }

    @app.post("/items", status_code=201)
    async def create(item: Item, response: Response) -> dict[str, Any]:
        response.headers["X-Item"] = item.name
        response.set_cookie("last", item.name)
        response.set_cookie("seen", "1")
        return {"created": item.model_dump()}

    @app.get("/logo.png")
    async def logo() -> Response:
        return Response(PNG, media_type="image/png")

    @app.post("/upload")
    async def upload(request: Request) -> dict[str, Any]:
        body = await request.body()
        return {"size": len(body), "head": list(body[:4])}

    @app.post("/form")
    async def form(
        title: str = Form(), file: UploadFile = File(), session: str = Cookie()
    ) -> dict[str, Any]:
        return {
            "title": title,
            "file": file.filename,
            "data": (await file.read()).hex(),
            "session": session,
        }

    return app


def multipart(boundary: str) -> bytes:
    return (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="title"\r\n\r\nlogo\r\n'
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="file"; filename="logo.png"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode()
        + PNG
        + f"\r\n--{boundary}--\r\n".encode()
    )


def http_api(method: str, path: str, **extra: Any) -> dict[str, Any]:
    """An API Gateway HTTP API (payload format 2.0) event."""
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": extra.pop("query", ""),
        "headers": {"host": "api.example.com", "x-forwarded-proto": "https"}
        | extra.pop("headers", {}),
        "requestContext": {
            "http": {"method": method, "path": path, "sourceIp": "203.0.113.9"},
            "stage": "$default",
        },
        "isBase64Encoded": False,
    } | extra


def rest_api(method: str, path: str, **extra: Any) -> dict[str, Any]:
    """An API Gateway REST API (payload format 1.0) event."""
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": {"Host": "api.example.com", "X-Forwarded-Proto": "https"}
        | extra.pop("headers", {}),
        "multiValueHeaders": None,
        "queryStringParameters": None,
        "multiValueQueryStringParameters": extra.pop("query", None),
        "requestContext": {"identity": {"sourceIp": "198.51.100.4"}, "stage": "prod"},
        "body": None,
        "isBase64Encoded": False,
    } | extra


def test_http_api_v2_events() -> None:
    events: list[str] = []
    handler = Mangum(shop(events), lifespan="auto")

    got = handler(
        http_api("GET", "/items/7", query="q=x%20y&tag=a&tag=b", headers={"x-token": "s3"}),
        {},
    )
    assert got["statusCode"] == 200
    assert got["headers"]["content-type"] == "application/json"
    assert got["isBase64Encoded"] is False
    assert json.loads(got["body"]) == {
        "name": "anvil",
        "q": "x y",
        "tags": ["a", "b"],
        "token": "s3",
        "url": "https://api.example.com/items/7?q=x%20y&tag=a&tag=b",
        "client": "203.0.113.9",
    }
    # A lifespan cycle around the invocation; the endpoint ran inside it.
    assert events == ["startup", "read 7", "shutdown"]

    missing = handler(http_api("GET", "/items/7"), {})
    assert missing["statusCode"] == 422
    assert json.loads(missing["body"])["detail"][0]["loc"] == ["header", "x-token"]

    created = handler(
        http_api(
            "POST",
            "/items",
            headers={"content-type": "application/json"},
            body=json.dumps({"name": "rope", "price": 2.5}),
        ),
        {},
    )
    assert created["statusCode"] == 201
    assert json.loads(created["body"]) == {"created": {"name": "rope", "price": 2.5}}
    assert created["headers"]["x-item"] == "rope"
    # v2 answers carry the Set-Cookie headers in their own list.
    assert [c.split(";")[0] for c in created["cookies"]] == ["last=rope", "seen=1"]

    bad = handler(
        http_api("POST", "/items", headers={"content-type": "application/json"}, body="{"),
        {},
    )
    assert bad["statusCode"] == 422

    logo = handler(http_api("GET", "/logo.png"), {})
    assert logo["statusCode"] == 200
    assert logo["headers"]["content-type"] == "image/png"
    assert logo["isBase64Encoded"] is True
    assert base64.b64decode(logo["body"]) == PNG

    upload = handler(
        http_api(
            "POST",
            "/upload",
            headers={"content-type": "application/octet-stream"},
            body=base64.b64encode(PNG).decode(),
            isBase64Encoded=True,
        ),
        {},
    )
    assert json.loads(upload["body"]) == {"size": len(PNG), "head": list(PNG[:4])}

    # A multipart form (base64, as API Gateway sends binary bodies), with the
    # event's own cookies list as the request's Cookie header.
    form = handler(
        http_api(
            "POST",
            "/form",
            headers={"content-type": "multipart/form-data; boundary=b0und"},
            cookies=["session=abc", "theme=dark"],
            body=base64.b64encode(multipart("b0und")).decode(),
            isBase64Encoded=True,
        ),
        {},
    )
    assert form["statusCode"] == 200, form
    assert json.loads(form["body"]) == {
        "title": "logo",
        "file": "logo.png",
        "data": PNG.hex(),
        "session": "abc",
    }

    assert handler(http_api("GET", "/nowhere"), {})["statusCode"] == 404
    assert events.count("startup") == events.count("shutdown") == 8


def test_rest_api_v1_events() -> None:
    events: list[str] = []
    handler = Mangum(shop(events))

    got = handler(
        rest_api(
            "GET",
            "/items/7",
            query={"q": ["z"], "tag": ["a", "b"]},
            headers={"X-Token": "s3"},
        ),
        {},
    )
    assert got["statusCode"] == 200
    assert got["isBase64Encoded"] is False
    body = json.loads(got["body"])
    assert body["name"] == "anvil" and body["q"] == "z" and body["tags"] == ["a", "b"]
    assert body["token"] == "s3" and body["client"] == "198.51.100.4"
    assert body["url"].startswith("https://api.example.com/items/7?")

    created = handler(
        rest_api(
            "POST",
            "/items",
            headers={"Content-Type": "application/json"},
            body=json.dumps({"name": "rope", "price": 2.5}),
        ),
        {},
    )
    assert created["statusCode"] == 201
    assert created["headers"]["x-item"] == "rope"
    # v1 answers carry repeated headers in multiValueHeaders.
    cookies = created["multiValueHeaders"]["set-cookie"]
    assert [c.split(";")[0] for c in cookies] == ["last=rope", "seen=1"]

    logo = handler(rest_api("GET", "/logo.png"), {})
    assert logo["isBase64Encoded"] is True
    assert base64.b64decode(logo["body"]) == PNG
    assert events == ["startup", "read 7", "shutdown"] + ["startup", "shutdown"] * 2


def test_lifespan_off_and_a_failed_startup() -> None:
    events: list[str] = []
    handler = Mangum(shop(events), lifespan="off")
    got = handler(http_api("GET", "/logo.png"), {})
    assert got["statusCode"] == 200
    assert events == []

    @asynccontextmanager
    async def broken(app: FastAPI) -> AsyncIterator[None]:
        raise RuntimeError("no database")
        yield

    app = FastAPI(lifespan=broken)

    @app.get("/")
    async def root() -> dict[str, str]:
        return {}

    # The app sends lifespan.startup.failed with the traceback; both modes raise it.
    with pytest.raises(LifespanFailure, match="RuntimeError: no database"):
        Mangum(app, lifespan="auto")(http_api("GET", "/"), {})
    with pytest.raises(LifespanFailure, match="RuntimeError: no database"):
        Mangum(app, lifespan="on")(http_api("GET", "/"), {})
