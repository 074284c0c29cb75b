"""The thread pool once anyio is loaded: anyio's worker threads, limiter and ``from_thread``.

Blocking code in a FastAPI app may call back into the loop with
``anyio.from_thread`` and may count on anyio's default thread limiter. Once
the process has loaded anyio, ``run_in_threadpool`` and
``contextmanager_in_threadpool`` hop through ``anyio.to_thread``; without
anyio they use zephyr's own pool. Both keep the rules of the module: a
started ``__enter__``/``__exit__`` is waited for through cancellations, one
not started yet when the task is cancelled never runs.
"""

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import anyio
import anyio.from_thread
import anyio.to_thread
import pytest

from zephyr import concurrency
from zephyr.concurrency import contextmanager_in_threadpool, run_in_threadpool


def test_blocking_code_can_call_back_into_the_loop() -> None:
    loop_thread: list[int] = []

    def record() -> None:
        loop_thread.append(threading.get_ident())

    def blocking() -> str:
        anyio.from_thread.run_sync(record)
        anyio.from_thread.run(asyncio.sleep, 0)
        return threading.current_thread().name

    async def main() -> str:
        return await run_in_threadpool(blocking)

    name = asyncio.run(main())
    assert loop_thread == [threading.get_ident()]
    assert not name.startswith("zephyr-worker")


def test_a_hop_borrows_a_token_of_anyios_default_limiter() -> None:
    borrowed: list[float] = []

    async def main() -> None:
        limiter = anyio.to_thread.current_default_thread_limiter()

        def blocking() -> None:
            borrowed.append(anyio.from_thread.run_sync(lambda: limiter.borrowed_tokens))

        await run_in_threadpool(blocking)
        assert limiter.borrowed_tokens == 0

    asyncio.run(main())
    assert borrowed == [1]


def test_without_anyio_the_own_pool_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(concurrency, "_anyio_threads", lambda: None)

    async def main() -> str:
        return await run_in_threadpool(lambda: threading.current_thread().name)

    assert asyncio.run(main()).startswith("zephyr-worker")


class _Recorder:
    def __init__(self, block_in: str = "", release: threading.Event | None = None) -> None:
        self.events: list[str] = []
        self.block_in = block_in
        self.release = release or threading.Event()
        self.blocked = threading.Event()

    @contextmanager
    def manage(self) -> Iterator[str]:
        self._maybe_block("enter")
        self.events.append("enter")
        try:
            yield "value"
        finally:
            self._maybe_block("exit")
            self.events.append("exit")

    def _maybe_block(self, where: str) -> None:
        if self.block_in == where:
            self.blocked.set()
            assert self.release.wait(5)


@pytest.mark.parametrize("where", ["enter", "exit"])
def test_cancelled_while_a_worker_runs_waits_for_it_and_exits(where: str) -> None:
    recorder = _Recorder(block_in=where)

    async def use() -> None:
        async with contextmanager_in_threadpool(recorder.manage()):
            await asyncio.sleep(30)

    async def main() -> None:
        task = asyncio.ensure_future(use())
        if where == "exit":
            await asyncio.sleep(0.05)
            task.cancel()
        while not recorder.blocked.is_set():
            await asyncio.sleep(0.005)
        for _ in range(5):  # Cancel again and again, as a cancel scope does.
            task.cancel()
            await asyncio.sleep(0.005)
        assert not task.done()
        recorder.release.set()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert recorder.events == ["enter", "exit"]


def test_cancelled_while_waiting_for_a_worker_neither_enters_nor_exits() -> None:
    recorder = _Recorder()

    async def main() -> Any:
        limiter = anyio.to_thread.current_default_thread_limiter()
        limiter.total_tokens = 1
        holder = object()
        await limiter.acquire_on_behalf_of(holder)
        try:

            async def use() -> None:
                async with contextmanager_in_threadpool(recorder.manage()):
                    pytest.fail("no worker was free")  # pragma: no cover

            task = asyncio.ensure_future(use())
            await asyncio.sleep(0.05)
            assert limiter.statistics().tasks_waiting == 1
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
        finally:
            limiter.release_on_behalf_of(holder)

    asyncio.run(main())
    assert recorder.events == []


def test_exit_does_not_wait_for_default_capacity() -> None:
    recorder = _Recorder()

    async def main() -> None:
        limiter = anyio.to_thread.current_default_thread_limiter()
        limiter.total_tokens = 1
        async with contextmanager_in_threadpool(recorder.manage()):
            holder = object()
            await limiter.acquire_on_behalf_of(holder)  # The only token, held meanwhile.
        limiter.release_on_behalf_of(holder)

    asyncio.run(asyncio.wait_for(main(), 5))
    assert recorder.events == ["enter", "exit"]
