"""Cleanup of ``yield`` dependencies that a cancellation can't cut short.

A request cancelled from an anyio cancel scope (httpx's ASGI transport, a task
group, ``fail_after``) is cancelled again at every ``await`` until it leaves
that scope; so a cleanup that awaits (closing a connection, stopping a task
group it started) would be cut short. While anyio is loaded, a request whose
plan has ``async`` ``yield`` dependencies runs inside one cancel scope of its own,
entered before any dependency, and each cleanup runs with that scope shielded:
the dependencies' own cancel scopes and task groups, entered inside it, exit
in order and in their task, and the request ends only after its cleanup. The
shield is lifted after the ``scope="function"`` cleanup, so sending the
response stays cancellable. Without anyio nothing here costs anything.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import AsyncExitStack, contextmanager, nullcontext
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zephyr.dependencies.models import Plan

__all__ = ["DependencyStack"]


class DependencyStack(AsyncExitStack):
    """The exit stack of a request's ``yield`` dependencies, with its cancel scope.

    Use ``with stack.scope():`` around the whole request (dependencies,
    endpoint, response, cleanup) and ``with stack.shielded():`` around each
    cleanup.
    """

    def __init__(self) -> None:
        super().__init__()
        self._scope: Any = None  # The anyio CancelScope, once entered.

    def scope(self, plan: Plan) -> Any:
        """A context manager for the request's cancel scope.

        Args:
            plan: The request's plan: only one with an ``async`` ``yield``
                dependency gets a scope (a sync cleanup runs in a worker,
                which a cancellation already can't cut short).

        Returns:
            The anyio ``CancelScope`` to enter, or a ``nullcontext`` (no anyio).
        """
        if not plan.has_async_generators or "anyio" not in sys.modules:
            return nullcontext()
        import anyio

        self._scope = anyio.CancelScope()
        return self._scope

    @contextmanager
    def shielded(self) -> Iterator[None]:
        """Shield the request's scope while a cleanup runs (then lift the shield)."""
        scope = self._scope
        if scope is None or scope.shield:
            yield
            return
        scope.shield = True
        try:
            yield
        finally:
            scope.shield = False

    async def cancelled_meanwhile(self) -> None:
        """After a shielded cleanup: raise the cancellation that arrived during it, if any.

        Raises:
            CancelledError: If the request was cancelled while shielded.
        """
        if self._scope is not None:
            import anyio.lowlevel

            await anyio.lowlevel.checkpoint_if_cancelled()
