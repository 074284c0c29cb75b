"""``Depends(..., max_concurrency=N)``: a cap on concurrent runs of one declaration.

A :class:`ConcurrencyLimit` belongs to one ``Depends`` object (so every route
reusing that declaration, in any app, shares the cap; a new ``Depends`` object
gets its own). It holds an ``anyio.Semaphore``, made on first use: anyio comes
with the test client and is what FastAPI code inspects (``statistics()``,
``value``). Nothing here is imported by a plan that declares no limit.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import anyio

__all__ = ["ConcurrencyLimit", "check_max_concurrency", "same_limit"]

T = TypeVar("T")


def check_max_concurrency(value: object) -> int | None:
    """Validate a ``max_concurrency`` argument.

    Args:
        value: What was passed.

    Returns:
        ``value`` (a positive ``int``) or ``None``.

    Raises:
        ValueError: If ``value`` is neither ``None`` nor a positive integer
            (``bool`` is refused: ``True`` is not a count).
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"max_concurrency must be a positive integer or None, not {value!r}")
    return value


class ConcurrencyLimit:
    """At most ``limit`` runs at a time of the dependency it is declared on.

    A run is the call of a plain dependency, or, for a ``yield`` dependency,
    everything from its entry to the end of its cleanup (at the time its
    ``scope`` says). Callers beyond the limit wait without taking a worker
    thread; a waiter that is cancelled takes nothing.

    Args:
        limit: The number of concurrent runs allowed (positive).
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._semaphore: anyio.Semaphore | None = None

    def get_semaphore(self) -> anyio.Semaphore:
        """The semaphore counting the runs in progress (made on first use).

        Returns:
            An ``anyio.Semaphore`` of ``limit`` tokens.
        """
        if self._semaphore is None:
            import anyio  # Only apps that declare a limit need it.

            self._semaphore = anyio.Semaphore(self.limit)
        return self._semaphore

    async def run(self, call: Callable[[], Awaitable[T]]) -> T:
        """Await ``call()`` while holding one token.

        Args:
            call: Starts the run (an async call, or a hop to the thread pool).

        Returns:
            What ``call()`` returns.
        """
        async with self.get_semaphore():
            return await call()

    @asynccontextmanager
    async def hold(self, context: AbstractAsyncContextManager[T]) -> AsyncIterator[T]:
        """Enter ``context`` holding one token; give it back after the exit has finished.

        Args:
            context: The dependency's context manager, not entered yet.

        Returns:
            An async context manager yielding what ``context`` yields.
        """
        async with self.get_semaphore(), context as value:
            yield value

    def __repr__(self) -> str:
        return f"ConcurrencyLimit({self.limit})"


def same_limit(limit: Any, value: int | None) -> bool:
    """Whether ``limit`` (a :class:`ConcurrencyLimit` or ``None``) caps at ``value``."""
    return (limit.limit if isinstance(limit, ConcurrencyLimit) else None) == value
