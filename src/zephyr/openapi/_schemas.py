"""The JSON Schemas of one OpenAPI document, resolved in one Pydantic call.

Every schema the document shows (a parameter's, a body's, a response's) is
registered with :class:`SchemaCollector` while the operations are built: the
collector remembers where the schema goes (a dict and a key) and the type
whose schema it is. :meth:`SchemaCollector.resolve` then hands every type to
one ``GenerateJsonSchema.generate_definitions`` call, so a model used by many
operations lands once in ``components.schemas``, and fills the places in.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Annotated, Any, get_args, get_origin

from pydantic import GetPydanticSchema, TypeAdapter
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import CoreSchema

from zephyr._annotated import annotated

__all__ = ["REF_TEMPLATE", "SchemaCollector", "field_title"]

REF_TEMPLATE = "#/components/schemas/{model}"


class _SchemaGenerator(GenerateJsonSchema):
    """Pydantic's generator, with ``bytes`` described as OpenAPI 3.1 binary content."""

    def bytes_schema(self, schema: CoreSchema) -> JsonSchemaValue:
        # OpenAPI 3.1 (and FastAPI) use contentMediaType, not the 3.0 "format: binary".
        config = self._config
        mode = config.ser_json_bytes if self.mode == "serialization" else config.val_json_bytes
        out: JsonSchemaValue = {"type": "string", "contentMediaType": "application/octet-stream"}
        if mode == "base64":
            out["contentEncoding"] = "base64"
        self.update_with_validations(out, schema, self.ValidationsMapping.bytes)
        return out


def _merged_mode(mode: str, core_schema: Any) -> str:
    return mode if _has_computed_fields(core_schema) else "validation"


def _has_computed_fields(node: Any) -> bool:
    """Whether a core schema (walked as plain data) declares a computed field anywhere."""
    if isinstance(node, dict):
        if node.get("computed_fields"):
            return True
        return any(_has_computed_fields(value) for value in node.values())
    if isinstance(node, list):
        return any(_has_computed_fields(item) for item in node)
    return False


class SchemaCollector:
    """Gathers (key, mode, core schema) inputs, then resolves them in one call.

    Attributes:
        needs_errors: Whether some operation documents the 422 response (so
            the document needs the validation error schemas).
        after: Run on the definitions once resolved (a form body's ``allOf``
            of its models).
    """

    def __init__(self) -> None:
        self._inputs: list[tuple[Any, Any, Any]] = []
        # (target dict, key, (input index, mode), auto title or None)
        self._placeholders: list[tuple[dict[str, Any], str, tuple[int, str], str | None]] = []
        self.needs_errors = False
        self.after: list[Callable[[dict[str, Any]], None]] = []

    def add(self, target: dict[str, Any], key: str, tp: Any, mode: str) -> None:
        """Register ``target[key]`` to receive the JSON Schema of ``tp``.

        Args:
            target: The dict the schema goes into. Its ``"_auto_title"`` key, when
                the caller set one, is the title zephyr chose for ``tp`` (not the
                user): taken out now (several schemas may go into one dict), and
                dropped from the schema again when that is a bare ``$ref``, as in
                a model's fields.
            key: Its key there (``"schema"``, ``"itemSchema"``...).
            tp: The type documented (``Annotated`` with a ``Field`` for titles,
                descriptions and the like).
            mode: ``"validation"`` (what is sent) or ``"serialization"``
                (what is answered).
        """
        auto_title = target.pop("_auto_title", None)
        index = len(self._inputs)
        with warnings.catch_warnings():
            # A parameter's ``Field(deprecated=True)`` only documents it here; Pydantic
            # warns that it has no runtime effect outside a model, which is intended.
            warnings.filterwarnings("ignore", message=".*'deprecated' attribute.*")
            adapter: TypeAdapter[Any] = TypeAdapter(_detached(tp))
        self._inputs.append((index, mode, adapter.core_schema))
        self._placeholders.append((target, key, (index, mode), auto_title))

    def resolve(self, separate: bool) -> dict[str, Any]:
        """Fill every registered place with its schema.

        Args:
            separate: ``separate_input_output_schemas``: when false, a model has
                one schema (its validation one) unless computed fields make
                what it answers differ from what it accepts.

        Returns:
            The named schemas (``components.schemas``), descriptions cut at a
            form feed (``\\f``: what follows is for the code's readers only).
        """
        if not self._inputs:
            return {}
        generator = _SchemaGenerator(ref_template=REF_TEMPLATE)
        inputs, placeholders = self._inputs, self._placeholders
        if not separate:
            modes = {key: _merged_mode(mode, schema) for key, mode, schema in inputs}
            inputs = [(key, modes[key], schema) for key, _, schema in inputs]
            placeholders = [(t, k, (i, modes[i]), a) for t, k, (i, _), a in placeholders]
        found, definitions = generator.generate_definitions(inputs)
        schemas: dict[Any, dict[str, Any]] = dict(found)
        for target, key, ref, auto_title in placeholders:
            schema = schemas[ref]
            if "$ref" in schema and auto_title is not None and schema.get("title") == auto_title:
                # A bare reference, as in a model's fields: the title is the model's.
                schema = {k: v for k, v in schema.items() if k != "title"}
            target[key] = schema
        out = {str(name): _public_description(schema) for name, schema in definitions.items()}
        for hook in self.after:
            hook(out)
        return out


def _public_description(schema: dict[str, Any]) -> dict[str, Any]:
    description = schema.get("description")
    if isinstance(description, str) and "\f" in description:
        # A docstring's part after a form feed is for the code's readers, not the API's.
        schema["description"] = description.split("\f", 1)[0]
    return schema


def _fresh_copy(source: Any, handler: Any) -> Any:
    schema = dict(handler(source))
    if isinstance(schema.get("metadata"), dict):
        schema["metadata"] = dict(schema["metadata"])
    return schema


_DETACH = GetPydanticSchema(_fresh_copy)


def _detached(tp: Any) -> Any:
    """``Annotated[T, ...]`` whose metadata lands on a copy of ``T``'s core schema.

    Pydantic writes the JSON Schema updates of ``Annotated[Model, Field(title=...)]``
    (title, description...) into the model's own cached core schema when the
    model is recursive (its schema is a reference), so the next type built from
    that model, in this document or outside it, would show them too. A copy
    taken first receives them instead.
    """
    if get_origin(tp) is not Annotated:
        return tp
    base, *metadata = get_args(tp)
    return annotated(base, _DETACH, *metadata)


def field_title(name: str) -> str:
    """The title Pydantic gives a field named ``name`` (``item_id``: ``Item Id``)."""
    return name.replace("_", " ").title()
