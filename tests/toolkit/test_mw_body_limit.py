"""RequestBodyLimitMiddleware: Content-Length and counted bytes over the limit get 413."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.toolkit.conftest import http_scope
from zephyr.exceptions import HTTPException
from zephyr.middleware.body_limit import MAX_BODY_SIZE_SCOPE_KEY, RequestBodyLimitMiddleware
from zephyr.testclient import TestClient
from zephyr.types import Message, Receive, Scope, Send


async def echo(scope: Scope, receive: Receive, send: Send) -> None:
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})


def run(app: Any, scope: Scope, messages: list[Message]) -> list[Message]:
    sent: list[Message] = []
    pending = iter(messages)

    async def receive() -> Message:
        return next(pending)

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent


def test_bodies_up_to_the_limit_pass_and_larger_ones_get_413() -> None:
    client = TestClient(RequestBodyLimitMiddleware(echo, max_body_size=5))
    assert client.post("/", content=b"12345").content == b"12345"
    refused = client.post("/", content=b"123456")
    assert (refused.status_code, refused.text) == (413, "Content Too Large")


def test_declared_length_is_refused_before_the_app_reads() -> None:
    called: list[bool] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        called.append(True)

    scope = http_scope("/", "POST", headers=[("content-length", "6")])
    sent = run(RequestBodyLimitMiddleware(app, max_body_size=5), scope, [])
    assert sent[0]["status"] == 413 and called == []


def test_counted_bytes_stop_chunked_and_lying_bodies() -> None:
    chunks = [
        {"type": "http.request", "body": b"123", "more_body": True},
        {"type": "http.request", "body": b"456", "more_body": False},
    ]
    sent = run(RequestBodyLimitMiddleware(echo, max_body_size=5), http_scope("/", "POST"), chunks)
    assert sent[0]["status"] == 413
    client = TestClient(RequestBodyLimitMiddleware(echo, max_body_size=5))
    lying = client.post("/", content=b"123456", headers={"Content-Length": "1"})
    assert lying.status_code == 413
    # An unparsable length decides nothing; the bytes that came are within the limit.
    assert client.post("/", content=b"12345", headers={"Content-Length": "x"}).status_code == 200


def test_overrun_after_the_response_started_is_raised_into_the_app() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await receive()
        await receive()

    chunks = [
        {"type": "http.request", "body": b"12345", "more_body": True},
        {"type": "http.request", "body": b"6"},
    ]
    with pytest.raises(HTTPException) as info:
        run(RequestBodyLimitMiddleware(app, max_body_size=5), http_scope("/", "POST"), chunks)
    assert info.value.status_code == 413


def test_scope_key_carries_the_limit_and_is_restored() -> None:
    seen: list[Any] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope[MAX_BODY_SIZE_SCOPE_KEY])
        scope[MAX_BODY_SIZE_SCOPE_KEY] = 100  # an inner route raising the limit for itself
        await echo(scope, receive, send)

    scope = http_scope("/", "POST", **{MAX_BODY_SIZE_SCOPE_KEY: 10})
    body = [{"type": "http.request", "body": b"x" * 50}]
    sent = run(RequestBodyLimitMiddleware(app, max_body_size=5), scope, body)
    assert seen == [5] and sent[0]["status"] == 200
    assert scope[MAX_BODY_SIZE_SCOPE_KEY] == 10
    bare = http_scope("/", "POST")
    run(RequestBodyLimitMiddleware(echo, max_body_size=5), bare, [{"type": "http.request"}])
    assert MAX_BODY_SIZE_SCOPE_KEY not in bare


def test_other_scopes_and_messages_pass_through() -> None:
    seen: list[Any] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append((scope, await receive()))

    lifespan: Scope = {"type": "lifespan"}
    run(RequestBodyLimitMiddleware(app, max_body_size=1), lifespan, [{"type": "lifespan.startup"}])
    disconnect = {"type": "http.disconnect"}
    run(RequestBodyLimitMiddleware(app, max_body_size=1), http_scope("/", "POST"), [disconnect])
    assert seen[0] == (lifespan, {"type": "lifespan.startup"}) and seen[1][1] is disconnect
    assert MAX_BODY_SIZE_SCOPE_KEY not in lifespan
