"""Live inclusion: a route added to a router after ``include_router`` reaches the including router.

FastAPI 0.165 serves routes added to an ``APIRouter`` after it was included
(``app.include_router(router)`` then ``@router.get(...)``), also once the app
serves requests. zephyr copies routes when including them (their dependencies
and options change), so each inclusion is remembered on the included router;
a route added to it later is copied into every router it is included in,
which passes it on in turn (nested inclusions). The copy takes the place the
route has among the router's routes: after the copy of the route before it,
so routes the including router declared after the inclusion (a catch-all
``/{path:path}``, say) still come after it.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from zephyr._routetree import index_of
from zephyr.routing import BaseRoute

if TYPE_CHECKING:
    from zephyr._api.routing import APIRouter


@dataclass
class Inclusion:
    """One ``parent.include_router(child, **options)``, kept by ``child``.

    Args:
        parent: The including router (weakly: a module-level router included
            in many apps does not keep them alive).
        options: The ``include_router`` keyword arguments, for the later copies.
        before: The parent's last route when the inclusion began (``None``:
            it had none); the child's first route's copy goes after it.
        copies: ``id(child route) -> (child route, its copy in the parent)``.
    """

    parent: weakref.ref[APIRouter]
    options: dict[str, Any]
    before: BaseRoute | None
    copies: dict[int, tuple[BaseRoute, BaseRoute]] = field(default_factory=dict)

    def remember(self, route: BaseRoute, copy: BaseRoute | None) -> None:
        """Note the parent's copy of ``route`` (``None``: it made none)."""
        if copy is not None:
            self.copies[id(route)] = (route, copy)

    def anchor(self, route: BaseRoute, routes: list[BaseRoute]) -> BaseRoute | None:
        """The parent route after which the copy of ``route`` goes.

        Args:
            route: A route just added to the child.
            routes: The child's routes, ``route`` among them.

        Returns:
            The copy of the nearest earlier child route that has one, else
            :attr:`before` (``None``: the start of the parent's routes).
        """
        for earlier in reversed(routes[: index_of(routes, route)]):
            entry = self.copies.get(id(earlier))
            if entry is not None and entry[0] is earlier:
                return entry[1]
        return self.before


def place_after(anchor: BaseRoute | None, routes: list[BaseRoute]) -> int | None:
    """The index a route placed right after ``anchor`` takes in ``routes``.

    Returns:
        ``0`` for no anchor; ``None`` (append) if the anchor is no longer there.
    """
    if anchor is None:
        return 0
    try:
        return index_of(routes, anchor) + 1
    except ValueError:
        return None
