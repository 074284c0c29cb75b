"""``jsonable_encoder``: turn arbitrary Python data into JSON-compatible data.

Used on slow or explicit paths (exception handlers, user code, non-JSON
response classes). Endpoint return values are *not* walked with it: compiled
routes serialize with Pydantic in one call (see ``zephyr._api.route``).
"""

from __future__ import annotations

import dataclasses
import datetime
import sys
from collections import deque
from collections.abc import Callable, Mapping
from decimal import Decimal
from enum import Enum
from ipaddress import (
    IPv4Address,
    IPv4Interface,
    IPv4Network,
    IPv6Address,
    IPv6Interface,
    IPv6Network,
)
from pathlib import PurePath
from re import Pattern
from types import GeneratorType
from typing import Any
from uuid import UUID

import pydantic
from pydantic_core import PydanticUndefined

from zephyr._pydantic_v1 import is_v1_model
from zephyr.api_exceptions import PydanticV1NotSupportedError

__all__ = ["NATIVE", "NOT_NATIVE", "PLAIN", "is_json_native", "json_kind", "jsonable_encoder"]

IncEx = set[int] | set[str] | dict[int, Any] | dict[str, Any]


def _decimal(value: Decimal) -> int | float:
    # Integral decimals stay ints ("1" not "1.0"), others become floats.
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= 0:
        return int(value)
    return float(value)


_BY_TYPE: dict[type[Any], Callable[[Any], Any]] = {
    bytes: lambda o: o.decode(),
    datetime.date: lambda o: o.isoformat(),
    datetime.datetime: lambda o: o.isoformat(),
    datetime.time: lambda o: o.isoformat(),
    datetime.timedelta: lambda o: o.total_seconds(),
    Decimal: _decimal,
    frozenset: list,
    set: list,
    deque: list,
    GeneratorType: list,
    UUID: str,
    Pattern: lambda o: o.pattern,
    IPv4Address: str,
    IPv4Interface: str,
    IPv4Network: str,
    IPv6Address: str,
    IPv6Interface: str,
    IPv6Network: str,
    PurePath: str,
}


_SCALARS = frozenset({str, int, bool, type(None)})

NOT_NATIVE = 0
""":func:`json_kind`: must go through :func:`jsonable_encoder` first."""
NATIVE = 1
""":func:`json_kind`: serializable as-is; may hold floats (or models, which may)."""
PLAIN = 2
""":func:`json_kind`: serializable as-is and float-free: ``pydantic_core.to_json``
gives exactly ``json.dumps``'s compact bytes, no NaN/exponent check needed."""


def json_kind(obj: Any) -> int:
    """Classify ``obj`` for direct JSON serialization: ``NOT_NATIVE``, ``NATIVE`` or ``PLAIN``.

    ``PLAIN``: ``str``/``int``/``bool``/``None``, and ``dict`` (string keys) /
    ``list`` of those. ``NATIVE``: the same with floats or Pydantic models
    somewhere. ``NOT_NATIVE``: anything else (``Decimal``, ``timedelta``,
    dataclasses, sets, tuples, dict subclasses...), whose spelling by
    :func:`jsonable_encoder` differs from Pydantic's.
    """
    # PERF: exact type checks, no isinstance chains, and scalars inside
    # containers are classified inline, without a call per element: a few
    # ns per element, versus a jsonable_encoder walk rebuilding every container.
    kind = type(obj)
    if kind in _SCALARS:
        return PLAIN
    if kind is dict:
        result = PLAIN
        for key, value in obj.items():
            if type(key) is not str:
                return NOT_NATIVE
            if type(value) not in _SCALARS:
                result = _lowest(result, value)
                if result == NOT_NATIVE:
                    return NOT_NATIVE
        return result
    if kind is list:
        result = PLAIN
        for item in obj:
            if type(item) not in _SCALARS:
                result = _lowest(result, item)
                if result == NOT_NATIVE:
                    return NOT_NATIVE
        return result
    if kind is float or isinstance(obj, pydantic.BaseModel):
        return NATIVE
    return NOT_NATIVE


def _lowest(result: int, obj: Any) -> int:
    found = json_kind(obj)
    return found if found < result else result


def is_json_native(obj: Any) -> bool:
    """Whether serializing ``obj`` directly gives what ``jsonable_encoder`` then JSON would.

    True for JSON scalars, Pydantic models, and ``dict`` (string keys) /
    ``list`` of those. False for anything else (``Decimal``, ``timedelta``,
    dataclasses, sets...): those must go through :func:`jsonable_encoder`
    first, because Pydantic's own JSON spelling of them differs.
    """
    return json_kind(obj) != NOT_NATIVE


