"""How declared OpenAPI fragments merge into the generated document.

``openapi_extra`` merges into an operation, and the extra entries of
``responses=`` into the generated responses. Dicts merge key by key; a list
declared where the document already has one (an operation's ``parameters``,
``tags``) is appended to it, so declared parameters come after the generated
ones; any other value replaces the generated one.
"""

from __future__ import annotations

from typing import Any

__all__ = ["deep_update"]


def deep_update(target: dict[str, Any], extra: dict[str, Any]) -> None:
    """Merge ``extra`` into ``target`` in place (see the module docstring).

    Args:
        target: A part of the generated document.
        extra: The declared fragment; its values are not copied.
    """
    for key, value in extra.items():
        current = target.get(key)
        if isinstance(value, dict) and isinstance(current, dict):
            deep_update(current, value)
        elif isinstance(value, list) and isinstance(current, list):
            target[key] = current + value
        else:
            target[key] = value
