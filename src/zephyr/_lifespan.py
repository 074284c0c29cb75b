"""ASGI lifespan handling for routers (ASGI lifespan 2.0).

A router runs either a ``lifespan(app)`` async context manager (whose yielded
dict seeds the server's lifespan ``state``) or the legacy ``on_startup`` /
``on_shutdown`` callables, never both.
"""

from __future__ import annotations

import inspect
import traceback
import warnings
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from typing import Any

from zephyr.types import Receive, Scope, Send

__all__ = ["LifespanMixin"]

_COMBINED = (
    "'lifespan' can't be combined with 'on_startup'/'on_shutdown' handlers; "
    "run that code inside the lifespan context manager instead"
)


def _as_context_factory(lifespan: Any) -> Callable[[Any], AbstractAsyncContextManager[Any]]:
    """Accept a context manager factory or an (async) generator function."""
    if inspect.isasyncgenfunction(lifespan):
        return asynccontextmanager(lifespan)
    if inspect.isgeneratorfunction(lifespan):
        sync_factory = contextmanager(lifespan)

        @asynccontextmanager
        async def wrapper(app: Any) -> AsyncIterator[Any]:
            with sync_factory(app) as state:
                yield state

        return wrapper
    return lifespan  # type: ignore[no-any-return]


class LifespanMixin:
    """Lifespan support shared by ``Router`` (and through it the application)."""

    on_startup: list[Callable[[], Any]]
    on_shutdown: list[Callable[[], Any]]
    lifespan_context: Callable[[Any], AbstractAsyncContextManager[Any]]
    _custom_lifespan: bool

    def _init_lifespan(
        self,
        on_startup: Sequence[Callable[[], Any]] | None,
        on_shutdown: Sequence[Callable[[], Any]] | None,
        lifespan: Any,
    ) -> None:
        self.on_startup = list(on_startup or [])
        self.on_shutdown = list(on_shutdown or [])
        self._custom_lifespan = lifespan is not None
        if lifespan is None:
            self.lifespan_context = self._handlers_lifespan
            return
        if self.on_startup or self.on_shutdown:
            raise ValueError(_COMBINED)
        self.lifespan_context = _as_context_factory(lifespan)

    @asynccontextmanager
    async def _handlers_lifespan(self, app: Any) -> AsyncIterator[None]:
        await self.startup()
        yield
        await self.shutdown()

    async def startup(self) -> None:
        """Run the ``on_startup`` handlers in order (async ones awaited)."""
        for handler in self.on_startup:
            result = handler()
            if inspect.isawaitable(result):
                await result

    async def shutdown(self) -> None:
        """Run the ``on_shutdown`` handlers in order (async ones awaited)."""
        for handler in self.on_shutdown:
            result = handler()
            if inspect.isawaitable(result):
                await result

    def add_event_handler(self, event_type: str, func: Callable[[], Any]) -> None:
        """Register a ``"startup"`` or ``"shutdown"`` handler (sync or async).

        Raises:
            ValueError: On another event type, or if a ``lifespan`` is set.
        """
        if event_type not in ("startup", "shutdown"):
            raise ValueError(f"Unknown event type {event_type!r}; use 'startup' or 'shutdown'")
        if self._custom_lifespan:
            raise ValueError(_COMBINED)
        (self.on_startup if event_type == "startup" else self.on_shutdown).append(func)

    def on_event(
        self, event_type: str, *, stacklevel: int = 2
    ) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
        """Decorator form of :meth:`add_event_handler` (deprecated, as in FastAPI).

        Args:
            event_type: ``"startup"`` or ``"shutdown"``.
            stacklevel: Where the warning points (the caller of ``on_event``).

        Returns:
            The decorator, which registers the function and returns it.
        """
        warnings.warn(
            "on_event is deprecated, use lifespan event handlers instead: a `lifespan` "
            "async context manager on the app runs startup code before its `yield` and "
            "shutdown code after it",
            DeprecationWarning,
            stacklevel=stacklevel,
        )

        def decorator(func: Callable[[], Any]) -> Callable[[], Any]:
            self.add_event_handler(event_type, func)
            return func

        return decorator

    def include_lifespan(self, other: LifespanMixin) -> None:
        """Take an included router's startup and shutdown into this router's.

        Handlers (``on_startup``/``on_shutdown``) are appended to this router's.
        A ``lifespan`` (the router's own, or ones it took from routers it
        included) runs inside this router's: entered after it, exited before
        it. Their states are merged; on a key both set, the including
        router's value wins.

        Args:
            other: The router being included.
        """
        if other.lifespan_context == other._handlers_lifespan:
            for handler in other.on_startup:
                self.add_event_handler("startup", handler)
            for handler in other.on_shutdown:
                self.add_event_handler("shutdown", handler)
            return
        outer, inner = self.lifespan_context, other.lifespan_context

        @asynccontextmanager
        async def merged(app: Any) -> AsyncIterator[Any]:
            async with outer(app) as outer_state, inner(app) as inner_state:
                if outer_state is None and inner_state is None:
                    yield None
                else:
                    yield {**(inner_state or {}), **(outer_state or {})}

        self.lifespan_context = merged

    async def lifespan(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ``lifespan`` scope: startup, wait for shutdown, shutdown.

        A state mapping yielded by the lifespan context is copied into
        ``scope["state"]`` (which servers share into each request's state).
        Failures are reported as ``lifespan.startup.failed`` /
        ``lifespan.shutdown.failed`` with the traceback text, then re-raised.

        Raises:
            RuntimeError: If state is yielded but the server gave no ``scope["state"]``.
        """
        app = scope.get("app", self)
        started = False
        await receive()  # lifespan.startup
        try:
            async with self.lifespan_context(app) as state:
                if state is not None:
                    if "state" not in scope:
                        raise RuntimeError(
                            'The server does not support "state" in the lifespan scope.'
                        )
                    scope["state"].update(state)
                await send({"type": "lifespan.startup.complete"})
                started = True
                await receive()  # lifespan.shutdown
        except BaseException:
            text = traceback.format_exc()
            kind = "lifespan.shutdown.failed" if started else "lifespan.startup.failed"
            await send({"type": kind, "message": text})
            raise
        await send({"type": "lifespan.shutdown.complete"})
