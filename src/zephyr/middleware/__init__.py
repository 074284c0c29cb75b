"""ASGI middleware: the ``Middleware`` spec and the bundled middleware modules.

Applications take middleware as ``Middleware(cls, *args, **kwargs)`` specs
rather than instances so they can build (and rebuild) the stack themselves:
each spec becomes ``cls(app, *args, **kwargs)`` around the next inner app.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, MutableMapping, Sequence
from typing import Any, ParamSpec, Protocol

from zephyr.types import ASGIApp

__all__ = ["Middleware", "wrap_middleware"]

P = ParamSpec("P")

# The ASGI shapes spelled out here (not imported from zephyr.types) so the
# protocol below reads on its own in an editor's hover.
_Scope = MutableMapping[str, Any]
_Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
_Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
_ASGIApp = Callable[[_Scope, _Receive, _Send], Awaitable[None]]


class _MiddlewareFactory(Protocol[P]):
    """What ``Middleware(cls, ...)`` accepts: called with the inner app and the spec's arguments.

    A type-checking aid: ``Middleware(cls, *args, **kwargs)`` type-checks the
    arguments against ``cls``'s own signature through the ``ParamSpec``.
    """

    def __call__(self, app: _ASGIApp, /, *args: P.args, **kwargs: P.kwargs) -> _ASGIApp: ...


class Middleware:
    """A deferred middleware instantiation: ``cls(app, *args, **kwargs)``.

    Args:
        cls: A middleware class (or factory) taking the wrapped ASGI app first.
        *args: Positional arguments passed after the app.
        **kwargs: Keyword arguments passed through.
    """

    def __init__(self, cls: Any, *args: Any, **kwargs: Any) -> None:
        self.cls = cls
        self.args = args
        self.kwargs = kwargs

    def __iter__(self) -> Iterator[Any]:
        """Unpack as ``cls, args, kwargs``."""
        return iter((self.cls, self.args, self.kwargs))

    def __repr__(self) -> str:
        name = getattr(self.cls, "__name__", repr(self.cls))
        parts = [name, *map(repr, self.args), *(f"{k}={v!r}" for k, v in self.kwargs.items())]
        return f"{type(self).__name__}({', '.join(parts)})"


def wrap_middleware(app: ASGIApp, middleware: Sequence[Middleware] | None) -> ASGIApp:
    """Wrap ``app`` in ``middleware`` specs; the first spec ends up outermost.

    Args:
        app: The innermost ASGI app (a router, a route's endpoint...).
        middleware: ``Middleware`` specs, outermost first; ``None`` or empty
            returns ``app`` itself.

    Returns:
        The outermost ASGI app.
    """
    for cls, args, kwargs in reversed(middleware or ()):
        app = cls(app, *args, **kwargs)
    return app
