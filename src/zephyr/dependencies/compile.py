"""Compile an endpoint into a :class:`~zephyr.dependencies.models.Plan`, once per route.

The analysed tree (:mod:`zephyr.dependencies.analyze`) is flattened here into
an ordered list of steps with cache keys and value slots, one extractor per
request location and the generated runner. The request path (``solve.py``)
only walks the result.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from zephyr import params
from zephyr._form_limits import FormLimits
from zephyr.dependencies._signature import get_typed_parameters, get_typed_signature
from zephyr.dependencies.analyze import analyze, analyze_dependency, analyze_endpoint
from zephyr.dependencies.extract import BodyExtractor, FormExtractor, LocationExtractor
from zephyr.dependencies.inputs import PathQueryExtractor
from zephyr.dependencies.live_overrides import compile_watching_runner, watched_steps
from zephyr.dependencies.models import CallKind, Dependant, ParamField, Plan, SpecialKind, Step
from zephyr.dependencies.shapes import strip_annotated
from zephyr.dependencies.solve import Runner, compile_runner
from zephyr.formparsers import check_multipart_install

__all__ = [
    "analyze",
    "analyze_dependency",
    "analyze_endpoint",
    "build_plan",
    "compile_endpoint",
    "get_typed_signature",
    "lifespan_key",
]


def compile_endpoint(
    endpoint: Callable[..., Any],
    *,
    path_names: set[str],
    dependencies: Iterable[params.Depends] = (),
    overrides: Mapping[Any, Any] | None = None,
    strict_content_type: bool = True,
    form_limits: FormLimits | None = None,
    buffered_limit: int | None = None,
) -> Plan:
    """Analyse an endpoint with its route-level dependencies and build its plan.

    Args:
        endpoint / path_names / dependencies / overrides: As for
            :func:`analyze_endpoint`.
        strict_content_type: Whether a body without ``Content-Type`` is not
            JSON (default True; see :class:`BodyExtractor`).
        form_limits: The route's form limits (see :mod:`zephyr._form_limits`).
        buffered_limit: Cap on a JSON body read whole, where no
            ``max_body_size`` applies (see :class:`BodyExtractor`).

    Returns:
        The compiled :class:`Plan`.
    """
    root = analyze_endpoint(
        endpoint, path_names=path_names, dependencies=dependencies, overrides=overrides
    )
    return build_plan(
        root,
        strict_content_type=strict_content_type,
        form_limits=form_limits,
        buffered_limit=buffered_limit,
    )


class _Flattener:
    """Post-order walk of a dependant tree into steps, slots and fields."""

    def __init__(self) -> None:
        self.steps: list[Step] = []
        self.fields: list[ParamField] = []
        self.initial: list[Any] = []
        self.cache: dict[Any, int] = {}
        self.specials: dict[SpecialKind, int] = {}
        self.calls: set[Any] = set()
        self.lifespan: dict[Any, int] = {}
        self.lifespan_nodes: list[Dependant] = []
        self.body_keys: dict[str, ParamField] = {}

    def slot(self, value: Any = None) -> int:
        self.initial.append(value)
        return len(self.initial) - 1

    def special(self, kind: SpecialKind, node: Dependant, annotation_owner: Any) -> int:
        if kind == "security_scopes":
            return self.slot(_security_scopes(annotation_owner, node.security_scopes))
        if kind not in self.specials:
            self.specials[kind] = self.slot()
        return self.specials[kind]

    def lifespan_ref(self, node: Dependant) -> int:
        """Slot of a lifespan dependency's value: filled per request from the app's store."""
        key = lifespan_key(node)
        if key not in self.lifespan:
            self.lifespan[key] = self.slot()
            self.lifespan_nodes.append(node)
            self.calls.update(_tree_calls(node))
        return self.lifespan[key]

    def visit(self, node: Dependant, is_root: bool = False) -> tuple[int, int]:
        """Add ``node``'s step (after its dependencies'); return ``(step index, slot)``.

        A lifespan dependency adds no step: its index is ``-1``.
        """
        key = node.cache_key
        if not is_root:
            if node.exit_scope == "lifespan":
                return -1, self.lifespan_ref(node)
            self.calls.add(node.declared)
            if node.use_cache and key in self.cache:
                index = self.cache[key]
                return index, self.steps[index].slot
        needs: list[int] = []
        args: list[tuple[str, int]] = []
        for sub in node.dependencies:
            index, slot = self.visit(sub)
            if index >= 0:
                needs.append(index)
            if sub.name is not None:
                args.append((sub.name, slot))
        owner = len(self.steps)
        for original in node.params:
            shared = self.body_keys.get(original.external) if original.location == "body" else None
            if shared is not None:
                # The same body key again (e.g. ``item: Item`` in the endpoint and in a
                # dependency): one value of the body, read once, given to both.
                args.append((original.name, shared.slot))
                continue
            field = dataclasses.replace(original, slot=self.slot(), owner=owner)
            self.fields.append(field)
            if field.location == "body":
                self.body_keys[field.external] = field
            args.append((field.name, field.slot))
        for name, kind in node.specials:
            args.append((name, self.special(kind, node, _annotation_of(node.call, name))))
        self.steps.append(
            Step(
                call=_wrap_call(node),
                kind=node.kind,
                args=tuple(args),
                slot=self.slot(),
                owner=owner,
                needs=tuple(needs),
                function_scope=node.exit_scope == "function",
                cache_key=key if node.use_cache and not is_root else None,
                limit=node.limit,
            )
        )
        self.cache.setdefault(key, owner)
        return owner, self.steps[owner].slot


def lifespan_key(node: Dependant) -> Any:
    """The key of a lifespan dependency's value: the declared callable (before overrides)."""
    return node.declared


