"""Union form models (``Annotated[Person | Company, Form()]``): each member reads the form its way.

The members of a union may read one key differently: ``value: str`` in one,
``value: list[str]`` in another. One input dict cannot suit both, so the union
receives every key of the form as sent (a list where the key repeats or some
member reads a list), and every member is wrapped in a ``BeforeValidator``
that builds its own input from that: its list fields get every value, its
scalar fields one, empty text fields and unselected file inputs are left out,
and the keys it does not read are passed along (its ``extra`` setting decides
what they do). A discriminator reads its tag from the union's input, and a
validator around the union sees (and may change) that input.

Everything here is built once per route; the readers run only for requests
that send such a union.
"""

from __future__ import annotations

import re
import types
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, BeforeValidator

from zephyr.dependencies.param_models import Lookup, field_lookups, is_unselected_file
from zephyr.dependencies.shapes import is_sequence

__all__ = ["MemberReader", "member_label", "union_annotation"]


class MemberReader:
    """Build one union member's input from the form (a ``BeforeValidator`` function).

    Args:
        model: The member model.
    """

    def __init__(self, model: Any) -> None:
        config = model.model_config
        self.fields: list[list[Lookup]] = [
            field_lookups(name, info, config, convert=False, sequence=is_sequence(info.annotation))
            for name, info in model.model_fields.items()
        ]

    def __call__(self, value: Any) -> Any:
        """The member's input built from the form's keys (``value``, see :func:`form_keys`).

        Args:
            value: ``{key: value}`` of the whole form, a list for a repeated
                key or one some member reads as a list; whatever a validator
                around the union made of it. Not a mapping: passed as is.
        """
        if not isinstance(value, dict):
            return value
        data: dict[str, Any] = {}
        used: set[str] = set()
        for lookups in self.fields:
            for external, inner, sequence in lookups:
                if external not in value:
                    continue
                found = value[external]
                used.add(external)  # Tried: an empty value is absent, not an extra.
                if found is None or found == []:
                    # Not from a form: a validator around the union set it.
                    data.setdefault(inner, found)
                    break
                if sequence:
                    items = found if isinstance(found, list) else [found]
                    items = [item for item in items if not is_unselected_file(item)]
                    if items:
                        data.setdefault(inner, items)
                        break
                    continue
                if isinstance(found, list):
                    found = found[-1] if found else ""  # One value: the last, as ``form.get``.
                if found == "" or is_unselected_file(found):
                    continue
                data.setdefault(inner, found)
                break
        for key, item in value.items():
            if key not in used and key not in data:
                data[key] = item
        return data

    def __repr__(self) -> str:
        return "form"  # Part of Pydantic's error label: function-before[form(), Model]


def union_annotation(annotation: Any) -> Any:
    """``annotation`` with each member model read by a :class:`MemberReader`.

    The rest of the type is kept as written: ``None``, a member's ``Tag``,
    a ``Discriminator`` or ``Field(union_mode=...)`` around the union.
    """
    origin = get_origin(annotation)
    if origin is Annotated:
        base, *metadata = get_args(annotation)
        return Annotated[(union_annotation(base), *metadata)]
    if origin is Union or origin is types.UnionType:
        members = tuple(union_annotation(member) for member in get_args(annotation))
        return Union[members]  # noqa: UP007 - built from parts
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return Annotated[annotation, BeforeValidator(MemberReader(annotation))]
    return annotation


_LABEL = re.compile(r"function-before\[.*, (?P<model>[^\[\],]+)\]")


def member_label(item: Any) -> Any:
    """A union error's member label as Pydantic writes it for the bare model (``Person``)."""
    if isinstance(item, str):
        match = _LABEL.fullmatch(item)
        if match is not None:
            return match.group("model")
    return item
