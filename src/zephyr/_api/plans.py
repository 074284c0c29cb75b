"""Per-route plans with dependency overrides applied, compiled once per override set.

``app.dependency_overrides`` may change at any time (tests set and clear it
between requests), so a route can't bake overrides into its plan. Instead it
keeps its plain plan and, when overrides touch one of its calls, a plan
compiled for that exact set of replacements.
"""

from __future__ import annotations

from typing import Any

from zephyr.dependencies.models import Plan
from zephyr.types import Scope

__all__ = ["OverridablePlan"]


class OverridablePlan:
    """Mixin for routes that run a compiled :class:`Plan`.

    The route sets ``plan`` (``self._compile(None)``) and
    ``_override_plans = {}`` in its ``__init__``, and implements
    :meth:`_compile`.
    """

    plan: Plan
    _override_plans: dict[tuple[Any, ...], Plan]

    def _compile(self, overrides: dict[Any, Any] | None) -> Plan:
        """Compile the route's endpoint with ``overrides`` (``None``: none)."""
        raise NotImplementedError()  # pragma: no cover

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
