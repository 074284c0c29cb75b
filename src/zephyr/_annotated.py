"""``Annotated[...]`` built at run time from a type and a list of metadata."""

from __future__ import annotations

from typing import Annotated, Any


def annotated(tp: Any, *metadata: Any) -> Any:
    """Return ``Annotated[tp, *metadata]``.

    Subscripting is the one spelling every supported Python accepts
    (3.13 dropped ``Annotated.__class_getitem__``).

    Args:
        tp: The annotated type.
        *metadata: At least one metadata object (``Field(...)``, a marker...).

    Returns:
        The ``Annotated`` alias.
    """
    return Annotated[(tp, *metadata)]
