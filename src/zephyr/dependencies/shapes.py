"""What an annotation's shape says about how a parameter's value is read.

A scalar comes from one string (a path segment, a query or header value), a
sequence of scalars from repeated keys, anything else from the body;
``UploadFile`` marks a file part. Used when a route is compiled (and by the
OpenAPI document), never per request.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from enum import Enum
from typing import Annotated, Any, Union, get_args, get_origin

import pydantic

from zephyr.datastructures import UploadFile

__all__ = [
    "is_json",
    "is_scalar",
    "is_scalar_sequence",
    "is_sequence",
    "is_upload",
    "strip_annotated",
    "union_args",
]

_UNION_TYPES: tuple[Any, ...] = (Union,)
try:  # ``X | Y`` unions have their own origin.
    import types as _types

    _UNION_TYPES = (Union, _types.UnionType)
except AttributeError:  # pragma: no cover
    pass


def union_args(tp: Any) -> tuple[Any, ...] | None:
    """The members of a union other than ``None``; ``None`` if ``tp`` is no union."""
    if get_origin(tp) in _UNION_TYPES:
        return tuple(a for a in get_args(tp) if a is not type(None))
    return None


def strip_annotated(tp: Any) -> Any:
    """``tp`` without its ``Annotated`` layers."""
    while get_origin(tp) is Annotated:
        tp = get_args(tp)[0]
    return tp


def is_json(tp: Any) -> bool:
    """Whether ``tp`` is ``Json[...]``: one JSON text, whatever it holds."""
    # ``Json[list[str]]`` is ``Annotated[list[str], Json]``.
    while get_origin(tp) is Annotated:
        args = get_args(tp)
        if any(m is pydantic.Json or isinstance(m, pydantic.Json) for m in args[1:]):
            return True
        tp = args[0]
    return False


def is_scalar(tp: Any) -> bool:
    """Whether values of ``tp`` come from a single string (query/header/... values)."""
    if is_json(tp):
        return True
    tp = strip_annotated(tp)
    members = union_args(tp)
    if members is not None:
        return all(is_scalar(m) for m in members)
    if tp is Any or tp is None or tp is type(None):
        return True
    origin = get_origin(tp)
    if origin is not None:
        return (
            origin.__class__.__name__ == "_LiteralGenericAlias" or str(origin) == "typing.Literal"
        )
    if isinstance(tp, type):
        if issubclass(tp, pydantic.BaseModel | Mapping | UploadFile) or dataclasses.is_dataclass(
            tp
        ):
            return False
        if issubclass(tp, str | bytes | Enum):
            return True
        return not issubclass(tp, list | set | tuple | frozenset | dict)
    return True


def is_sequence(tp: Any) -> bool:
    """Whether ``tp`` is a list/set/tuple (possibly optional) read from repeated keys."""
    if is_json(tp):
        return False
    tp = strip_annotated(tp)
    members = union_args(tp)
    if members is not None:
        return any(is_sequence(m) for m in members)
    origin = get_origin(tp)
    if origin is not None and isinstance(origin, type):
        return issubclass(origin, list | set | tuple | frozenset) or origin is Sequence
    return isinstance(tp, type) and issubclass(tp, list | set | tuple | frozenset)


def is_scalar_sequence(tp: Any) -> bool:
    """Whether ``tp`` is a sequence of scalars (``list[int]``...)."""
    tp = strip_annotated(tp)
    members = union_args(tp)
    if members is not None:
        return len(members) == 1 and is_scalar_sequence(members[0])
    if not is_sequence(tp):
        return False
    return all(is_scalar(a) for a in get_args(tp) if a is not Ellipsis)


def is_upload(tp: Any) -> bool:
    """Whether ``tp`` involves ``UploadFile`` (a file part of a multipart body)."""
    tp = strip_annotated(tp)
    if isinstance(tp, type) and issubclass(tp, UploadFile):
        return True
    return any(is_upload(a) for a in get_args(tp))
