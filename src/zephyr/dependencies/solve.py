"""The per-request executor: run a compiled :class:`~zephyr.dependencies.models.Plan`.

No introspection happens here: extractors fill value slots, then each step's
keyword arguments are gathered from slots and the callable is awaited, run in
the thread pool, or entered as a context manager on the request's exit stack.
"""

from __future__ import annotations

import functools
import itertools
import json
import linecache
import weakref
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack, nullcontext
from keyword import iskeyword
from typing import Any

from zephyr.api_exceptions import RequestValidationError
from zephyr.background import BackgroundTasks
from zephyr.concurrency import contextmanager_in_threadpool, run_in_threadpool
from zephyr.dependencies.cleanup import DependencyStack
from zephyr.dependencies.extract import ErrorList
from zephyr.dependencies.inputs import query_source
from zephyr.dependencies.limits import ConcurrencyLimit
from zephyr.dependencies.models import CallKind, Plan, Step
from zephyr.requests import Request
from zephyr.responses import Response

__all__ = ["Runner", "call_step", "compile_runner", "new_sub_response", "run_steps", "solve"]


def new_sub_response() -> Response:
    """The ``Response`` injected into endpoints: headers, cookies and status to merge."""
    response = Response()
    response.raw_headers.clear()
    response.status_code = None  # type: ignore[assignment]
    return response


async def _call(step: Step, values: list[Any], stack: AsyncExitStack | None) -> Any:
    kwargs = {name: values[slot] for name, slot in step.args}
    kind = step.kind
    if step.limit is not None:
        return await _call_limited(step, step.limit, kwargs, stack)
    if kind is CallKind.ASYNC:
        return await step.call(**kwargs)
    if kind is CallKind.SYNC:
        return await run_in_threadpool(step.call, **kwargs)
    assert stack is not None, "plans with generators run with an exit stack"
    if kind is CallKind.ASYNC_GEN:
        return await stack.enter_async_context(step.call(**kwargs))
    # Entered and exited in the pool; a cancelled request still waits for the exit.
    return await stack.enter_async_context(contextmanager_in_threadpool(step.call(**kwargs)))


call_step = _call
"""Call one step with its arguments from ``values`` (``yield`` ones entered on ``stack``)."""


async def _call_limited(
    step: Step, limit: ConcurrencyLimit, kwargs: dict[str, Any], stack: AsyncExitStack | None
) -> Any:
    """``_call`` for a step with ``max_concurrency``: wait for a token before any work.

    The token is taken before a worker thread is, and a ``yield`` dependency
    gives it back only after its exit (on the stack of its scope) has finished.
    """
    kind = step.kind
    if kind is CallKind.ASYNC:
        return await limit.run(functools.partial(step.call, **kwargs))
    if kind is CallKind.SYNC:
        return await limit.run(functools.partial(run_in_threadpool, step.call, **kwargs))
    assert stack is not None, "plans with generators run with an exit stack"
    if kind is CallKind.ASYNC_GEN:
        return await stack.enter_async_context(limit.hold(step.call(**kwargs)))
    context = contextmanager_in_threadpool(step.call(**kwargs))
    return await stack.enter_async_context(limit.hold(context))


def _extract(plan: Plan, request: Request, values: list[Any]) -> ErrorList | None:
    """Path, query, header and cookie values (synchronous: nothing to await)."""
    errors: ErrorList | None = None
    inputs = plan.inputs
    if inputs is None or not inputs.extract(request, values):
        # One location at a time: the usual path, and every error path.
        if plan.path is not None:
            errors = plan.path.extract(request.scope.get("path_params") or {}, values)
        if plan.query is not None:
            found = plan.query.extract(query_source(plan.query, request), values)
            if found:
                errors = _joined(errors, found)
    if plan.header is not None:
        found = plan.header.extract(request.headers, values)
        if found:
            errors = _joined(errors, found)
    if plan.cookie is not None:
        found = plan.cookie.extract(request.cookies, values)
        if found:
            errors = _joined(errors, found)
    return errors


def _joined(errors: ErrorList | None, found: ErrorList) -> ErrorList:
    """``errors`` followed by ``found`` (error path only: ``found`` is not empty)."""
    return found if errors is None else errors + found


async def _extract_body(
    plan: Plan, request: Request, values: list[Any], errors: ErrorList | None
) -> ErrorList | None:
    """Body or form values, added to the errors of the other locations."""
    if plan.body is not None:
        found = await plan.body.extract(request, values)
        if found:
            errors = _joined(errors, found)
    if plan.form is not None:
        found = await plan.form.extract(request, values)
        if found:
            errors = _joined(errors, found)
    return errors


async def solve(
    plan: Plan, request: Request, stack: AsyncExitStack | None
) -> tuple[Any, list[Any]]:
    """Validate the request's inputs, run the dependencies and the endpoint.

    Args:
        plan: The route's compiled plan.
        request: The request.
        stack: The request's exit stack (``yield`` dependencies end when it
            closes, after the response is sent); ``None`` if the plan has no
            generators.

    Returns:
        ``(endpoint result, value slots)``; the slots hold the injected
        ``Response`` and ``BackgroundTasks``, if any.

    Raises:
        RequestValidationError: Some input didn't validate (after running
            the dependencies whose own inputs did, as FastAPI does, so that
            e.g. an authentication error still wins).
        Exception: Whatever a dependency or the endpoint raises.
    """
    values = plan.initial.copy()
    if plan.request_slot >= 0:
        values[plan.request_slot] = request
    if plan.response_slot >= 0:
        values[plan.response_slot] = new_sub_response()
    if plan.background_slot >= 0:
        values[plan.background_slot] = BackgroundTasks()
    if plan.lifespan:
        _fill_lifespan(plan, request, values)
    if plan.has_inputs:
        # PERF: a route without a body awaits no extraction coroutine.
        errors = _extract(plan, request, values)
        if plan.body is not None or plan.form is not None:
            errors = await _extract_body(plan, request, values, errors)
        if errors:
            await _run_valid_dependencies(plan, values, errors, stack)
            raise RequestValidationError(_ordered(errors), body=_received_body(request))
    steps = plan.steps
    if plan.has_function_scope:
        await _run_with_function_scope(steps, values, stack)
    else:
        # PERF: one generated coroutine runs every step with literal keyword
        # arguments: no per-step kwargs dict comprehension, no helper call.
        await plan.runner(values, stack)
    return values[steps[-1].slot], values


