"""Facts about the installed Pydantic that code written for FastAPI reads from ``fastapi._compat``.

``fastapi._compat`` is FastAPI's private bridge between Pydantic versions,
which zephyr (Pydantic v2 only) does not have. Libraries and test suites
still import a few of its constants (to skip on old Pydantic releases, or
to compare with the "no default" marker); under ``zephyr.compat`` the name
``fastapi._compat`` offers exactly these.
"""

from __future__ import annotations

import pydantic
from pydantic_core import PydanticUndefined

__all__ = ["PYDANTIC_V2", "PYDANTIC_VERSION_MINOR_TUPLE", "Undefined"]

PYDANTIC_VERSION_MINOR_TUPLE: tuple[int, int] = (
    int(pydantic.VERSION.split(".")[0]),
    int(pydantic.VERSION.split(".")[1]),
)
"""``(major, minor)`` of the installed Pydantic, e.g. ``(2, 11)``."""

PYDANTIC_V2 = True
"""zephyr runs on Pydantic v2 only."""

Undefined = PydanticUndefined
"""The marker for "no default given" (Pydantic's ``PydanticUndefined``)."""