def _tree_calls(node: Dependant) -> set[Any]:
    calls = {lifespan_key(node)}
    for sub in node.dependencies:
        calls |= _tree_calls(sub)
    return calls


def _wrap_call(node: Dependant) -> Callable[..., Any]:
    # Generators are wrapped once here, not per request.
    if node.kind is CallKind.ASYNC_GEN:
        return asynccontextmanager(node.call)
    if node.kind is CallKind.SYNC_GEN:
        return contextmanager(node.call)
    return node.call


def _annotation_of(call: Callable[..., Any], name: str) -> Any:
    annotation = get_typed_parameters(call).parameters[name].annotation
    return strip_annotated(annotation)


def _security_scopes(cls: Any, scopes: list[str]) -> Any:
    return cls(scopes=list(scopes))


def build_plan(
    root: Dependant,
    *,
    strict_content_type: bool = True,
    form_limits: FormLimits | None = None,
    buffered_limit: int | None = None,
) -> Plan:
    """Flatten an analysed tree into a :class:`Plan` with its extractors.

    Raises:
        ValueError: If an extractor's validation model can't be generated.
    """
    flat = _Flattener()
    flat.visit(root, is_root=True)
    by_location: dict[str, list[ParamField]] = {}
    for field in flat.fields:
        by_location.setdefault(field.location, []).append(field)
    located = {
        location: LocationExtractor(location, fields)
        for location, fields in by_location.items()
        if location in ("path", "query", "header", "cookie")
    }
    path, query = located.get("path"), located.get("query")
    inputs = None
    if path is not None and query is not None:
        inputs = PathQueryExtractor.build(path, query)
    body_fields = by_location.get("body")
    form_fields = by_location.get("form")
    body = form = None
    if form_fields:
        check_multipart_install()
        # Body-typed values next to form fields are read from the form too.
        form = FormExtractor([*form_fields, *(body_fields or [])], form_limits or {})
    elif body_fields:
        embed = len(body_fields) > 1 or bool(getattr(body_fields[0].info, "embed", False))
        body = BodyExtractor(
            body_fields,
            embed,
            strict_content_type=strict_content_type,
            buffered_limit=buffered_limit,
        )
    has_function_scope = any(s.function_scope and s.kind >= CallKind.ASYNC_GEN for s in flat.steps)
    runner = _runner(flat, has_function_scope)  # (before the slots are counted: it may add one)
    return Plan(
        root=root,
        steps=flat.steps,
        fields=flat.fields,
        size=len(flat.initial),
        initial=flat.initial,
        path=path,
        query=query,
        header=located.get("header"),
        cookie=located.get("cookie"),
        inputs=inputs,
        body=body,
        form=form,
        request_slot=flat.specials.get("request", -1),
        response_slot=flat.specials.get("response", -1),
        background_slot=flat.specials.get("background", -1),
        has_generators=any(s.kind >= CallKind.ASYNC_GEN for s in flat.steps),
        has_async_generators=any(s.kind is CallKind.ASYNC_GEN for s in flat.steps),
        has_function_scope=has_function_scope,
        calls=frozenset(flat.calls),
        lifespan=tuple(flat.lifespan.items()),
        lifespan_nodes=flat.lifespan_nodes,
        has_inputs=bool(flat.fields),
        may_parse_form=form is not None or "request" in flat.specials,
        runner=runner,
    )


def _runner(flat: _Flattener, has_function_scope: bool) -> Runner:
    """The plan's runner: generated, or watching for overrides (see ``live_overrides``)."""
    watched = watched_steps(flat.steps, has_function_scope)
    if not watched:
        return compile_runner(flat.steps)
    if "request" not in flat.specials:
        flat.specials["request"] = flat.slot()  # where the runner finds the request's route
    return compile_watching_runner(
        flat.steps,
        watched,
        request_slot=flat.specials["request"],
        response_slot=flat.specials.get("response", -1),
        background_slot=flat.specials.get("background", -1),
    )
