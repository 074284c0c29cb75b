"""Whole-model parameters (``Annotated[Filters, Query()]``): which request keys feed which field.

A model parameter is validated by its own model, inside its location's single
Pydantic call. What this module decides, once per route, is how each field is
looked up in the request: under its alias choices in declaration order
(``AliasChoices``; an ``AliasPath`` reads the whole list of its first key),
then under its name when the model validates by name (``populate_by_name`` /
``validate_by_name``), the name spelt with ``-`` for headers when
``convert_underscores``. The first key present wins; keys no field consumed
are passed along as extras when the model forbids or allows them, so an unused
alias choice is reported as ``extra_forbidden`` as FastAPI does.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import AliasChoices, AliasPath
from pydantic.fields import FieldInfo

from zephyr.datastructures import UploadFile
from zephyr.dependencies.models import ParamField
from zephyr.dependencies.shapes import is_sequence

__all__ = [
    "LocationModel",
    "field_lookups",
    "fix_model_errors",
    "is_unselected_file",
    "model_key",
    "model_readers",
    "read_fields",
]

# (request key, key in the model's input, read every value as a list)
Lookup = tuple[str, str, bool]


def is_unselected_file(value: Any) -> bool:
    """Whether a form value is a file input with no file chosen.

    Browsers send such an input as a part with an empty ``filename`` and no
    content; it counts as absent (a part without filename but with content,
    or a named empty file, is a file).
    """
    return isinstance(value, UploadFile) and not value.filename and not value.size


def model_key(index: int) -> str:
    """Key of a whole-model parameter in its location's data (never a request key)."""
    return f"\x00model{index}"


def read_fields(source: Any, fields: Iterable[tuple[str, str, bool]]) -> dict[str, Any]:
    """Read request values for validation, leaving absent keys out.

    Args:
        source: A mapping with ``get`` (and ``getlist`` for repeated keys,
            else a list field reads the single value as a one-item list).
        fields: ``(data key, source key, is a list field)`` triples.

    Returns:
        ``{data key: value}``; list fields get every value, or are left out
        when the key is absent.
    """
    data: dict[str, Any] = {}
    get = source.get
    getlist = getattr(source, "getlist", None)
    for inner, external, sequence in fields:
        if sequence:
            items = getlist(external) if getlist is not None else _as_list(get(external))
            if items:
                data[inner] = items
        else:
            value = get(external)
            if value is not None:
                data[inner] = value
    return data


def _alias_lookups(info: FieldInfo, sequence: bool) -> list[Lookup]:
    """The lookups of a field's validation aliases, in declaration order."""
    alias: Any = info.validation_alias if info.validation_alias is not None else info.alias
    choices = alias.choices if isinstance(alias, AliasChoices) else [alias]
    lookups: list[Lookup] = []
    for choice in choices:
        if isinstance(choice, str):
            lookups.append((choice, choice, sequence))
        elif isinstance(choice, AliasPath) and isinstance(choice.path[0], str):
            # A longer path indexes into the key's values: give it all of them.
            key = choice.path[0]
            lookups.append((key, key, sequence or len(choice.path) > 1))
    return lookups


def field_lookups(
    name: str, info: FieldInfo, config: Any, *, convert: bool, sequence: bool
) -> list[Lookup]:
    """Where one model field is looked up, in priority order.

    Args:
        name: The field's Python name.
        info: Its ``FieldInfo``.
        config: The model's ``model_config``.
        convert: Whether the name is spelt with ``-`` (headers' ``convert_underscores``).
        sequence: Whether the field is a list (every value of the key is read).
    """
    has_alias = info.validation_alias is not None or info.alias is not None
    by_alias = config.get("validate_by_alias", True)
    by_name = config.get("validate_by_name") or config.get("populate_by_name")
    lookups = _alias_lookups(info, sequence) if has_alias and by_alias else []
    if not has_alias or by_name or not by_alias:
        lookups.append((name.replace("_", "-") if convert else name, name, sequence))
    return lookups


