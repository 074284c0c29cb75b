"""ASGI lifespan 2.0 driver: auto/on/off, failures, state."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from typing import Any, Literal

import pytest

from zephyr.server.lifespan import Lifespan
from zephyr.types import Receive, Scope, Send

Mode = Literal["auto", "on", "off"]


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def text(self) -> str:
        parts = []
        for r in self.records:
            parts.append(r.getMessage())
            if r.exc_info and r.exc_info[1] is not None:
                parts.append(repr(r.exc_info[1]))
        return "\n".join(parts)


@pytest.fixture
def logs() -> Iterator[Capture]:
    logger = logging.getLogger("zephyr.error")
    handler = Capture()
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(old_level)


def drive(app: Any, mode: Mode = "auto", state: dict[str, Any] | None = None) -> Lifespan:
    async def main() -> Lifespan:
        lifespan = Lifespan(app, mode, state)
        await asyncio.wait_for(lifespan.startup(), 5)
        if not lifespan.startup_failed:
            await asyncio.wait_for(lifespan.shutdown(), 5)
        return lifespan

    return asyncio.run(main())


def good_app(events: list[str]) -> Any:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "lifespan"
        assert scope["asgi"] == {"version": "3.0", "spec_version": "2.0"}
        while True:
            message = await receive()
            events.append(message["type"])
            if message["type"] == "lifespan.startup":
                scope["state"]["db"] = "connected"
                await send({"type": "lifespan.startup.complete"})
            else:
                await send({"type": "lifespan.shutdown.complete"})
                return

    return app


@pytest.mark.parametrize("mode", ["auto", "on"])
def test_startup_and_shutdown_run_with_state(mode: Mode, logs: Capture) -> None:
    events: list[str] = []
    state: dict[str, Any] = {}
    lifespan = drive(good_app(events), mode, state)
    assert events == ["lifespan.startup", "lifespan.shutdown"]
    assert state == {"db": "connected"}
    assert not lifespan.startup_failed and not lifespan.shutdown_failed
    text = logs.text()
    for line in (
        "Waiting for application startup.",
        "Application startup complete.",
        "Waiting for application shutdown.",
        "Application shutdown complete.",
    ):
        assert line in text


def test_off_never_calls_app(logs: Capture) -> None:
    called = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        called.append(scope)

    lifespan = drive(app, "off")
    assert called == []
    assert not lifespan.startup_failed
    assert logs.records == []


async def http_only_app(scope: Scope, receive: Receive, send: Send) -> None:
    assert scope["type"] == "http"


def test_auto_tolerates_unsupported_app(logs: Capture) -> None:
    lifespan = drive(http_only_app, "auto")
    assert not lifespan.startup_failed
    assert not lifespan.supported
    assert "ASGI 'lifespan' protocol appears unsupported." in logs.text()
    assert all(r.levelno < logging.WARNING for r in logs.records)


def test_on_rejects_unsupported_app(logs: Capture) -> None:
    lifespan = drive(http_only_app, "on")
    assert lifespan.startup_failed
    assert "Application startup failed. Exiting." in logs.text()


def test_auto_tolerates_app_that_returns_immediately() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        return None

    assert not drive(app, "auto").startup_failed
    assert drive(app, "on").startup_failed


def test_auto_tolerates_app_answering_with_http_messages() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})

    assert not drive(app, "auto").startup_failed


def test_startup_failed_message_aborts_with_app_message(logs: Capture) -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        await send({"type": "lifespan.startup.failed", "message": "database unreachable"})

    lifespan = drive(app, "auto")
    assert lifespan.startup_failed
    text = logs.text()
    assert "database unreachable" in text
    assert "Application startup failed. Exiting." in text


def test_exception_during_startup_aborts_even_in_auto(logs: Capture) -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        raise RuntimeError("config file missing")

    lifespan = drive(app, "auto")
    assert lifespan.startup_failed
    assert "config file missing" in logs.text()


def test_failed_then_reraised_is_logged_once_as_failure(logs: Capture) -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        await send({"type": "lifespan.startup.failed", "message": "boom"})
        raise ValueError("boom")

    lifespan = drive(app, "auto")
    assert lifespan.startup_failed
    assert not lifespan.shutdown_failed


def test_shutdown_failure_is_reported(logs: Capture) -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        await send({"type": "lifespan.startup.complete"})
        await receive()
        await send({"type": "lifespan.shutdown.failed", "message": "flush failed"})

    lifespan = drive(app, "on")
    assert lifespan.shutdown_failed
    assert "flush failed" in logs.text()
    assert "Application shutdown failed. Exiting." in logs.text()


def test_exception_during_shutdown_is_reported(logs: Capture) -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        await send({"type": "lifespan.startup.complete"})
        await receive()
        raise RuntimeError("teardown exploded")

    lifespan = drive(app, "on")
    assert lifespan.shutdown_failed
    assert "teardown exploded" in logs.text()


def test_protocol_violation_is_a_failure() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        await send({"type": "lifespan.shutdown.complete"})  # before startup

    assert drive(app, "on").startup_failed