def jsonable_encoder(
    obj: Any,
    include: IncEx | None = None,
    exclude: IncEx | None = None,
    by_alias: bool = True,
    exclude_unset: bool = False,
    exclude_defaults: bool = False,
    exclude_none: bool = False,
    custom_encoder: dict[Any, Callable[[Any], Any]] | None = None,
    sqlalchemy_safe: bool = True,
) -> Any:
    """Convert ``obj`` into data ``json.dumps`` accepts (dicts, lists, str, numbers...).

    Args:
        obj: Any value: Pydantic models, dataclasses, enums, dates, UUIDs,
            paths, containers...
        include / exclude: Fields to keep / drop (models and top-level dicts).
        by_alias: Use field aliases for model keys. Default ``True``.
        exclude_unset / exclude_defaults / exclude_none: Model dump filters;
            ``exclude_none`` also drops ``None`` values of dicts.
        custom_encoder: ``{type: function}`` taking precedence over the defaults.
        sqlalchemy_safe: Skip dict keys starting with ``_sa`` (SQLAlchemy state).

    Returns:
        JSON-compatible data.

    Raises:
        ValueError: If an object has no known conversion.
    """
    custom = custom_encoder or {}
    if custom:
        if type(obj) in custom:
            return custom[type(obj)](obj)
        for kind, encoder in custom.items():
            if isinstance(obj, kind):
                return encoder(obj)
    if isinstance(obj, str | int | float | type(None)):
        return obj
    options = {
        "by_alias": by_alias,
        "exclude_unset": exclude_unset,
        "exclude_defaults": exclude_defaults,
        "exclude_none": exclude_none,
        "custom_encoder": custom_encoder,
        "sqlalchemy_safe": sqlalchemy_safe,
    }
    if isinstance(obj, pydantic.BaseModel):
        data = obj.model_dump(
            mode="json",
            include=include,
            exclude=exclude,
            by_alias=by_alias,
            exclude_unset=exclude_unset,
            exclude_defaults=exclude_defaults,
            exclude_none=exclude_none,
        )
        return jsonable_encoder(data, **options)  # type: ignore[arg-type]
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return jsonable_encoder(dataclasses.asdict(obj), include, exclude, **options)  # type: ignore[arg-type]
    if isinstance(obj, Enum):
        return jsonable_encoder(obj.value, **options)  # type: ignore[arg-type]
    if isinstance(obj, Mapping):
        return _encode_mapping(obj, include, exclude, options)
    if isinstance(obj, list | tuple):
        return [jsonable_encoder(item, **options) for item in obj]  # type: ignore[arg-type]
    convert = _converter(obj)
    if convert is not None:
        result = convert(obj)
        if isinstance(result, list):
            return [jsonable_encoder(item, **options) for item in result]  # type: ignore[arg-type]
        return result
    return _fallback(obj, include, exclude, options)


def _converter(obj: Any) -> Callable[[Any], Any] | None:
    for base in type(obj).__mro__:
        convert = _BY_TYPE.get(base)
        if convert is not None:
            return convert
    claimed = obj.__class__
    if claimed is not type(obj) and isinstance(claimed, type):
        # An object that passes for another class (asyncpg's UUID claims to be a
        # uuid.UUID through a __class__ property) is converted as that class.
        for base in claimed.__mro__:
            convert = _BY_TYPE.get(base)
            if convert is not None:
                return convert
    return None


def _encode_mapping(
    obj: Mapping[Any, Any], include: Any, exclude: Any, options: dict[str, Any]
) -> dict[Any, Any]:
    keep = set(include) if include is not None else None
    drop = set(exclude) if exclude is not None else set()
    out: dict[Any, Any] = {}
    for key, value in obj.items():
        if options["sqlalchemy_safe"] and isinstance(key, str) and key.startswith("_sa"):
            continue
        if (keep is not None and key not in keep) or key in drop:
            continue
        if value is None and options["exclude_none"]:
            continue
        out[jsonable_encoder(key, **options)] = jsonable_encoder(value, **options)
    return out


_COLOR_MODULES = ("pydantic.color", "pydantic_extra_types.color")


def _color_types() -> tuple[type[Any], ...]:
    # Pydantic's (deprecated) and pydantic-extra-types' ``Color``, spelled by str()
    # ("blue", "#7f7f7f"). Only a module already imported can have made one, so
    # nothing is imported here (pydantic.color warns on import).
    modules = (sys.modules.get(name) for name in _COLOR_MODULES)
    kinds = (getattr(module, "Color", None) for module in modules)
    return tuple(kind for kind in kinds if isinstance(kind, type))


def _fallback(obj: Any, include: Any, exclude: Any, options: dict[str, Any]) -> Any:
    # Last resorts, in order: Pydantic's "no value", colours, mapping-like
    # objects, then plain attribute bags (include/exclude apply to their keys).
    if obj is PydanticUndefined:
        return None
    if is_v1_model(obj):
        raise PydanticV1NotSupportedError(
            f"cannot encode {type(obj).__name__}, a pydantic.v1 model: zephyr supports "
            "Pydantic v2 models only"
        )
    colors = _color_types()
    if colors and isinstance(obj, colors):
        return str(obj)
    try:
        data = dict(obj)
    except Exception as first:
        try:
            data = vars(obj)
        except Exception as second:  # a __dict__ property may raise anything
            raise ValueError([first, second]) from second
    return _encode_mapping(data, include, exclude, options)
