"""A cancelled request still runs (and waits for) the cleanup of ``yield`` dependencies.

FastAPI documents that the code after ``yield`` runs once the response is
done, also when the request ends early. For a sync generator the cleanup runs
in the thread pool; when the client goes away and the request task is
cancelled, the task must not finish before that cleanup has run, inner
dependency first, even when the cancellation is delivered again and again.
"""

import asyncio
import threading
import time
from collections.abc import Iterator
from typing import Any

from zephyr import Depends, Zephyr


def test_cancelled_request_waits_for_sync_cleanup_in_order() -> None:
    app = Zephyr()
    order: list[str] = []
    threads: set[int] = set()
    ready = threading.Event()

    def outer() -> Iterator[None]:
        try:
            yield
        finally:
            time.sleep(0.05)  # A slow, blocking cleanup: the task must wait for it.
            threads.add(threading.get_ident())
            order.append("outer")

    def inner(_: None = Depends(outer)) -> Iterator[None]:
        try:
            yield
        finally:
            threads.add(threading.get_ident())
            order.append("inner")

    @app.get("/")
    async def endpoint(_: None = Depends(inner)) -> None:
        ready.set()
        await asyncio.sleep(30)

    async def main() -> None:
        scope: dict[str, Any] = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": "/",
            "raw_path": b"/",
            "query_string": b"",
            "root_path": "",
            "headers": [],
            "client": ("127.0.0.1", 1),
            "server": ("127.0.0.1", 80),
        }

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None: ...

        task = asyncio.create_task(app(scope, receive, send))
        while not ready.is_set():
            await asyncio.sleep(0.01)
        # Cancel again and again, as a cancel scope does (anyio re-delivers the
        # cancellation at every await until the task ends).
        while not task.done():
            task.cancel()
            await asyncio.sleep(0.005)
        assert task.cancelled()
        assert order == ["inner", "outer"]  # Done by the time the task is.

    asyncio.run(main())
    assert threading.get_ident() not in threads
