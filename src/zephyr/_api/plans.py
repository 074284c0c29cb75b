"""A route's plans, compiled from its dependency tree: plain, and per set of overrides.

A route keeps its analysed tree (``route.dependant``) and compiles its plan
from it. Code written for FastAPI may edit that tree in place (append a
dependency, replace a node's ``call``); :meth:`OverridablePlan.sync_plan`
compiles the plan again when the tree changed: when the route's handler is
built, when OpenAPI documents it and at the app's startup, never per request.

``app.dependency_overrides`` may change at any time (tests set and clear it
between requests), so a route can't bake overrides into its plan. Instead it
keeps its plain plan and, when overrides touch one of its calls, a plan
compiled for that exact set of replacements (the tree with the overridden
nodes analysed again).
"""

from __future__ import annotations

from typing import Any

from zephyr.dependencies.models import Dependant, Plan
from zephyr.dependencies.tree import tree_signature, with_overrides
from zephyr.types import Scope

__all__ = ["OverridablePlan"]


class OverridablePlan:
    """Mixin for routes that run plans compiled from their dependant tree.

    The route calls :meth:`_init_plans` with its analysed tree in its
    ``__init__`` (after setting ``_path_names``), and implements
    :meth:`_build`.
    """

    dependant: Dependant
    plan: Plan
    _path_names: set[str]
    _override_plans: dict[tuple[Any, ...], Plan]
    _plan_signature: tuple[Any, ...]

    def _build(self, root: Dependant) -> Plan:
        """Compile the plan of a tree (the route's, or one with overrides applied)."""
        raise NotImplementedError()  # pragma: no cover

    def _init_plans(self, dependant: Dependant) -> None:
        """Set the route's tree and build its plan (the fields of this mixin)."""
        self.dependant = dependant
        self._override_plans = {}
        self._plan_signature = ()
        self._build_plan()

    def _build_plan(self) -> None:
        """Build the plan from the tree as it stands; plans with overrides follow on demand."""
        self._plan_signature = tree_signature(self.dependant)
        self.plan = self._build(self.dependant)
        self._override_plans.clear()

    def _compile(self, overrides: dict[Any, Any] | None) -> Plan:
        """Compile the route's tree with ``overrides`` applied (``None``: none)."""
        root = self.dependant
        if overrides:
            root = with_overrides(root, overrides, self._path_names)
        return self._build(root)

    def sync_plan(self) -> bool:
        """Build the route's plan again if ``route.dependant`` changed since it was built.

        Code written for FastAPI edits the tree in place (appends to
        ``route.dependant.dependencies``, replaces a node's ``call``) and then
        builds the route's handler again: the handler's build, the OpenAPI
        document and the app's startup call this, so each follows the edited
        tree. The route's own app reads ``plan`` per request, so it serves
        the new plan too.

        Returns:
            Whether the plan was built again.
        """
        if tree_signature(self.dependant) == self._plan_signature:
            return False
        self._build_plan()
        return True

    def current_plan(self, scope: Scope) -> Plan:
        """Return the plan for the overrides in force now (``scope``'s app's, or the provider's).

        Args:
            scope: The request's scope; its ``app`` holds ``dependency_overrides``
                unless the route has a ``dependency_overrides_provider``.

        Returns:
            ``self.plan``, or the plan compiled for the overrides that apply.
        """
        provider = getattr(self, "dependency_overrides_provider", None) or scope.get("app")
        overrides = getattr(provider, "dependency_overrides", None)
        return self.plan_for(overrides) if overrides else self.plan

    def plan_for(self, overrides: dict[Any, Any]) -> Plan:
        """Return the plan with ``overrides`` applied (compiled once per override set).

        Args:
            overrides: ``{original callable: replacement}``, usually the app's
                ``dependency_overrides``; entries for calls outside this
                route's plan are ignored.

        Returns:
            ``self.plan`` when no override applies, else the cached plan for
            the overrides that do.
        """
        active = tuple((call, overrides[call]) for call in self.plan.calls if call in overrides)
        if not active:
            return self.plan
        key = tuple(sorted(active, key=lambda pair: id(pair[0])))
        plan = self._override_plans.get(key)
        if plan is None:
            plan = self._override_plans[key] = self._compile(overrides)
        return plan
