"""What documents a parameter: its marker, over a ``Field()`` before it in ``Annotated``.

``Annotated[int, Field(title="Count", description="How many"), Query()]`` is
documented as one field: the ``Field``'s title, description, examples,
``deprecated`` and ``json_schema_extra`` stand unless the marker gives its own
(``Query(deprecated=False)`` takes the deprecation back) or clears them with an
explicit ``None`` (``Query(title=None)``: the default title), and two
``json_schema_extra`` dicts merge, the marker's keys winning. The ``Field`` keeps
its constraints (``gt=0``...) on the documented type, but not its aliases or
its metadata, which the document gives once, merged, on the parameter.
"""

from __future__ import annotations

import copy
from typing import Annotated, Any, get_args, get_origin

from pydantic.fields import FieldInfo

from zephyr._annotated import annotated
from zephyr.dependencies.models import ParamField
from zephyr.params import _Marker

__all__ = ["DOC_KEYS", "documented"]

DOC_KEYS = ("title", "description", "examples", "deprecated", "json_schema_extra")
# Taken off the Field()s left on the type: the document names the parameter itself.
_CLEARED = (*DOC_KEYS, "alias", "validation_alias", "serialization_alias", "alias_priority")


def documented(param: ParamField) -> tuple[Any, dict[str, Any]]:
    """The type documenting ``param`` and its merged metadata.

    Args:
        param: An analysed parameter.

    Returns:
        ``(annotation, metadata)``: the parameter's annotation with any plain
        ``Field()`` in its ``Annotated`` metadata stripped of aliases and of the
        keys of ``DOC_KEYS``, and those keys as set by the ``Field()``s and then
        the marker (only the keys some of them set).
    """
    annotation = param.annotation
    merged: dict[str, Any] = {}
    if get_origin(annotation) is Annotated:
        base, *metadata = get_args(annotation)
        kept: list[Any] = []
        for item in metadata:
            if isinstance(item, FieldInfo) and not isinstance(item, _Marker):
                _merge(merged, item)
                item = _without_doc(item)
            kept.append(item)
        annotation = annotated(base, *kept)
    _merge(merged, param.info)
    return annotation, merged


def _merge(merged: dict[str, Any], info: FieldInfo) -> None:
    given = info._attributes_set
    cleared: frozenset[str] = getattr(info, "cleared", frozenset())  # a marker's explicit Nones
    for key in DOC_KEYS:
        if key in cleared:
            merged.pop(key, None)
            continue
        if key not in given:
            continue
        value = getattr(info, key)
        earlier = merged.get(key)
        if key == "json_schema_extra" and isinstance(earlier, dict) and isinstance(value, dict):
            value = {**earlier, **value}
        merged[key] = value


def _without_doc(info: FieldInfo) -> FieldInfo:
    # A copy: the Field() object may be shared by other annotations (a type alias).
    out = copy.copy(info)
    out._attributes_set = {k: v for k, v in info._attributes_set.items() if k not in _CLEARED}
    for key in _CLEARED:
        setattr(out, key, None)
    return out
