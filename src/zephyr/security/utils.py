"""Helpers for parsing credentials out of request headers."""

from __future__ import annotations

__all__ = ["get_authorization_scheme_param"]


def get_authorization_scheme_param(authorization_header_value: str | None) -> tuple[str, str]:
    """Split an ``Authorization`` value into its scheme and its parameter.

    The scheme ends at the first space (RFC 9110 section 11.4); the rest,
    stripped of surrounding whitespace, is the parameter. Nothing is
    validated here: callers compare the scheme case-insensitively.

    Args:
        authorization_header_value: The raw header value, or ``None`` when absent.

    Returns:
        ``(scheme, param)``; ``("", "")`` for a missing or empty value, and
        ``(value, "")`` when there is no space.
    """
    if not authorization_header_value:
        return "", ""
    scheme, _, param = authorization_header_value.partition(" ")
    return scheme, param.strip()
