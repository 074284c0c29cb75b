"""Form limits of path operations: ``form_limits={"max_fields": ..., ...}``.

The app, routers, ``include_router`` and each operation may set any of the
three limits ``request.form()`` takes; for a route, the setting nearest to it
wins key by key (operation, then its router, the inclusion, the parent
router... the app). A mounted app's routes inherit the limits of the app
they are mounted in for the keys they leave unset.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, TypedDict

from pydantic import ConfigDict, Field, TypeAdapter
from pydantic import with_config as _with_config
from typing_extensions import TypedDict as _PydanticTypedDict

__all__ = ["FORM_LIMITS_KEY", "FormLimits", "check_form_limits", "merge_form_limits"]

FORM_LIMITS_KEY = "zephyr.form_limits"
"""Scope key: the form limits an app hands down to the apps mounted in it."""

_Count = Annotated[int, Field(ge=0, strict=True)]


class FormLimits(TypedDict, total=False):
    """Limits applied when a route parses its form (see ``Request.form``).

    Keys (all optional, non-negative integers):
        max_fields: Most non-file parts (multipart) or fields (urlencoded).
        max_files: Most file parts (multipart).
        max_part_size: Most bytes in one non-file part or urlencoded value.
    """

    max_fields: int
    max_files: int
    max_part_size: int


_FormLimits = FormLimits  # FastAPI's private name, for code that imports it


@_with_config(ConfigDict(extra="forbid", title="form_limits"))
class _Checked(_PydanticTypedDict, total=False):  # Pydantic needs this one on Python < 3.12
    max_fields: _Count
    max_files: _Count
    max_part_size: _Count


_CHECK: TypeAdapter[_Checked] = TypeAdapter(_Checked)


def check_form_limits(limits: Mapping[str, Any] | None) -> FormLimits:
    """Validate a ``form_limits`` setting when it is given, and copy it.

    Args:
        limits: ``None`` or a mapping of the three keys to non-negative ints.

    Returns:
        A new dict (later changes to the caller's mapping do not leak in).

    Raises:
        ValueError: An unknown key or a value that is not a non-negative int
            (a ``pydantic.ValidationError``, naming the key).
    """
    if not limits:
        return {}
    checked: FormLimits = {**_CHECK.validate_python(dict(limits))}
    return checked


def merge_form_limits(nearer: FormLimits, farther: FormLimits) -> FormLimits:
    """Combine two levels' limits; the nearer level's keys win.

    Args:
        nearer: The setting closer to the route.
        farther: The setting further out (a router, the app).

    Returns:
        A new dict.
    """
    merged: FormLimits = {**farther, **nearer}
    return merged
