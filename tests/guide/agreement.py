"""Cross-check the validators that serve one parameter location.

A path, query, header or cookie location can be validated four ways that must
give the same answer: the dict twin of the location model (the happy path),
the model itself (the reference for errors), one single-parameter extractor
per field (FastAPI's per-parameter errors) and, for path with query, the joint
validator of both. ``check_extractions`` wraps the extraction entry points so
that every request a test sends is also validated the other ways, and fails
the test when values or errors differ.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from pydantic import ValidationError

from zephyr.dependencies import solve
from zephyr.dependencies.extract import ErrorList, LocationExtractor
from zephyr.dependencies.models import Plan
from zephyr.requests import Request


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b)


class _Spy:
    """Stands in for a validator and remembers the input of each call."""

    def __init__(self, validator: Any) -> None:
        self.validator = validator
        self.inputs: list[Any] = []

    def validate_python(self, data: Any) -> Any:
        self.inputs.append(data)
        return self.validator.validate_python(data)


def _run(validator: Any, data: Any) -> tuple[bool, dict[str, Any]]:
    try:
        validated = validator.validate_python(data)
    except ValidationError:
        return False, {}
    return True, validated if isinstance(validated, dict) else validated.__dict__


def _checked_location(original: Callable[..., ErrorList | None]) -> Callable[..., Any]:
    def extract(self: LocationExtractor, source: Any, values: list[Any]) -> ErrorList | None:
        fast, model = self.fast, self.validator
        spies = [_Spy(model), _Spy(fast) if fast is not None else None]
        self.validator, self.fast = spies[0], spies[1]
        try:
            found = original(self, source, values)
        finally:
            self.validator, self.fast = model, fast
        data = next(spy.inputs[0] for spy in spies if spy is not None and spy.inputs)
        names = [name for name, _ in self.slots]
        model_ok, by_model = _run(model, data)
        where = f"{self.location} {[p.external for p in self.params]} given {data!r}"
        if fast is not None:
            fast_ok, by_twin = _run(fast, data)
            assert fast_ok == model_ok, f"{where}: dict twin and model disagree on validity"
            if model_ok:
                same = all(_same(by_twin[n], by_model[n]) for n in names)
                assert same, f"{where}: dict twin {by_twin} != model {by_model}"
        if len(self.params) > 1:
            by_single = values.copy()
            single_errors = self._extract_each(source, by_single)
            assert (single_errors is None) == model_ok, (
                f"{where}: one call and per-parameter validation disagree on validity"
            )
            if model_ok:
                same = all(_same(by_single[slot], by_model[name]) for name, slot in self.slots)
                assert same, f"{where}: per-parameter values differ from the model's"
        assert (found is None) == model_ok, f"{where}: outcome differs from the model's"
        return found

    return extract


def _checked_inputs(original: Callable[..., ErrorList | None]) -> Callable[..., Any]:
    def extract(plan: Plan, request: Request, values: list[Any]) -> ErrorList | None:
        joint = plan.inputs
        if joint is None:
            return original(plan, request, values)
        validator = joint.validator
        spy = joint.validator = _Spy(validator)
        try:
            found = original(plan, request, values)
        finally:
            joint.validator = validator
        joint_ok, _ = _run(validator, spy.inputs[0])
        by_location = values.copy()
        plan.inputs = None
        try:
            separate = original(plan, request, by_location) or []
        finally:
            plan.inputs = joint
        separate_ok = not [e for _, _, e in separate if e["loc"][0] in ("path", "query")]
        where = f"{request.url.path}?{request.url.query} given {spy.inputs[0]!r}"
        assert joint_ok == separate_ok, f"{where}: joint and per-location validity differ"
        if joint_ok:
            got = [values[slot] for _, slot in joint.slots]
            expected = [by_location[slot] for _, slot in joint.slots]
            assert all(map(_same, got, expected)), f"{where}: joint {got} != {expected}"
        return found

    return extract


@contextmanager
def check_extractions(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Validate every extraction the other ways too while the block runs."""
    monkeypatch.setattr(LocationExtractor, "extract", _checked_location(LocationExtractor.extract))
    monkeypatch.setattr(solve, "_extract", _checked_inputs(solve._extract))
    yield
