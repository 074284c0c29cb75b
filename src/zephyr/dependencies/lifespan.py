"""Lifespan-scoped dependencies: created once at startup, shared by every request.

``Depends(get_pool, scope="lifespan")`` marks a dependency whose value lives as
long as the application: the app creates it during its lifespan startup (before
its own ``lifespan`` runs), requests read it from a slot like any other value,
and a ``yield`` dependency is closed at shutdown, the last created first.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

from zephyr.dependencies.compile import build_plan, lifespan_key
from zephyr.dependencies.models import Dependant, Plan
from zephyr.dependencies.solve import run_steps

__all__ = ["LifespanDependencies"]


class LifespanDependencies:
    """The lifespan-scoped dependency values of one application.

    Attributes:
        values: ``{declared callable: value}`` while the app is running.
    """

    def __init__(self) -> None:
        self.values: dict[Any, Any] = {}

    @asynccontextmanager
    async def running(
        self, routes: Iterable[Any], overrides: Mapping[Any, Any]
    ) -> AsyncIterator[None]:
        """Create the dependencies used by ``routes``; close them on exit.

        Args:
            routes: The app's routes; ``APIRoute``s (anything with
                ``plan_for``) are searched for lifespan dependencies.
            overrides: ``dependency_overrides`` as they stand at startup.

        Raises:
            Exception: Whatever a dependency raises while being created
                (the app's startup then fails).
        """
        nodes: list[Dependant] = []
        for route in routes:
            plan_for = getattr(route, "plan_for", None)
            if plan_for is not None:
                plan: Plan = plan_for(overrides)
                nodes.extend(plan.lifespan_nodes)
        try:
            async with AsyncExitStack() as stack:
                for node in nodes:
                    await self._create(node, stack)
                yield
        finally:
            self.values.clear()

    async def _create(self, node: Dependant, stack: AsyncExitStack) -> None:
        key = lifespan_key(node)
        if key in self.values:
            return
        plan = build_plan(node)
        for sub in plan.lifespan_nodes:
            await self._create(sub, stack)
        values = plan.initial.copy()
        for sub_key, slot in plan.lifespan:
            values[slot] = self.values[sub_key]
        self.values[key] = await run_steps(plan, values, stack)
