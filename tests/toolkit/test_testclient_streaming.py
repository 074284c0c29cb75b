"""TestClient responses stream from the app: chunk hand-over, closing, trailers, debug info."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from zephyr.background import BackgroundTask
from zephyr.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from zephyr.requests import Request
from zephyr.responses import PlainTextResponse, Response
from zephyr.testclient import TestClient
from zephyr.types import Receive, Scope, Send


def _start(trailers: bool = False) -> dict[str, Any]:
    return {"type": "http.response.start", "status": 200, "headers": [], "trailers": trailers}


def test_headers_arrive_while_the_body_is_still_being_produced() -> None:
    gate = threading.Event()

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send(_start())
        await asyncio.to_thread(gate.wait, 5)
        await send({"type": "http.response.body", "body": b"late"})

    with TestClient(app).stream("GET", "/") as response:
        assert response.status_code == 200
        assert not gate.is_set()
        gate.set()
        assert response.read() == b"late"


def test_each_chunk_waits_for_the_reader() -> None:
    progress: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send(_start())
        for name in ("a", "b", "c"):
            await send({"type": "http.response.body", "body": name.encode(), "more_body": True})
            progress.append(name)
        await send({"type": "http.response.body", "body": b""})

    with TestClient(app).stream("GET", "/") as response:
        chunks = response.iter_raw()
        assert progress == []
        assert next(chunks) == b"a"
        assert next(chunks) == b"b"
        # "b" was sent after "a" was taken; "c" cannot be taken before the next read.
        assert progress[0] == "a"
        assert "c" not in progress
        assert list(chunks) == [b"c"]
    assert progress == ["a", "b", "c"]


def test_head_and_empty_chunks_are_not_yielded() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send(_start())
        await send({"type": "http.response.body", "body": b"x", "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": True})
        await send({"type": "http.response.body", "body": b""})

    client = TestClient(app)
    with client.stream("HEAD", "/") as response:
        assert list(response.iter_raw()) == []
    with client.stream("GET", "/") as response:
        assert list(response.iter_raw()) == [b"x"]


def test_closing_an_unfinished_response_cancels_the_app() -> None:
    outcome: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send(_start())
        await send({"type": "http.response.body", "body": b"first", "more_body": True})
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            outcome.append("cancelled")
            raise

    with TestClient(app).stream("GET", "/") as response:
        assert next(response.iter_raw()) == b"first"
    assert outcome == ["cancelled"]


def test_closing_a_complete_response_waits_for_the_background_task() -> None:
    done = threading.Event()

    async def later() -> None:
        await asyncio.sleep(0.05)
        done.set()
        raise LookupError("after the body")

    async def endpoint(scope: Scope, receive: Receive, send: Send) -> None:
        await Response(b"body", background=BackgroundTask(later))(scope, receive, send)

    with (
        pytest.raises(LookupError, match="after the body"),
        TestClient(endpoint).stream("GET", "/") as response,
    ):
        assert next(response.iter_raw()) == b"body"
    assert done.is_set()
    # Not re-raised when the client is told so, but still waited for.
    done.clear()
    with TestClient(endpoint, raise_server_exceptions=False).stream("GET", "/") as response:
        assert response.read() == b"body"
    assert done.is_set()


@pytest.mark.parametrize("how", ["close", "exit"])
def test_closing_the_client_cancels_responses_left_open(how: str) -> None:
    cancelled = threading.Event()

    async def forever() -> None:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    async def endpoint(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            return  # no lifespan handling: the client goes on without it
        await Response(b"hi", background=BackgroundTask(forever))(scope, receive, send)

    client = TestClient(endpoint)
    if how == "exit":
        with client:
            response = client.send(client.build_request("GET", "/"), stream=True)
            assert next(response.iter_raw()) == b"hi"
    else:
        response = client.send(client.build_request("GET", "/"), stream=True)
        assert next(response.iter_raw()) == b"hi"
        client.close()
    assert cancelled.is_set()


def test_trailers_are_collected_in_the_extensions() -> None:
    seen_scope: list[Scope] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen_scope.append(scope)
        await send(_start(trailers=True))
        await send({"type": "http.response.body", "body": b"data"})
        trailer = {"type": "http.response.trailers", "headers": [(b"x-sum", b"1")]}
        await send({**trailer, "more_trailers": True})
        await send({"type": "http.response.trailers", "headers": [(b"x-sum", b"2")]})

    response = TestClient(app).get("/")
    assert "http.response.trailers" in seen_scope[0]["extensions"]
    assert response.content == b"data"
    assert response.extensions["http.response.trailers"] == [(b"x-sum", b"1"), (b"x-sum", b"2")]
    assert "x-sum" not in response.headers


def test_trailers_sent_only_in_part_are_kept() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send(_start(trailers=True))
        await send({"type": "http.response.body", "body": b"data"})
        trailer = {"type": "http.response.trailers", "headers": [(b"x-a", b"1")]}
        await send({**trailer, "more_trailers": True})

    response = TestClient(app).get("/")
    assert response.extensions["http.response.trailers"] == [(b"x-a", b"1")]


@pytest.mark.parametrize(
    ("messages", "error"),
    [
        ([{"type": "http.response.trailers"}], "without declaring trailers"),
        ([_start(True), {"type": "http.response.trailers"}], "before body completed"),
        ([_start(), {"type": "http.response.body"}, {"type": "http.response.body"}], "after body"),
        (
            [_start(True), {"type": "http.response.body"}]
            + [{"type": "http.response.trailers"}] * 2,
            "after response completed",
        ),
    ],
)
def test_messages_out_of_order_are_assertion_errors(
    messages: list[dict[str, Any]], error: str
) -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        for message in messages:
            await send(message)

    with pytest.raises(AssertionError, match=error):
        TestClient(app).get("/")


def test_debug_info_is_in_the_extensions_and_names_the_template() -> None:
    async def plain(scope: Scope, receive: Receive, send: Send) -> None:
        await send(_start())
        await send({"type": "http.response.debug", "info": {"blocks": ["a"]}})
        await send({"type": "http.response.body", "body": b""})

    response = TestClient(plain).get("/")
    assert response.extensions["http.response.debug"] == {"blocks": ["a"]}
    assert not hasattr(response, "template")
    assert not hasattr(response, "context")

    async def rendered(scope: Scope, receive: Receive, send: Send) -> None:
        info = {"template": "page.html", "context": {"x": 1}}
        await send({"type": "http.response.debug", "info": info})
        await PlainTextResponse("page")(scope, receive, send)

    class PassThrough(BaseHTTPMiddleware):
        async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
            return await call_next(request)

    # Also through BaseHTTPMiddleware, which re-sends the downstream response.
    for app in (rendered, PassThrough(rendered)):
        response = TestClient(app).get("/")
        assert response.template == "page.html"  # type: ignore[attr-defined]
        assert response.context == {"x": 1}  # type: ignore[attr-defined]
