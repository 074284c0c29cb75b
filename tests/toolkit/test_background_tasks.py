"""Background tasks end to end: after the response, through the server, from dependencies."""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

import pytest

from tests.server.conftest import Conn, FakeTransport
from zephyr import BackgroundTasks, Depends, Zephyr
from zephyr.responses import PlainTextResponse
from zephyr.server.config import Config
from zephyr.server.protocol import HttpProtocol
from zephyr.server.state import ServerState
from zephyr.testclient import TestClient

GET = b"GET /work HTTP/1.1\r\nHost: t\r\n\r\n"


def failing_app(log: list[str], transport_box: list[FakeTransport]) -> Zephyr:
    app = Zephyr()

    def first(tag: str) -> None:
        # Runs after the whole response is on the wire.
        log.append(f"{tag}: sent={b'done' in transport_box[0].data}")

    async def explode() -> None:
        log.append("explode")
        raise RuntimeError("task failed on purpose")

    def never() -> None:
        log.append("never")

    @app.get("/work")
    async def work(tasks: BackgroundTasks) -> str:
        tasks.add_task(first, "first")
        tasks.add_task(explode)
        tasks.add_task(never)
        return "done"

    return app


@pytest.mark.parametrize("feed_mode", ["whole", "bytewise"])
def test_failing_task_is_logged_and_stops_the_rest(
    feed_mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    log: list[str] = []
    box: list[FakeTransport] = []
    app = failing_app(log, box)

    async def main() -> Conn:
        config = Config(app=app, access_log=False)
        proto = HttpProtocol(config, app, ServerState(), {})
        transport = FakeTransport()
        box.append(transport)
        proto.connection_made(transport)
        conn = Conn(proto, transport, ServerState(), feed_mode)
        conn.feed(GET)
        await conn.wait_for(lambda: "explode" in log and bool(caplog.records), timeout=5)
        await conn.settle()
        return conn

    with caplog.at_level(logging.ERROR, logger="zephyr.error"):
        conn = asyncio.run(main())
    [response] = conn.responses()
    assert response.status == 200
    assert response.body == b'"done"'
    assert log == ["first: sent=True", "explode"]  # the third task did not run
    records = [r for r in caplog.records if r.name == "zephyr.error"]
    assert len(records) == 1
    assert records[0].exc_info is not None
    assert records[0].exc_info[0] is RuntimeError
    assert "task failed on purpose" in caplog.text
    assert "in explode" in caplog.text  # the traceback, not just the message


def test_failing_task_raises_in_testclient() -> None:
    log: list[str] = []
    box = [FakeTransport()]
    with pytest.raises(RuntimeError, match="on purpose"):
        TestClient(failing_app(log, box)).get("/work")
    assert "never" not in log


def test_tasks_added_by_dependencies_run_in_order() -> None:
    app = Zephyr()
    ran: list[str] = []

    def sub_dependency(tasks: BackgroundTasks) -> None:
        tasks.add_task(ran.append, "sub")

    async def dependency(tasks: BackgroundTasks, _: None = Depends(sub_dependency)) -> str:
        tasks.add_task(ran.append, "dependency")
        return "dep"

    def generator_dependency(tasks: BackgroundTasks) -> Any:
        tasks.add_task(ran.append, "generator")
        yield
        ran.append("generator teardown")

    @app.get("/")
    async def endpoint(
        tasks: BackgroundTasks,
        value: str = Depends(dependency),
        _: None = Depends(generator_dependency),
    ) -> dict[str, Any]:
        tasks.add_task(ran.append, "endpoint")
        return {"value": value, "ran_before_response": list(ran)}

    response = TestClient(app).get("/")
    assert response.json() == {"value": "dep", "ran_before_response": []}
    assert ran[:4] == ["sub", "dependency", "generator", "endpoint"]
    assert ran[4] == "generator teardown"


def test_injected_tasks_attach_to_returned_response() -> None:
    app = Zephyr()
    ran: list[str] = []

    @app.get("/")
    def endpoint(tasks: BackgroundTasks) -> PlainTextResponse:
        tasks.add_task(ran.append, "task")
        return PlainTextResponse("plain")

    assert TestClient(app).get("/").text == "plain"
    assert ran == ["task"]


def test_sync_tasks_run_off_the_event_loop_thread() -> None:
    app = Zephyr()
    threads: dict[str, int] = {}

    def sync_task() -> None:
        threads["sync"] = threading.get_ident()

    async def async_task() -> None:
        threads["async"] = threading.get_ident()

    @app.get("/")
    async def endpoint(tasks: BackgroundTasks) -> None:
        threads["endpoint"] = threading.get_ident()
        tasks.add_task(sync_task)
        tasks.add_task(async_task)

    TestClient(app).get("/")
    assert threads["async"] == threads["endpoint"]  # awaited on the loop
    assert threads["sync"] != threads["endpoint"]  # thread pool
