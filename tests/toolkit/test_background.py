"""Tests for zephyr.background."""

from __future__ import annotations

import asyncio
import functools
import threading

import pytest

from zephyr.background import BackgroundTask, BackgroundTasks


def test_sync_task_runs_in_thread() -> None:
    seen: list[tuple[int, str, bool]] = []

    def job(x: int, *, tag: str) -> None:
        seen.append((x, tag, threading.current_thread() is threading.main_thread()))

    asyncio.run(BackgroundTask(job, 1, tag="t")())
    assert seen == [(1, "t", False)]


def test_async_task_awaited_on_loop() -> None:
    seen: list[str] = []

    async def job(value: str) -> None:
        await asyncio.sleep(0)
        seen.append(value)

    task = BackgroundTask(job, "v")
    assert task.is_async
    asyncio.run(task())
    assert seen == ["v"]


def test_async_detection_for_partials_and_callables() -> None:
    async def job(a: int) -> None:
        pass

    class AsyncCallable:
        async def __call__(self) -> None:
            pass

    class SyncCallable:
        def __call__(self) -> None:
            pass

    assert BackgroundTask(functools.partial(job, 1)).is_async
    assert BackgroundTask(AsyncCallable()).is_async
    assert not BackgroundTask(SyncCallable()).is_async
    assert not BackgroundTask(print).is_async


def test_tasks_run_in_order() -> None:
    order: list[int] = []

    async def a(n: int) -> None:
        order.append(n)

    def s(n: int) -> None:
        order.append(n)

    tasks = BackgroundTasks()
    tasks.add_task(a, 1)
    tasks.add_task(s, 2)
    tasks.add_task(a, 3)
    asyncio.run(tasks())
    assert order == [1, 2, 3]


def test_exception_propagates_and_stops_later_tasks() -> None:
    ran: list[str] = []

    def boom() -> None:
        raise ValueError("task failed")

    tasks = BackgroundTasks([BackgroundTask(boom)])
    tasks.add_task(ran.append, "after")
    with pytest.raises(ValueError, match="task failed"):
        asyncio.run(tasks())
    assert ran == []
