"""Helpers for the API-layer satellite tests: requests built from scopes, a sync runner."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable
from typing import Any, TypeVar

from zephyr.exceptions import HTTPException
from zephyr.requests import Request

T = TypeVar("T")


def run(awaitable: Awaitable[T]) -> T:
    """Drive one awaitable to completion on a fresh event loop."""

    async def main() -> T:
        return await awaitable

    return asyncio.run(main())


def make_request(
    headers: Iterable[tuple[str, str]] = (), query_string: bytes = b"", path: str = "/"
) -> Request:
    """A GET ``Request`` over a minimal HTTP scope; header values are latin-1."""
    scope: dict[str, Any] = {
        "type": "http",
        "method": "GET",
        "path": path,
        "root_path": "",
        "query_string": query_string,
        "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers],
    }
    return Request(scope)


def auth(value: str) -> Request:
    """A request carrying ``Authorization: <value>``."""
    return make_request([("Authorization", value)])


def call(dependency: Any, request: Request) -> Any:
    """Await ``dependency(request)``; return the result or the raised ``HTTPException``."""
    try:
        return run(dependency(request))
    except HTTPException as exc:
        return exc


def assert_401(outcome: Any, challenge: str) -> None:
    """Assert ``outcome`` is the 401 "Not authenticated" error with ``challenge``."""
    assert isinstance(outcome, HTTPException), outcome
    assert outcome.status_code == 401
    assert outcome.detail == "Not authenticated"
    assert outcome.headers == {"WWW-Authenticate": challenge}