class LocationModel:
    """How a model parameter (``Annotated[Filters, Query()]``) reads its fields.

    Args:
        param: The parameter (``param.model`` is the model class).
        key: Its key in the location's data (see :func:`model_key`).
    """

    def __init__(self, param: ParamField, key: str) -> None:
        self.key = key
        self.is_header = param.location == "header"
        # An empty form field counts as absent: the next choice (or the default) applies.
        self.skip_empty = param.location == "form"
        self.union = len(param.models) > 1
        convert = self.is_header and bool(getattr(param.info, "convert_underscores", False))
        self.fields: list[list[Lookup]] = []
        for model in param.models:  # A union reads every member's fields.
            config = model.model_config
            for name, info in model.model_fields.items():
                sequence = is_sequence(info.annotation)
                lookups = field_lookups(name, info, config, convert=convert, sequence=sequence)
                if lookups not in self.fields:
                    self.fields.append(lookups)
        # Error locations name the request key (``x-values``), not the model's
        # (``x_values``), unless the model reports field names (``loc_by_alias=False``).
        self.to_external = {
            inner: external for lookups in self.fields for external, inner, _ in lookups
        }
        if not all(m.model_config.get("loc_by_alias", True) for m in param.models):
            self.to_external = {}
        self.extras = any(m.model_config.get("extra") in ("forbid", "allow") for m in param.models)
        # ``Model | None`` or a default: nothing of the model sent means the default.
        self.optional = param.nullable or not param.required

    def _norm(self, key: str) -> str:
        return key.lower() if self.is_header else key

    def gather(self, source: Any) -> dict[str, Any] | None:
        """The model's input: each field's first key found, plus unused keys if it checks extras.

        Returns:
            The input, or ``None`` when the parameter is optional and
            nothing of it was sent (its default applies).
        """
        data, used = self._lookup(source)
        # A key of the model sent empty still counts: the model was sent (its
        # field then takes its default, or is reported missing).
        present = bool(used)
        if self.extras or self.union or self.skip_empty:
            # A union's members see every key (one ignores what another reads);
            # a form model's validators see the whole form, as in FastAPI.
            for key, value in self.raw(source, used).items():
                if self._norm(key) not in used and key not in data:
                    data[key] = value
                    present = present or self.extras
        if not present and self.optional:
            return None
        if self.union and self.skip_empty:
            # Every key as sent: each member reads its own fields from it (form_unions).
            return self.raw(source, used)
        return data

    def _lookup(self, source: Any) -> tuple[dict[str, Any], dict[str, bool]]:
        """Each field's value under its first key found; ``{used key: read as a list}``."""
        data: dict[str, Any] = {}
        used: dict[str, bool] = {}
        get = source.get
        getlist = getattr(source, "getlist", None)
        for lookups in self.fields:
            for external, inner, sequence in lookups:
                if sequence:
                    value = getlist(external) if getlist is not None else _as_list(get(external))
                    if self.skip_empty and value:
                        value = [item for item in value if not is_unselected_file(item)]
                        if not value:  # Only unselected files: absent, and not an extra.
                            used[self._norm(external)] = False
                            continue
                    found = bool(value)
                else:
                    value = get(external)
                    found = value is not None
                    if found and self.skip_empty and (value == "" or is_unselected_file(value)):
                        # Tried and empty: absent for this field, and not an extra.
                        used[self._norm(external)] = False
                        continue
                if found:
                    data.setdefault(inner, value)
                    used[self._norm(external)] = sequence
                    break
        return data, used

    def raw(self, source: Any, used: dict[str, bool]) -> dict[str, Any]:
        """Every key of ``source``: a list when repeated or read by a list field."""
        getlist = getattr(source, "getlist", None)
        out: dict[str, Any] = {}
        for key in source.keys():  # noqa: SIM118 - any mapping, Headers included
            if key in out:
                continue
            values = getlist(key) if getlist is not None else [source[key]]
            sequence = used.get(self._norm(key), False)
            out[key] = values if sequence or len(values) > 1 else values[0]
        return out

    def fix_error(self, error: dict[str, Any], source: Any) -> None:
        """Rewrite an error of this model: ``loc`` without the model key, external names."""
        prefix, _, *rest = error["loc"]
        if self.union and rest:
            from zephyr.dependencies.form_unions import member_label

            rest[0] = member_label(rest[0])
        if rest and isinstance(rest[0], str):
            rest[0] = self.to_external.get(rest[0], rest[0])
        error["loc"] = (prefix, *rest)
        if error["type"] == "missing" and len(rest) == 1:
            # The model's whole input, as if every key were sent to it.
            data, used = self._lookup(source)
            for key, value in self.raw(source, used).items():
                if self._norm(key) not in used:
                    data.setdefault(key, value)
            error["input"] = data


def model_readers(params: Iterable[ParamField], owners: dict[Any, int]) -> dict[str, LocationModel]:
    """Build the readers of whole-model parameters, keyed by :func:`model_key`.

    Also records each one's owner under its key in ``owners`` (for error order).
    """
    models: dict[str, LocationModel] = {}
    for i, param in enumerate(params):
        if param.model is not None:
            key = model_key(i)
            models[key] = LocationModel(param, key)
            owners[key] = param.owner
    return models


def fix_model_errors(models: dict[str, LocationModel], errors: Any, source: Any) -> None:
    """Rewrite the errors of whole-model parameters (see :meth:`LocationModel.fix_error`)."""
    if not models:
        return
    for _, _, error in errors:
        loc = error["loc"]
        model = models.get(loc[1]) if len(loc) > 1 else None
        if model is not None:
            model.fix_error(error, source)


def _as_list(value: Any) -> list[Any]:
    return [] if value is None else [value]
