"""Dependency overrides installed by a dependency, applied from the next dependency on.

A route picks its plan (``dependency_overrides`` applied) when a request
starts. FastAPI looks each dependency's override up as it reaches it, so an
override that one dependency installs (``app.dependency_overrides[f] = g``)
already replaces ``f`` later in the same request. Looking overrides up per
step would cost every request; instead a plan is *watched* only when one of
its dependencies can do that, which is decided when the plan is compiled:
the dependency's code (nested functions included) names
``dependency_overrides``. (One that changes them through a helper defined
elsewhere is not seen: its override applies from the next request.)

A watched plan runs step by step. After each watching step it asks the
route (``scope["route"]``) for its plan under the overrides now in force;
when that is another plan, the request goes on in it: its inputs are read,
its dependencies run, except those already called (the same cache key),
whose values are reused (a ``use_cache=False`` one is called again), and its
endpoint answers. The injected
``Response`` and ``BackgroundTasks`` are handed back to the first plan's
slots, where the route reads them. ``scope="function"`` plans are not
watched.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import types
from collections.abc import Callable, Sequence
from contextlib import AsyncExitStack
from typing import Any

from zephyr.dependencies.models import Plan, Step
from zephyr.dependencies.solve import Runner, call_step, solve

__all__ = ["compile_watching_runner", "watched_steps"]

_NAME = "dependency_overrides"

# Values of the steps already called in this request, by cache key, while a
# watched request goes on in another plan (set only then: no cost otherwise).
_done: contextvars.ContextVar[dict[Any, Any] | None] = contextvars.ContextVar(
    "zephyr_overrides_done", default=None
)


def watched_steps(steps: Sequence[Step], has_function_scope: bool) -> frozenset[int]:
    """The indexes of the dependencies (not the endpoint) that may change overrides.

    Args:
        steps: A plan's steps; the last one is the endpoint.
        has_function_scope: Whether the plan ends ``yield`` dependencies right
            after the endpoint (such plans are not watched).

    Returns:
        Indexes into ``steps``; empty for almost every plan.
    """
    if has_function_scope:
        return frozenset()
    return frozenset(i for i, step in enumerate(steps[:-1]) if _names_overrides(step.call))


def _names_overrides(call: Any) -> bool:
    while isinstance(call, functools.partial):
        call = call.func
    target = inspect.unwrap(call) if inspect.isroutine(call) else call
    if not (inspect.isroutine(target) or inspect.isclass(target)):
        target = getattr(target, "__call__", target)  # noqa: B004 - callable instances
    if inspect.isclass(target):
        target = target.__init__
    code = getattr(target, "__code__", None)
    return isinstance(code, types.CodeType) and _code_names(code)


def _code_names(code: types.CodeType) -> bool:
    if _NAME in code.co_names:
        return True
    return any(isinstance(const, types.CodeType) and _code_names(const) for const in code.co_consts)


def compile_watching_runner(
    steps: Sequence[Step],
    watched: frozenset[int],
    *,
    request_slot: int,
    response_slot: int,
    background_slot: int,
) -> Runner:
    """The runner of a watched plan (see the module docstring).

    Args:
        steps: The plan's steps.
        watched: From :func:`watched_steps`.
        request_slot: The slot holding the request (watched plans always have one).
        response_slot / background_slot: The injected objects' slots, or ``-1``.

    Returns:
        ``run(values, stack)``, as ``compile_runner``'s.
    """

    async def run(values: list[Any], stack: AsyncExitStack | None) -> None:
        done = _done.get()
        done = {} if done is None else done
        for index, step in enumerate(steps):
            key = step.cache_key
            if key is not None and key in done:
                values[step.slot] = done[key]
            else:
                values[step.slot] = await call_step(step, values, stack)
                if key is not None:
                    done[key] = values[step.slot]
            if index in watched:
                newer = _current_plan(values[request_slot])
                if newer is not None and newer.steps is not steps:
                    values[steps[-1].slot] = await _go_on(newer, values, stack, done)
                    return

    async def _go_on(
        newer: Plan, values: list[Any], stack: AsyncExitStack | None, done: dict[Any, Any]
    ) -> Any:
        token = _done.set(done)
        try:
            result, fresh = await solve(newer, values[request_slot], stack)
        finally:
            _done.reset(token)
        # The route reads these from the first plan's slots.
        if response_slot >= 0 and newer.response_slot >= 0:
            values[response_slot] = fresh[newer.response_slot]
        if background_slot >= 0 and newer.background_slot >= 0:
            values[background_slot] = fresh[newer.background_slot]
        return result

    return run


def _current_plan(request: Any) -> Plan | None:
    current: Callable[[Any], Plan] | None = getattr(
        request.scope.get("route"), "current_plan", None
    )
    return current(request.scope) if current is not None else None
