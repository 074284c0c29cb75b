"""Reject Pydantic v1 models (``pydantic.v1.BaseModel``) where zephyr needs Pydantic v2.

zephyr validates and serializes with Pydantic v2 only. A v1 model in a
route's signature or response declaration is a programming error, reported
when the route is added rather than as a confusing failure at request time.
"""

from __future__ import annotations

import sys
import typing
from collections.abc import Iterable
from typing import Any

from zephyr.api_exceptions import PydanticV1NotSupportedError


def _v1_base() -> type | None:
    # PERF: look in sys.modules instead of importing pydantic.v1: if nothing
    # imported it, no v1 model can exist, and most apps never load it.
    module = sys.modules.get("pydantic.v1.main")
    base = getattr(module, "BaseModel", None)
    return base if isinstance(base, type) else None


def is_v1_model(value: Any) -> bool:
    """Return whether ``value`` is a Pydantic v1 model class or instance."""
    base = _v1_base()
    if base is None:
        return False
    return isinstance(value, base) or (isinstance(value, type) and issubclass(value, base))


def _mentions(annotation: Any, base: type, depth: int = 0) -> bool:
    if isinstance(annotation, type) and issubclass(annotation, base):
        return True
    if depth > 20:
        return False
    return any(_mentions(arg, base, depth + 1) for arg in typing.get_args(annotation))


def reject_v1_models(annotations: Iterable[tuple[str, Any]]) -> None:
    """Raise if any annotation is, or contains (unions, containers), a v1 model.

    Args:
        annotations: ``(where, annotation)`` pairs; ``where`` names the place
            in the error message (``"parameter 'item'"``, ``"response_model"``).

    Raises:
        PydanticV1NotSupportedError: For the first v1 model found.
    """
    base = _v1_base()
    if base is None:
        return
    for where, annotation in annotations:
        if _mentions(annotation, base):
            raise PydanticV1NotSupportedError(
                f"{where} uses a pydantic.v1 model ({annotation!r}); zephyr supports "
                "Pydantic v2 models only: use `from pydantic import BaseModel`"
            )
