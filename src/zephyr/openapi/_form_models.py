"""How a form body documents its model parameters (``Annotated[Profile | None, Form()]``).

A model parameter of a form has no key of its own: its fields are keys of the
form, next to the form's plain fields. So the form's ``Body_<operation id>``
schema lists only the plain fields under ``properties``, and each model
parameter adds entries to the schema's ``allOf``:

* a required model: its schema (a ``$ref``, or the union's ``anyOf`` /
  ``oneOf``);
* an optional one (a default): ``{"anyOf": [absent, present]}``, either none
  of its keys is sent or the model is;
* a required nullable one (``Profile | None`` without default): two entries,
  ``{"not": absent}`` and ``present``: something of it must be sent.

A plain field under a key another field (listed earlier) already documents,
say ``last: Annotated[bytes, File(alias="files")]`` next to ``files:
list[UploadFile]``, cannot be a second property of that name: beside model
parameters it adds ``{"properties": {key: schema}}`` to the ``allOf``.

``absent`` is "none of the model's keys": ``{"not": {"anyOf": [{"required":
[key]}...]}}``, or ``{"maxProperties": 0}`` when a member model takes extra
keys (``extra="allow"`` / ``"forbid"``), since then any key counts as its.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from zephyr.dependencies.models import ParamField
from zephyr.dependencies.param_models import field_lookups

__all__ = ["FormModelEntry", "SharedKeyEntry", "documents_as_model", "model_type"]


def documents_as_model(params: list[ParamField]) -> bool:
    """Whether a form body is documented as its one model's schema (no ``Body_`` wrapper).

    That is a form made of a single required, non-nullable model or union of
    models (see :func:`model_type`).
    """
    if len(params) != 1:
        return False
    param = params[0]
    return bool(param.models) and param.required and not param.nullable


def model_type(param: ParamField, title: str) -> Any:
    """What documents a form made of one model parameter: the model, or the titled union."""
    if len(param.models) == 1:
        return param.models[0]
    kwargs: dict[str, Any] = {"title": title}
    discriminator = getattr(param.info, "discriminator", None)
    if discriminator is not None:
        kwargs["discriminator"] = discriminator
    return Annotated[param.annotation, Field(**kwargs)]


def _absent(param: ParamField) -> dict[str, Any]:
    """The schema of a form that sends none of ``param``'s keys."""
    if any(m.model_config.get("extra") in ("allow", "forbid") for m in param.models):
        return {"maxProperties": 0}
    keys: set[str] = set()
    for model in param.models:
        config = model.model_config
        for name, info in model.model_fields.items():
            for key, _, _ in field_lookups(name, info, config, convert=False, sequence=False):
                keys.add(key)
    if not keys:
        return {}
    return {"not": {"anyOf": [{"required": [key]} for key in sorted(keys)]}}


def _alternatives(model: Any) -> dict[str, list[str]]:
    """The required fields a form may send under several keys: ``{schema property: keys}``."""
    out: dict[str, list[str]] = {}
    config = model.model_config
    for name, info in model.model_fields.items():
        if not info.is_required():
            continue
        keys = [k for k, _, _ in field_lookups(name, info, config, convert=False, sequence=False)]
        if len(keys) > 1:
            out[keys[0]] = keys
    return out


def _inline_models(
    schema: dict[str, Any], models: tuple[Any, ...], definitions: dict[str, Any]
) -> dict[str, Any]:
    """Inline the models whose required fields have several keys (else keep the ``$ref``).

    Such a field is required under any of its keys, which the model's own
    schema cannot say: the inlined copy moves it from ``required`` to an
    ``allOf`` of "one of these keys".
    """
    by_title = {m.model_config.get("title") or m.__name__: _alternatives(m) for m in models}

    def inline(item: dict[str, Any]) -> dict[str, Any]:
        ref = item.get("$ref")
        if not isinstance(ref, str):
            return item
        target = definitions.get(ref.rsplit("/", 1)[-1], {})
        alternatives = by_title.get(target.get("title"))
        if not alternatives:
            return item
        required = [key for key in target.get("required", []) if key not in alternatives]
        groups = [
            {"anyOf": [{"required": [key]} for key in keys]} for keys in alternatives.values()
        ]
        return {**target, "required": required, "allOf": groups}

    if "anyOf" in schema:
        return {**schema, "anyOf": [inline(item) for item in schema["anyOf"]]}
    return inline(schema)


def _drop_null(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` as ``{"anyOf": [...], "title"?}`` without its ``null`` branch."""
    if "anyOf" in schema:
        members = [m for m in schema["anyOf"] if m != {"type": "null"}]
        return {**schema, "anyOf": members}
    out: dict[str, Any] = {"anyOf": [{k: v for k, v in schema.items() if k != "title"}]}
    if "title" in schema:
        out["title"] = schema["title"]
    return out


class FormModelEntry:
    """One model parameter of a form body: what to resolve, then its ``allOf`` entries.

    Args:
        param: The model parameter (``param.models`` is not empty).
        title: Its title (``Profile`` for a parameter ``profile``).
    """

    def __init__(self, param: ParamField, title: str) -> None:
        self.param = param
        self.required = param.required
        # A required model documents as its plain schema; otherwise "present" is
        # the titled schema of the parameter's type, ``None`` left out.
        self.plain = param.required and not param.nullable
        kwargs: dict[str, Any] = {}
        discriminator = getattr(param.info, "discriminator", None)
        if discriminator is not None:
            kwargs["discriminator"] = discriminator
        if not self.plain:
            kwargs["title"] = title
        self.annotation: Any = Annotated[param.annotation, Field(**kwargs)]
        self.box: dict[str, Any] = {}  # ``box["schema"]``: filled when the schemas resolve

    def entries(self, definitions: dict[str, Any]) -> list[dict[str, Any]]:
        """The ``allOf`` entries of this parameter (once the collector resolved ``box``).

        Args:
            definitions: The resolved component schemas (a model whose required
                field has several keys is inlined from there).
        """
        schema = _inline_models(self.box["schema"], self.param.models, definitions)
        if self.plain:
            return [schema]
        present = _drop_null(schema)
        absent = _absent(self.param)
        if self.required:
            return [{"not": absent}, present]
        return [{"anyOf": [absent, present]}]


class SharedKeyEntry:
    """A plain form field whose key an earlier field documents: one ``allOf`` entry.

    Args:
        key: The form key.
        annotation: What documents the field (its type with its ``Field``).
        title: Its title when the schema has none (FastAPI's: from the parameter's name).
    """

    def __init__(self, key: str, annotation: Any, title: str) -> None:
        self.key = key
        self.annotation = annotation
        self.title = title
        self.box: dict[str, Any] = {}  # ``box["schema"]``: filled when the schemas resolve

    def entries(self, definitions: dict[str, Any]) -> list[dict[str, Any]]:
        """The ``allOf`` entry (once the collector resolved ``box``).

        Args:
            definitions: The resolved component schemas (unused: no model to inline).
        """
        schema = self.box["schema"]
        if "title" not in schema:
            schema = {**schema, "title": self.title}
        return [{"properties": {self.key: schema}}]
