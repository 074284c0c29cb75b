"""Path parameter convertors: ``{name:convertor}`` in route templates.

A convertor pairs a regular expression (what one parameter may match inside a
URL path) with a pair of functions converting the matched text to a Python
value and back (for ``url_path_for``). The built-in ones are ``str``, ``int``,
``float``, ``uuid`` and ``path``; more can be added with
:func:`register_url_convertor`.
"""

from __future__ import annotations

import math
import uuid
from typing import Any, ClassVar, Generic, TypeVar

T = TypeVar("T")

__all__ = [
    "CONVERTOR_TYPES",
    "Convertor",
    "FloatConvertor",
    "IntegerConvertor",
    "InvalidPathParam",
    "PathConvertor",
    "StringConvertor",
    "UUIDConvertor",
    "register_url_convertor",
]


class InvalidPathParam(ValueError, AssertionError):
    """A value ``url_path_for`` cannot put in a path (empty, a ``/`` in a segment...).

    A ``ValueError``, and an ``AssertionError`` too because that is what
    Starlette's URL building raises and code written for it catches.
    """


class Convertor(Generic[T]):
    """Base class of path convertors.

    Subclasses set ``regex`` (a pattern, without anchors, matched against the
    decoded path) and implement :meth:`convert` and :meth:`to_string`.

    Attributes:
        regex: The pattern one parameter matches.
        segment_safe: ``True`` when ``regex`` can never match a ``/``, so the
            compiled route table may match the parameter against one path
            segment. Custom convertors default to ``False``, which keeps their
            routes on the ordered (regex) path: correct whatever the pattern.
    """

    regex: ClassVar[str] = ""
    segment_safe: ClassVar[bool] = False

    def convert(self, value: str) -> T:
        """Turn matched text into the parameter value.

        Args:
            value: The text the regex matched.

        Returns:
            The converted value, passed in ``scope["path_params"]``.
        """
        raise NotImplementedError()  # pragma: no cover

    def to_string(self, value: T) -> str:
        """Turn a parameter value back into path text (for URL building).

        Args:
            value: A value as produced by :meth:`convert`.

        Returns:
            Text the regex matches.

        Raises:
            InvalidPathParam: If the value can't be represented in a path.
        """
        raise NotImplementedError()  # pragma: no cover


class StringConvertor(Convertor[str]):
    """One non-empty path segment (no ``/``); the default convertor."""

    regex = "[^/]+"
    segment_safe = True

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        value = str(value)
        if not value:
            raise InvalidPathParam("Path parameter must not be empty")
        if "/" in value:
            raise InvalidPathParam("Path parameter must not contain '/'")
        return value


class PathConvertor(Convertor[str]):
    """Any text, including ``/`` and the empty string (the rest of a path)."""

    regex = ".*"

    def convert(self, value: str) -> str:
        return str(value)

    def to_string(self, value: str) -> str:
        return str(value)


class IntegerConvertor(Convertor[int]):
    """A non-negative decimal integer (``[0-9]+``)."""

    regex = "[0-9]+"
    segment_safe = True

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        value = int(value)
        if value < 0:
            raise InvalidPathParam("Negative integers are not supported")
        return str(value)


class FloatConvertor(Convertor[float]):
    """A non-negative decimal number, optional fraction (``1``, ``1.5``)."""

    regex = r"[0-9]+(\.[0-9]+)?"
    segment_safe = True

    def convert(self, value: str) -> float:
        return float(value)

    def to_string(self, value: float) -> str:
        value = float(value)
        if value < 0.0:
            raise InvalidPathParam("Negative floats are not supported")
        if math.isnan(value) or math.isinf(value):
            raise InvalidPathParam("NaN and infinite values are not supported")
        # Fixed-point text: ``repr`` could produce ``1e-05``, which the regex rejects.
        return f"{value:0.20f}".rstrip("0").rstrip(".")


class UUIDConvertor(Convertor[uuid.UUID]):
    """A UUID as 32 hex digits, dashed 8-4-4-4-12 or not (any case)."""

    regex = "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"
    segment_safe = True

    def convert(self, value: str) -> uuid.UUID:
        return uuid.UUID(value)

    def to_string(self, value: uuid.UUID) -> str:
        return str(value)


CONVERTOR_TYPES: dict[str, Convertor[Any]] = {
    "str": StringConvertor(),
    "path": PathConvertor(),
    "int": IntegerConvertor(),
    "float": FloatConvertor(),
    "uuid": UUIDConvertor(),
}
"""Convertor instances by the key used in templates (``{id:int}``)."""


def register_url_convertor(key: str, convertor: Convertor[Any]) -> None:
    """Make ``{name:key}`` available in route templates.

    Register before creating the routes that use it: templates are compiled
    when a route is created.

    Args:
        key: The name used after the colon in templates.
        convertor: A :class:`Convertor` instance.
    """
    CONVERTOR_TYPES[key] = convertor
