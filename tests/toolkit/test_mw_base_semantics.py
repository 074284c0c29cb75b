"""BaseHTTPMiddleware: shared request body, disconnects, background order, passthrough, errors."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from zephyr.background import BackgroundTask
from zephyr.middleware.base import BaseHTTPMiddleware
from zephyr.requests import Request
from zephyr.responses import PlainTextResponse, Response
from zephyr.types import Message, Receive, Scope, Send

Dispatch = Callable[[Request, Any], Awaitable[Response]]
SCOPE: Scope = {"type": "http", "method": "POST", "path": "/", "headers": []}


def feeder(*messages: Message) -> Callable[[], Awaitable[Message]]:
    """A receive channel giving ``messages`` once; a further call fails the test."""
    queue = list(messages)

    async def receive() -> Message:
        assert queue, "receive() called once too often (it would block forever)"
        return queue.pop(0)

    return receive


def run(app: Any, dispatch: Dispatch, receive: Any, scope: Scope | None = None) -> list[Message]:
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(BaseHTTPMiddleware(app, dispatch=dispatch)(scope or SCOPE, receive, send))
    return sent


def body_of(sent: list[Message]) -> bytes:
    return b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


async def body_app(scope: Scope, receive: Receive, send: Send) -> None:
    body = await Request(scope, receive).body()
    await PlainTextResponse(b"app saw " + body)(scope, receive, send)


BODY = ({"type": "http.request", "body": b"ab", "more_body": True}, {"type": "http.request"})


# --- the shared request body --------------------------------------------------------------


def test_body_read_by_dispatch_is_given_whole_to_the_app() -> None:
    async def dispatch(request: Request, call_next: Any) -> Response:
        assert await request.body() == b"ab"
        return await call_next(request)

    assert body_of(run(body_app, dispatch, feeder(*BODY))) == b"app saw ab"


def test_body_streamed_by_dispatch_leaves_the_app_an_empty_body() -> None:
    async def dispatch(request: Request, call_next: Any) -> Response:
        assert [c async for c in request.stream()] == [b"ab", b""]
        return await call_next(request)

    assert body_of(run(body_app, dispatch, feeder(*BODY))) == b"app saw "


def test_body_taken_by_the_app_cannot_be_streamed_again_unless_cached() -> None:
    async def late_reader(request: Request, call_next: Any) -> Response:
        response = await call_next(request)
        with pytest.raises(RuntimeError, match="Stream consumed"):
            await request.body()
        return response

    assert body_of(run(body_app, late_reader, feeder(*BODY))) == b"app saw ab"

    async def cached_first(request: Request, call_next: Any) -> Response:
        await request.body()
        response = await call_next(request)
        assert [c async for c in request.stream()] == [b"ab", b""]
        return response

    assert body_of(run(body_app, cached_first, feeder(*BODY))) == b"app saw ab"


def test_app_reads_the_rest_while_dispatch_is_mid_stream() -> None:
    parts = [{"type": "http.request", "body": bytes([c]), "more_body": True} for c in b"123"]
    parts[-1]["more_body"] = False

    async def one_chunk_app(scope: Scope, receive: Receive, send: Send) -> None:
        message = await receive()
        await PlainTextResponse(message["body"])(scope, receive, send)

    async def dispatch(request: Request, call_next: Any) -> Response:
        seen = []
        response = None
        async for chunk in request.stream():
            seen.append(chunk)
            if response is None:
                response = await call_next(request)
        assert seen == [b"1", b"3", b""]
        assert response is not None
        return response

    assert body_of(run(one_chunk_app, dispatch, feeder(*parts))) == b"2"


# --- disconnects -------------------------------------------------------------------------


def test_a_disconnect_the_app_saw_is_known_to_dispatch_without_receiving() -> None:
    async def polling_app(scope: Scope, receive: Receive, send: Send) -> None:
        for _ in range(3):  # one disconnect from the client answers every poll
            assert (await receive())["type"] == "http.disconnect"
        await PlainTextResponse("bye")(scope, receive, send)

    async def dispatch(request: Request, call_next: Any) -> Response:
        response = await call_next(request)
        assert await request.is_disconnected()
        return response

    sent = run(polling_app, dispatch, feeder({"type": "http.disconnect"}))
    assert body_of(sent) == b"bye"


def test_the_app_gets_the_body_then_the_disconnect_dispatch_saw() -> None:
    got: list[Message] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        got.extend([await receive(), await receive()])
        await Response()(scope, receive, send)

    async def dispatch(request: Request, call_next: Any) -> Response:
        await request.body()
        assert await request.is_disconnected()
        return await call_next(request)

    run(app, dispatch, feeder({"type": "http.request", "body": b"x"}, {"type": "http.disconnect"}))
    assert got == [
        {"type": "http.request", "body": b"x", "more_body": False},
        {"type": "http.disconnect"},
    ]


# --- background tasks, passthrough, context ---------------------------------------------------


def test_background_runs_after_the_response_went_out() -> None:
    events: list[str] = []

    async def record() -> None:
        events.append("background")

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await PlainTextResponse("hi", background=BackgroundTask(record))(scope, receive, send)

    async def slow_send(message: Message) -> None:
        await asyncio.sleep(0.01)  # the app would run ahead here if not held
        events.append(message["type"])

    async def passthrough(request: Request, call_next: Any) -> Response:
        return await call_next(request)

    middleware = BaseHTTPMiddleware(app, dispatch=passthrough)
    asyncio.run(middleware(SCOPE, feeder(), slow_send))
    assert events == [
        "http.response.start",
        "http.response.body",
        "http.response.body",
        "background",
    ]


def test_background_set_by_dispatch_runs_and_app_errors_in_background_surface() -> None:
    ran: list[str] = []

    async def dispatch(request: Request, call_next: Any) -> Response:
        response = await call_next(request)
        assert response.background is None
        response.background = BackgroundTask(ran.append, "dispatch")
        return response

    run(body_app, dispatch, feeder(*BODY))
    assert ran == ["dispatch"]

    async def fails_later() -> None:
        raise ValueError("after the response")

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await Response(background=BackgroundTask(fails_later))(scope, receive, send)

    with pytest.raises(ValueError, match="after the response"):
        run(app, dispatch, feeder())


def test_early_hints_from_both_sides_go_straight_out() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await Request(scope, receive, send).send_early_hints("</app.css>; rel=preload")
        await PlainTextResponse("ok")(scope, receive, send)

    async def dispatch(request: Request, call_next: Any) -> Response:
        await request.send_early_hints("</mw.css>; rel=preload")
        return await call_next(request)

    scope = {**SCOPE, "extensions": {"http.response.early_hint": {}}}
    sent = run(app, dispatch, feeder(), scope)
    assert [m.get("links") for m in sent[:2]] == [
        [b"</mw.css>; rel=preload"],
        [b"</app.css>; rel=preload"],
    ]
    assert sent[2]["type"] == "http.response.start"
    assert body_of(sent) == b"ok"


def test_endpoint_context_changes_stay_in_its_task() -> None:
    var: contextvars.ContextVar[str] = contextvars.ContextVar("var", default="unset")

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        assert var.get() == "dispatch"  # the copy starts from the caller's context
        var.set("endpoint")
        await Response()(scope, receive, send)

    async def dispatch(request: Request, call_next: Any) -> Response:
        var.set("dispatch")
        response = await call_next(request)
        assert var.get() == "dispatch"
        return response

    run(app, dispatch, feeder())


# --- errors and dropped responses ---------------------------------------------------------


def test_error_keeps_its_own_cause_and_context() -> None:
    def raiser(chained: bool) -> Any:
        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            if not chained:
                raise KeyError("plain")
            try:
                raise OSError("inner")
            except OSError:
                raise KeyError("outer")  # noqa: B904  (implicit context on purpose)

        return app

    async def passthrough(request: Request, call_next: Any) -> Response:
        return await call_next(request)

    with pytest.raises(KeyError) as plain:
        run(raiser(False), passthrough, feeder())
    assert plain.value.__cause__ is None and plain.value.__suppress_context__
    with pytest.raises(KeyError) as chained:
        run(raiser(True), passthrough, feeder())
    assert isinstance(chained.value.__cause__, OSError)


def test_error_caught_by_dispatch_is_not_raised_again() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        raise KeyError("handled")

    async def dispatch(request: Request, call_next: Any) -> Response:
        try:
            return await call_next(request)
        except KeyError:
            return PlainTextResponse("recovered", status_code=500)

    assert body_of(run(app, dispatch, feeder())) == b"recovered"


def test_dropped_streaming_response_is_cancelled() -> None:
    cancelled: list[bool] = []

    async def endless(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        try:
            while True:
                await send({"type": "http.response.body", "body": b"x", "more_body": True})
        except asyncio.CancelledError:
            cancelled.append(True)
            raise

    async def dispatch(request: Request, call_next: Any) -> Response:
        await call_next(request)
        return PlainTextResponse("instead")

    assert body_of(run(endless, dispatch, feeder())) == b"instead"
    assert cancelled == [True]


def test_no_response_and_a_second_call_next_are_errors() -> None:
    async def silent(scope: Scope, receive: Receive, send: Send) -> None:
        pass

    async def passthrough(request: Request, call_next: Any) -> Response:
        return await call_next(request)

    with pytest.raises(RuntimeError, match="No response returned"):
        run(silent, passthrough, feeder())

    async def twice(request: Request, call_next: Any) -> Response:
        await call_next(request)
        return await call_next(request)

    with pytest.raises(RuntimeError, match="only be called once"):
        run(body_app, twice, feeder(*BODY))
