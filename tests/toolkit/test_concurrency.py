"""Tests for zephyr.concurrency."""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time

import pytest

from zephyr.concurrency import (
    DEFAULT_THREAD_LIMIT,
    iterate_in_threadpool,
    run_in_threadpool,
    run_until_first_complete,
)

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="none")


def test_run_in_threadpool_returns_and_copies_context() -> None:
    def work(a: int, *, b: int) -> tuple[int, str, bool]:
        return a + b, request_id.get(), threading.current_thread() is threading.main_thread()

    async def main() -> tuple[int, str, bool]:
        request_id.set("r-1")
        return await run_in_threadpool(work, 1, b=2)

    assert asyncio.run(main()) == (3, "r-1", False)


def test_run_in_threadpool_raises() -> None:
    def fail() -> None:
        raise KeyError("nope")

    with pytest.raises(KeyError):
        asyncio.run(run_in_threadpool(fail))


def test_thread_pool_is_bounded() -> None:
    active = 0
    peak = 0
    lock = threading.Lock()

    def work() -> None:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        time.sleep(0.02)
        with lock:
            active -= 1

    async def main() -> None:
        await asyncio.gather(*(run_in_threadpool(work) for _ in range(DEFAULT_THREAD_LIMIT + 20)))

    asyncio.run(main())
    assert 1 < peak <= DEFAULT_THREAD_LIMIT


def test_iterate_in_threadpool() -> None:
    threads: set[bool] = set()

    def gen():  # type: ignore[no-untyped-def]
        for i in range(3):
            threads.add(threading.current_thread() is threading.main_thread())
            yield i

    async def main() -> list[int]:
        return [item async for item in iterate_in_threadpool(gen())]

    assert asyncio.run(main()) == [0, 1, 2]
    assert threads == {False}


def test_iterate_in_threadpool_propagates_errors() -> None:
    def gen():  # type: ignore[no-untyped-def]
        yield 1
        raise RuntimeError("broken iterator")

    async def main() -> None:
        async for _ in iterate_in_threadpool(gen()):
            pass

    with pytest.raises(RuntimeError, match="broken iterator"):
        asyncio.run(main())


def test_run_until_first_complete_cancels_others() -> None:
    cleaned: list[str] = []

    async def fast() -> None:
        await asyncio.sleep(0)

    async def slow() -> None:
        try:
            await asyncio.sleep(10)
        finally:
            cleaned.append("slow")

    start = time.perf_counter()
    asyncio.run(run_until_first_complete((fast, {}), (slow, {})))
    assert time.perf_counter() - start < 2
    assert cleaned == ["slow"]


def test_run_until_first_complete_raises_first_error() -> None:
    async def fail(msg: str) -> None:
        raise ValueError(msg)

    async def slow() -> None:
        await asyncio.sleep(10)

    with pytest.raises(ValueError, match="first"):
        asyncio.run(run_until_first_complete((fail, {"msg": "first"}), (slow, {})))
