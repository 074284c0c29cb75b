"""Union form models (``Annotated[Person | Company, Form()]``): each member reads the form its way.

The members of a union may read one key differently: ``value: str`` in one,
``value: list[str]`` in another. One input dict cannot suit both, so the union
receives a :class:`FormInput` (the keys read once, plus the form itself) and
every member is wrapped in a ``BeforeValidator`` that builds that member's
own input from the form: its list fields get every value, its scalar fields
one, empty text fields and unselected file inputs are left out, and the keys
it does not read are passed along (its ``extra`` setting decides what they
do). A discriminator still reads its tag from the :class:`FormInput`.

Everything here is built once per route; the readers run only for requests
that send such a union.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Union

from pydantic import BeforeValidator

from zephyr.dependencies.param_models import Lookup, field_lookups, is_unselected_file

__all__ = ["FormInput", "MemberReader", "member_label", "union_annotation"]


class FormInput(dict[str, Any]):
    """A union form model's input: the keys read once, and the form for each member.

    Args:
        data: The keys read once (a key's value as a list when some member
            reads it as one).
        source: The parsed form (``get`` / ``getlist`` / ``keys``).
    """

    def __init__(self, data: dict[str, Any], source: Any) -> None:
        super().__init__(data)
        self.source = source


class MemberReader:
    """Build one union member's input from the form (a ``BeforeValidator`` function).

    Args:
        model: The member model.
    """

    def __init__(self, model: Any) -> None:
        from zephyr.dependencies.compile import is_sequence

        config = model.model_config
        self.fields: list[list[Lookup]] = [
            field_lookups(name, info, config, convert=False, sequence=is_sequence(info.annotation))
            for name, info in model.model_fields.items()
        ]

    def __call__(self, value: Any) -> Any:
        """The member's input when ``value`` is a :class:`FormInput`, else ``value`` as is."""
        if not isinstance(value, FormInput):
            return value
        source = value.source
        data: dict[str, Any] = {}
        used: set[str] = set()
        for lookups in self.fields:
            for external, inner, sequence in lookups:
                if sequence:
                    items = [v for v in source.getlist(external) if not is_unselected_file(v)]
                    if items:
                        used.add(external)
                        data.setdefault(inner, items)
                        break
                    continue
                found = source.get(external)
                if found is None:
                    continue
                used.add(external)  # Tried: an empty value is absent, not an extra.
                if found == "" or is_unselected_file(found):
                    continue
                data.setdefault(inner, found)
                break
        for key in source.keys():  # noqa: SIM118 - FormData
            if key not in used and key not in data:
                items = source.getlist(key)
                data[key] = items if len(items) > 1 else items[0]
        return data

    def __repr__(self) -> str:
        return "form"  # Part of Pydantic's error label: function-before[form(), Model]


def union_annotation(models: tuple[Any, ...], nullable: bool) -> Any:
    """The union type whose members each read the form with a :class:`MemberReader`."""
    members: list[Any] = [Annotated[m, BeforeValidator(MemberReader(m))] for m in models]
    if nullable:
        members.append(type(None))
    return Union[tuple(members)]  # noqa: UP007 - built from parts


_LABEL = re.compile(r"function-before\[.*, (?P<model>[^\[\],]+)\]")


def member_label(item: Any) -> Any:
    """A union error's member label as Pydantic writes it for the bare model (``Person``)."""
    if isinstance(item, str):
        match = _LABEL.fullmatch(item)
        if match is not None:
            return match.group("model")
    return item
