"""Tasks that run after the response has been sent."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, ParamSpec

from zephyr.concurrency import run_in_threadpool

P = ParamSpec("P")

__all__ = ["BackgroundTask", "BackgroundTasks"]


def _is_async_callable(obj: Any) -> bool:
    while hasattr(obj, "func") and hasattr(obj, "args"):  # functools.partial
        obj = obj.func
    if inspect.iscoroutinefunction(obj):
        return True
    # A callable instance whose __call__ is async.
    try:
        dunder_call = type(obj).__call__
    except AttributeError:
        return False
    return inspect.iscoroutinefunction(dunder_call)


class BackgroundTask:
    """One call to run after the response: awaited if async, else run in the thread pool.

    Args:
        func: The callable.
        *args: Positional arguments for it.
        **kwargs: Keyword arguments for it.
    """

    def __init__(self, func: Callable[P, Any], *args: P.args, **kwargs: P.kwargs) -> None:
        self.func = func
        self.args = args
        self.kwargs = kwargs
        # PERF: decided once here, not on every run.
        self.is_async = _is_async_callable(func)

    async def __call__(self) -> None:
        """Run the task.

        Raises:
            Whatever the task raises (the server logs it; the response is already sent).
        """
        if self.is_async:
            await self.func(*self.args, **self.kwargs)
        else:
            await run_in_threadpool(self.func, *self.args, **self.kwargs)


class BackgroundTasks(BackgroundTask):
    """An ordered list of background tasks, run one after another.

    Args:
        tasks: Initial tasks (default: none).
    """

    def __init__(self, tasks: list[BackgroundTask] | None = None) -> None:
        self.tasks = list(tasks) if tasks else []

    def add_task(self, func: Callable[P, Any], *args: P.args, **kwargs: P.kwargs) -> None:
        """Append ``func(*args, **kwargs)`` to the list."""
        self.tasks.append(BackgroundTask(func, *args, **kwargs))

    async def __call__(self) -> None:
        """Run every task in order; the first exception stops the rest and propagates."""
        for task in self.tasks:
            await task()
