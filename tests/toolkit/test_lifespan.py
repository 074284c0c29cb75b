"""Lifespan: context managers with state, event handlers, failures (ASGI lifespan 2.0)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

from zephyr.applications import BaseApp as Zephyr
from zephyr.responses import PlainTextResponse
from zephyr.routing import Mount, Route, Router
from zephyr.testclient import TestClient


async def run_lifespan(
    app: Any, with_state: bool = True, fail_fast: bool = False
) -> tuple[list[dict[str, Any]], dict[str, Any], BaseException | None]:
    """Drive one lifespan scope: startup, then shutdown once startup completed."""
    incoming: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    sent: list[dict[str, Any]] = []
    state: dict[str, Any] = {}
    scope: dict[str, Any] = {"type": "lifespan", "asgi": {"version": "3.0"}}
    if with_state:
        scope["state"] = state

    async def receive() -> dict[str, Any]:
        return await incoming.get()

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)
        if message["type"] == "lifespan.startup.complete":
            await incoming.put({"type": "lifespan.shutdown"})

    await incoming.put({"type": "lifespan.startup"})
    error: BaseException | None = None
    try:
        await asyncio.wait_for(app(scope, receive, send), 5)
    except Exception as exc:
        error = exc
    return sent, state, error


def test_context_manager_with_state_reaches_requests() -> None:
    events: list[str] = []

    @contextlib.asynccontextmanager
    async def lifespan(app: Zephyr) -> AsyncIterator[dict[str, Any]]:
        events.append(f"start {type(app).__name__}")
        yield {"db": "conn"}
        events.append("stop")

    async def read_state(request):  # type: ignore[no-untyped-def]
        return PlainTextResponse(request.state.db)

    app = Zephyr(routes=[Route("/", read_state)], lifespan=lifespan)
    with TestClient(app) as client:
        assert events == ["start BaseApp"]
        assert client.get("/").text == "conn"
    assert events == ["start BaseApp", "stop"]
    sent, state, error = asyncio.run(run_lifespan(app))
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert state == {"db": "conn"}
    assert error is None


def test_async_generator_lifespan_is_wrapped() -> None:
    events: list[str] = []

    async def lifespan(app: Any) -> AsyncIterator[None]:
        events.append("up")
        yield
        events.append("down")

    sent, _, error = asyncio.run(run_lifespan(Router(lifespan=lifespan)))
    assert events == ["up", "down"]
    assert error is None
    assert sent[-1] == {"type": "lifespan.shutdown.complete"}


def test_state_without_server_support_is_an_error() -> None:
    async def lifespan(app: Any) -> AsyncIterator[dict[str, Any]]:
        yield {"x": 1}

    sent, _, error = asyncio.run(run_lifespan(Router(lifespan=lifespan), with_state=False))
    assert isinstance(error, RuntimeError)
    assert sent[0]["type"] == "lifespan.startup.failed"
    assert 'does not support "state"' in sent[0]["message"]


def test_on_startup_on_shutdown_sync_and_async() -> None:
    events: list[str] = []

    async def astart() -> None:
        events.append("async start")

    app = Zephyr(on_startup=[lambda: events.append("sync start"), astart])
    app.add_event_handler("shutdown", lambda: events.append("sync stop"))

    with pytest.warns(DeprecationWarning, match="on_event is deprecated") as caught:

        @app.on_event("shutdown")
        async def astop() -> None:
            events.append("async stop")

    assert caught[0].filename == __file__  # Points at the caller, as FastAPI's does.

    with TestClient(app):
        assert events == ["sync start", "async start"]
    assert events[2:] == ["sync stop", "async stop"]
    with pytest.raises(ValueError):
        app.add_event_handler("restart", astart)


def test_lifespan_and_handlers_cannot_combine() -> None:
    async def lifespan(app: Any) -> AsyncIterator[None]:
        yield  # pragma: no cover

    with pytest.raises(ValueError, match="can't be combined"):
        Zephyr(lifespan=lifespan, on_startup=[print])
    app = Zephyr(lifespan=lifespan)
    with pytest.raises(ValueError, match="can't be combined"):
        app.add_event_handler("startup", print)


def test_startup_failure_is_reported_then_raised() -> None:
    def broken() -> None:
        raise ConnectionError("database unreachable")

    sent, _, error = asyncio.run(run_lifespan(Zephyr(on_startup=[broken])))
    assert isinstance(error, ConnectionError)
    assert [m["type"] for m in sent] == ["lifespan.startup.failed"]
    assert "database unreachable" in sent[0]["message"]


def test_shutdown_failure_is_reported() -> None:
    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        yield
        raise OSError("flush failed")

    sent, _, error = asyncio.run(run_lifespan(Router(lifespan=lifespan)))
    assert isinstance(error, OSError)
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.failed"]
    assert "flush failed" in sent[1]["message"]


def test_mounted_app_lifespan_is_not_run() -> None:
    events: list[str] = []
    inner = Router(on_startup=[lambda: events.append("inner")])
    outer = Router([Mount("/sub", app=inner)], on_startup=[lambda: events.append("outer")])
    _, _, error = asyncio.run(run_lifespan(outer))
    assert error is None
    assert events == ["outer"]


def test_router_on_event_is_deprecated_too() -> None:
    router = Router()
    with pytest.warns(DeprecationWarning, match="use lifespan event handlers") as caught:
        router.on_event("startup")(lambda: None)
    assert caught[0].filename == __file__
    assert len(router.on_startup) == 1
