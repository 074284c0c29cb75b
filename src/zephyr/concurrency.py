"""Bridges between async code and blocking code, built on asyncio.

Blocking callables run on a bounded thread pool shared by the process, with the
caller's ``contextvars`` copied in, so request-scoped context survives the hop.

One rule bends this: once the process has loaded anyio (a FastAPI app, httpx,
a test using anyio), blocking code may call back into the loop with
``anyio.from_thread`` and count on anyio's default thread limiter, which only
anyio's own worker threads support. So while anyio is loaded, the hops go
through ``anyio.to_thread`` instead (decided per call, from ``sys.modules``:
a process that never imports anyio never pays for it).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import sys
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from types import ModuleType
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

DEFAULT_THREAD_LIMIT = 40
"""Maximum number of worker threads for ``run_in_threadpool`` (like Starlette's default)."""

_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def _get_executor() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        with _executor_lock:
            if _executor is None:
                _executor = ThreadPoolExecutor(
                    max_workers=DEFAULT_THREAD_LIMIT, thread_name_prefix="zephyr-worker"
                )
    return _executor


def _anyio_threads() -> ModuleType | None:
    """``anyio.to_thread`` if the process has loaded anyio, else ``None``."""
    if "anyio" not in sys.modules:
        return None
    threads = sys.modules.get("anyio.to_thread")
    if threads is None:
        import anyio.to_thread as threads
    return threads


async def run_in_threadpool(func: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run a blocking callable on the shared thread pool and await its result.

    Args:
        func: The blocking callable.
        *args: Positional arguments for ``func``.
        **kwargs: Keyword arguments for ``func``.

    Returns:
        Whatever ``func`` returns.

    Raises:
        Whatever ``func`` raises, re-raised in the awaiting task.
    """
    threads = _anyio_threads()
    if threads is not None:
        # anyio copies the context itself; cancellation waits for the call.
        result: T = await threads.run_sync(functools.partial(func, *args, **kwargs))
        return result
    loop = asyncio.get_running_loop()
    context = contextvars.copy_context()
    call = functools.partial(context.run, func, *args, **kwargs)
    return await loop.run_in_executor(_get_executor(), call)


def submit_to_threadpool(func: Callable[[], object]) -> None:
    """Run ``func()`` on the shared thread pool without waiting (fire and forget).

    Used for cleanup that must not block the event loop, e.g. closing a sync
    generator still busy in another worker. Exceptions are dropped.

    Args:
        func: A no-argument callable.
    """
    _get_executor().submit(func)


class _StopIteration(Exception):
    """Carries the end of a sync iterator out of the thread (StopIteration can't cross futures)."""


def _next(iterator: Iterator[T]) -> T:
    try:
        return next(iterator)
    except StopIteration:
        raise _StopIteration from None


async def iterate_in_threadpool(iterator: Iterable[T]) -> AsyncIterator[T]:
    """Turn a blocking iterable into an async iterator; each ``next()`` runs in the pool.

    Args:
        iterator: Any iterable (e.g. a generator that reads a file).

    Returns:
        An async iterator over the same items.
    """
    as_iterator = iter(iterator)
    while True:
        try:
            yield await run_in_threadpool(_next, as_iterator)
        except _StopIteration:
            break


async def run_until_first_complete(
    *args: tuple[Callable[..., Awaitable[Any]], dict[str, Any]],
) -> None:
    """Run coroutine functions concurrently; when the first finishes, cancel the rest.

    Args:
        *args: ``(async_func, kwargs)`` pairs.

    Raises:
        The exception of the first task to finish, if it failed.
    """
    tasks = [asyncio.ensure_future(func(**kwargs)) for func, kwargs in args]
    try:
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            if not task.done():
                task.cancel()
    if pending:
        # Let cancelled tasks run their cleanup before we return.
        await asyncio.gather(*pending, return_exceptions=True)
    for task in done:
        task.result()


async def _in_worker_to_the_end(
    func: Callable[..., T], *args: Any, may_skip: bool = False
) -> tuple[T, asyncio.CancelledError | None]:
    """Run ``func(*args)`` in the pool and wait for it even through cancellation.

    With ``may_skip``, a call that has not started yet when the task is
    cancelled never runs (the cancellation is raised): an ``__enter__`` may be
    skipped, an ``__exit__`` never. Otherwise the call is awaited to its end;
    the cancellation that arrived meanwhile is returned with the result, for
    the caller to raise.
    """
    context = contextvars.copy_context()
    started = _get_executor().submit(context.run, func, *args)
    waiting = asyncio.wrap_future(started)
    cancelled: asyncio.CancelledError | None = None
    while True:
        try:
            return await asyncio.shield(waiting), cancelled
        except asyncio.CancelledError as error:
            if may_skip and not waiting.done() and started.cancel():
                raise  # Never started: nothing to wait for.
            cancelled = cancelled or error


async def _in_anyio_worker(
    threads: ModuleType, func: Callable[..., T], *args: Any, may_skip: bool = False
) -> tuple[T, asyncio.CancelledError | None]:
    """``_in_worker_to_the_end`` on anyio's worker threads.

    With ``may_skip`` (an ``__enter__``), the call first takes a token of
    anyio's default limiter; a cancellation during that wait skips it.
    Otherwise (an ``__exit__``) it takes no default token, so a cleanup never
    waits for capacity that the requests it would end may hold. Once started,
    the call is awaited to its end in a shielded scope: an anyio cancellation
    is delivered after it, a plain asyncio one is returned with the result.
    """
    import anyio

    returned: list[T] = []

    def call() -> None:
        returned.append(func(*args))

    default = threads.current_default_thread_limiter()
    borrower = object()
    if may_skip:
        await default.acquire_on_behalf_of(borrower)  # Cancelled here: nothing ran.
    cancelled: asyncio.CancelledError | None = None
    try:
        with anyio.CancelScope(shield=True):
            # A task of its own: a plain task.cancel() of ours can't reach the call.
            own = anyio.CapacityLimiter(1)
            waiting = asyncio.ensure_future(threads.run_sync(call, limiter=own))
            while not waiting.done():
                try:
                    await asyncio.shield(waiting)
                except asyncio.CancelledError as error:
                    cancelled = cancelled or error
    finally:
        if may_skip:
            default.release_on_behalf_of(borrower)
    waiting.result()  # The call's own error, if any.
    return returned[0], cancelled


@contextlib.asynccontextmanager
async def contextmanager_in_threadpool(cm: AbstractContextManager[T]) -> AsyncIterator[T]:
    """Use a blocking context manager from async code: enter and exit it in the thread pool.

    The exit sees the body's exception (and may suppress it, as ``with``
    allows). Cancellation of the body still runs the exit in a worker, and the
    task waits for it; an error raised by the exit keeps the body's exception
    as its ``__context__``.

    Args:
        cm: A context manager whose ``__enter__``/``__exit__`` may block.

    Returns:
        An async context manager yielding what ``cm.__enter__()`` returns.

    Raises:
        Whatever the body or ``cm.__exit__`` raises (not suppressed by ``cm``).
    """
    threads = _anyio_threads()
    run = _in_worker_to_the_end if threads is None else functools.partial(_in_anyio_worker, threads)
    value, cancelled = await run(cm.__enter__, may_skip=True)
    try:
        if cancelled is not None:
            raise cancelled  # Entered while being cancelled: exit, then cancel.
        yield value
    except BaseException as error:
        suppress, _ = await run(cm.__exit__, type(error), error, error.__traceback__)
        if not suppress:
            raise
    else:
        _, cancelled = await run(cm.__exit__, None, None, None)
        if cancelled is not None:
            raise cancelled
