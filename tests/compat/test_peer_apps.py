"""FastAPI and Starlette apps from PyPI answer the same on zephyr's server as on uvicorn."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx

# Headers that legitimately differ between servers.
_SERVER_SPECIFIC = {"date", "server"}

FASTAPI_CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "/items/42?q=abc&limit=5", {}),
    ("GET", "/items/abc", {}),
    ("GET", "/items/1?limit=x", {}),
    ("POST", "/items", {"json": {"name": "widget", "price": 9.99, "tags": ["a", "b"]}}),
    ("POST", "/items", {"json": {"name": "widget"}}),
    ("POST", "/items", {"content": b"{not json", "headers": {"content-type": "application/json"}}),
    ("GET", "/missing", {}),
    ("GET", "/state", {}),
    ("GET", "/cookie", {}),
    ("GET", "/redirect", {}),
    ("GET", "/stream", {}),
    ("GET", "/headers", {"headers": {"user-agent": "compat/1.0"}}),
    ("POST", "/form", {"data": {"name": "zephyr"}}),
    ("POST", "/form", {"data": {}}),
    ("POST", "/echo", {"content": b"x" * 200_000}),
    ("HEAD", "/items/7", {}),
    ("DELETE", "/items/7", {}),
    ("GET", "/nowhere", {}),
    ("GET", "/boom", {}),
    ("GET", "/openapi.json", {}),
    ("GET", "/docs", {}),
]

STARLETTE_CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "/", {}),
    ("GET", "/users/7?a=1&b=%20x", {}),
    ("GET", "/users/nope", {}),
    ("GET", "/sub/users/3", {}),
    ("GET", "/users/7/", {}),
    ("POST", "/upload", {"content": b"abcdefgh" * 10_000}),
    ("GET", "/cookies", {"headers": {"cookie": 'a=1; b="two"; c'}}),
    ("PUT", "/", {}),
    ("HEAD", "/", {}),
]


def _chunked_body() -> Iterator[bytes]:
    yield b"abcdefgh"
    yield b"x" * 50_000


def _comparable(response: httpx.Response) -> tuple[int, dict[str, str], bytes]:
    headers = {k: v for k, v in response.headers.items() if k not in _SERVER_SPECIFIC}
    if "allow" in headers:
        # Starlette keeps a route's methods in a set: their order varies per process.
        headers["allow"] = ", ".join(sorted(headers["allow"].split(", ")))
    return response.status_code, headers, response.content


def _cases(app: str) -> list[tuple[str, str, dict[str, Any]]]:
    return FASTAPI_CASES if app == "fastapi_app" else STARLETTE_CASES


def test_same_responses_as_uvicorn(pair: tuple[str, httpx.Client, httpx.Client]) -> None:
    app, zephyr, uvicorn = pair
    for method, url, kwargs in _cases(app):
        z = zephyr.request(method, url, follow_redirects=False, **kwargs)
        u = uvicorn.request(method, url, follow_redirects=False, **kwargs)
        assert _comparable(z) == _comparable(u), f"{app}: {method} {url}"
        assert z.headers["server"] == "zephyr"
        assert "date" in z.headers
    if app == "fastapi_app":
        boom = zephyr.get("/boom")
        assert boom.status_code == 500
        assert b"internal detail" not in boom.content


def test_chunked_request_body_same_as_uvicorn(
    pair: tuple[str, httpx.Client, httpx.Client],
) -> None:
    app, zephyr, uvicorn = pair
    path = "/echo" if app == "fastapi_app" else "/upload"
    z = zephyr.post(path, content=_chunked_body())
    u = uvicorn.post(path, content=_chunked_body())
    assert z.status_code == 200
    assert _comparable(z) == _comparable(u)
