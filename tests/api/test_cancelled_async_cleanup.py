"""Async ``yield`` dependencies end properly when an anyio cancel scope cancels the request.

anyio re-delivers a cancellation at every ``await`` until the task leaves the
cancelled scope. The cleanup of an async ``yield`` dependency must still run
to its end (the request finishing only after it), cancel scopes and task
groups the dependency opened must close in order in their own task, and a
cancellation that arrives during a cleanup is raised once it is done.
"""

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest

from zephyr import Depends, Zephyr


def _client(app: Zephyr) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


@pytest.mark.parametrize("scope", ["function", "request"])
@pytest.mark.parametrize("when", ["endpoint", "cleanup"])
def test_cleanup_that_awaits_runs_to_its_end(scope: str, when: str) -> None:
    events: list[str] = []
    in_cleanup = anyio.Event()
    release = anyio.Event()
    in_endpoint = anyio.Event()

    async def resource() -> AsyncIterator[None]:
        try:
            yield
        finally:
            in_cleanup.set()
            await release.wait()
            await anyio.sleep(0)
            events.append("cleaned up")

    app = Zephyr()

    @app.get("/")
    async def endpoint(_: None = Depends(resource, scope=scope)) -> str:  # type: ignore[arg-type]
        in_endpoint.set()
        if when == "endpoint":
            await anyio.sleep_forever()
        return "ok"

    async def main() -> bool:
        async with _client(app) as client, anyio.create_task_group() as group:
            cancel = anyio.CancelScope()

            async def call() -> None:
                with cancel:
                    await client.get("/")

            group.start_soon(call)
            await (in_endpoint if when == "endpoint" else in_cleanup).wait()
            cancel.cancel()
            await anyio.wait_all_tasks_blocked()
            assert events == []  # Still waiting inside the cleanup.
            release.set()
        return cancel.cancelled_caught

    assert anyio.run(main) is True
    assert events == ["cleaned up"]


def test_task_group_opened_by_a_dependency_closes_in_its_task() -> None:
    events: list[str] = []

    async def background() -> None:
        try:
            await anyio.sleep_forever()
        finally:
            events.append("child stopped")

    async def with_group() -> AsyncIterator[None]:
        try:
            async with anyio.create_task_group() as group:
                group.start_soon(background)
                try:
                    yield
                finally:
                    group.cancel_scope.cancel()
        finally:
            await anyio.sleep(0)  # Would raise again if the cleanup were not shielded.
            events.append("group closed")

    app = Zephyr()
    scopes: list[anyio.CancelScope] = []

    @app.get("/")
    async def endpoint(_: None = Depends(with_group)) -> str:
        scopes[0].cancel()
        await anyio.sleep(0)
        return "never"  # pragma: no cover

    async def main() -> Any:
        async with _client(app) as client:
            with anyio.CancelScope() as outside:
                scopes.append(outside)
                await client.get("/")
        return outside.cancelled_caught

    assert anyio.run(main) is True
    assert events == ["child stopped", "group closed"]


@pytest.mark.parametrize("scope", ["function", "request"])
@pytest.mark.parametrize("cancelled", [True, False])
def test_a_frontends_dependencies_clean_up_like_a_routes(
    scope: str, cancelled: bool, tmp_path: Path
) -> None:
    # The app's dependencies also run before a frontend serves a file; a
    # later one failing (or cancelling the request) must not cut short the
    # awaiting cleanup of an earlier ``yield`` one.
    events: list[str] = []
    seen: list[BaseException] = []
    (tmp_path / "index.html").write_text("<p>app</p>")
    scopes: list[anyio.CancelScope] = []  # made in the loop: anyio needs one

    async def resource() -> AsyncIterator[None]:
        try:
            yield
        except BaseException as exc:
            seen.append(exc)
            raise
        finally:
            await anyio.sleep(0)
            events.append("cleaned up")

    async def failing() -> None:
        if cancelled:
            scopes[0].cancel()
            await anyio.sleep(0)
        raise LookupError("later dependency")

    app = Zephyr(dependencies=[Depends(resource, scope=scope), Depends(failing)])
    app.frontend("/", directory=tmp_path)

    async def main() -> bool:
        async with _client(app) as client:
            with anyio.CancelScope() as outside:
                scopes.append(outside)
                if cancelled:
                    await client.get("/index.html")
                else:
                    with pytest.raises(LookupError):
                        await client.get("/index.html")
        return outside.cancelled_caught

    assert anyio.run(main) is cancelled
    assert events == ["cleaned up"]
    assert len(seen) == 1
    assert isinstance(seen[0], asyncio.CancelledError if cancelled else LookupError)


def test_a_plan_without_async_generators_gets_no_cancel_scope() -> None:
    def sync_resource() -> Any:
        yield 1

    async def async_resource() -> AsyncIterator[int]:
        yield 2

    app = Zephyr()

    @app.get("/sync")
    async def uses_sync(v: int = Depends(sync_resource)) -> int:
        return v

    @app.get("/async")
    async def uses_async(v: int = Depends(async_resource)) -> int:
        return v

    plans = {route.path: route.plan for route in app.router.routes if hasattr(route, "plan")}
    assert plans["/sync"].has_generators and not plans["/sync"].has_async_generators
    assert plans["/async"].has_async_generators