async def _run_with_function_scope(
    steps: Sequence[Step], values: list[Any], stack: AsyncExitStack | None
) -> None:
    """Run the steps; ``scope="function"`` generators end as soon as the endpoint returns.

    Their cleanup runs shielded from a cancellation of the request (see
    :mod:`zephyr.dependencies.cleanup`), as the request stack's does.
    """
    function_stack = AsyncExitStack()
    shielded = stack.shielded if isinstance(stack, DependencyStack) else nullcontext
    try:
        for step in steps:
            target = function_stack if step.function_scope else stack
            values[step.slot] = await _call(step, values, target)
    except BaseException as error:
        with shielded():
            suppressed = await function_stack.__aexit__(type(error), error, error.__traceback__)
        if not suppressed:
            raise
    else:
        with shielded():
            await function_stack.aclose()


def _fill_lifespan(plan: Plan, request: Request, values: list[Any]) -> None:
    store = getattr(request.scope.get("app"), "lifespan_dependencies", None)
    created = store.values if store is not None else {}
    for key, slot in plan.lifespan:
        try:
            values[slot] = created[key]
        except KeyError:
            name = getattr(key, "__name__", repr(key))
            raise RuntimeError(
                f"Lifespan-scoped dependency {name!r} has not been created: the app's "
                "lifespan has not started (servers run it; in tests use "
                "'with TestClient(app) as client:')"
            ) from None


Runner = Callable[[list[Any], AsyncExitStack | None], Awaitable[None]]

_runner_numbers = itertools.count(1)


def compile_runner(steps: Sequence[Step]) -> Runner:
    """Generate ``async def run(values, stack)`` executing ``steps`` in order.

    Each step becomes one line, e.g. ``v[7] = await c1(user=v[3], q=v[4])``:
    async callables awaited, sync ones sent to the thread pool, ``yield``
    dependencies entered on the request's exit stack. Only parameter names
    (identifiers, checked) and slot numbers reach the generated source.

    The source is registered with :mod:`linecache` under a name such as
    ``<zephyr plan 12: read_item>``, so tracebacks and debuggers show the
    line that made the call; the entry goes when the runner is collected.

    Returns:
        The coroutine function; it stores each result at the step's slot.
    """
    namespace: dict[str, Any] = {"threadpool": run_in_threadpool, "call_step": _call}
    lines = ["async def run(v, stack):"]
    for index, step in enumerate(steps):
        namespace[f"c{index}"] = step.call
        namespace[f"s{index}"] = step
        names_ok = all(name.isidentifier() and not iskeyword(name) for name, _ in step.args)
        args = ", ".join(f"{name}=v[{slot}]" for name, slot in step.args)
        if step.limit is not None:
            names_ok = False  # The limit is taken in call_step.
        if step.kind is CallKind.ASYNC and names_ok:
            lines.append(f"    v[{step.slot}] = await c{index}({args})")
        elif step.kind is CallKind.SYNC and names_ok:
            lines.append(f"    v[{step.slot}] = await threadpool(c{index}, {args})")
        else:
            lines.append(f"    v[{step.slot}] = await call_step(s{index}, v, stack)")
    if not steps:
        lines.append("    pass")
    source = "\n".join(lines) + "\n"
    endpoint = steps[-1].call if steps else None
    label = getattr(endpoint, "__qualname__", None) or type(endpoint).__name__
    filename = f"<zephyr plan {next(_runner_numbers)}: {label}>"
    exec(compile(source, filename, "exec"), namespace)
    runner: Runner = namespace["run"]
    # mtime None: linecache.checkcache() keeps the entry (there is no file to stat).
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    weakref.finalize(runner, linecache.cache.pop, filename, None)
    return runner


async def run_steps(plan: Plan, values: list[Any], stack: AsyncExitStack) -> Any:
    """Run a plan that reads nothing from a request (lifespan dependencies at startup).

    Returns:
        The value of the plan's last step.
    """
    for step in plan.steps:
        values[step.slot] = await _call(step, values, stack)
    return values[plan.steps[-1].slot]


def _ordered(errors: ErrorList) -> list[dict[str, Any]]:
    # FastAPI reports per dependant (dependencies first), and within one by
    # location: path, query, header, cookie, body. The sort is stable.
    errors.sort(key=lambda item: (item[0], item[1]))
    return [error for _, _, error in errors]


async def _run_valid_dependencies(
    plan: Plan, values: list[Any], errors: ErrorList, stack: AsyncExitStack | None
) -> None:
    """Call the dependencies whose inputs (and sub-dependencies) validated."""
    failed = {owner for owner, _, _ in errors}
    for index, step in enumerate(plan.steps[:-1]):
        if index in failed or any(need in failed for need in step.needs):
            failed.add(index)
            continue
        values[step.slot] = await _call(step, values, stack)


def _received_body(request: Request) -> Any:
    # WebSocket endpoints run plans too: a WebSocket has no body.
    body = request.received_body if isinstance(request, Request) else None
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return body
