"""``Headers`` and ``MutableHeaders``: case-insensitive views over a raw ASGI header list.

Exposed from :mod:`zephyr.datastructures`. Headers stay the raw ASGI list of
``(bytes, bytes)`` pairs and are decoded only when a value is asked for;
a ``MutableHeaders`` writes every change through to that list.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from zephyr.types import Scope

__all__ = ["Headers", "MutableHeaders"]


class Headers(Mapping[str, str]):
    """An immutable, case-insensitive multi-dict of HTTP headers over a raw ASGI list.

    Exactly one source may be given. Lookups lowercase the key and compare to
    the raw (already-lowercase, per ASGI) names; values decode as latin-1.

    Args:
        headers: A ``{name: value}`` mapping.
        raw: A list of ``(name_bytes, value_bytes)`` pairs, used as-is.
        scope: An ASGI scope whose ``"headers"`` list is used as-is.
    """

    def __init__(
        self,
        headers: Mapping[str, str] | None = None,
        raw: list[tuple[bytes, bytes]] | None = None,
        scope: Scope | None = None,
    ) -> None:
        self._list: list[tuple[bytes, bytes]] = []
        if headers is not None:
            assert raw is None, 'Cannot set both "headers" and "raw".'
            assert scope is None, 'Cannot set both "headers" and "scope".'
            self._list = [
                (key.lower().encode("latin-1"), value.encode("latin-1"))
                for key, value in headers.items()
            ]
        elif raw is not None:
            assert scope is None, 'Cannot set both "raw" and "scope".'
            self._list = raw
        elif scope is not None:
            # PERF: share the scope's list (no copy when it already is one);
            # nothing is decoded until a lookup.
            raw_list = scope["headers"]
            if not isinstance(raw_list, list):
                raw_list = scope["headers"] = list(raw_list)
            self._list = raw_list

    @property
    def raw(self) -> list[tuple[bytes, bytes]]:
        """The underlying list of ``(name, value)`` byte pairs."""
        return self._list

    def keys(self) -> list[str]:  # type: ignore[override]
        return [key.decode("latin-1") for key, _ in self._list]

    def values(self) -> list[str]:  # type: ignore[override]
        return [value.decode("latin-1") for _, value in self._list]

    def items(self) -> list[tuple[str, str]]:  # type: ignore[override]
        return [(key.decode("latin-1"), value.decode("latin-1")) for key, value in self._list]

    def getlist(self, key: str) -> list[str]:
        """Every value of header ``key`` (case-insensitive), in order; ``[]`` if absent."""
        target = key.lower().encode("latin-1")
        return [value.decode("latin-1") for name, value in self._list if name == target]

    def mutablecopy(self) -> MutableHeaders:
        """A ``MutableHeaders`` over a copy of the raw list."""
        return MutableHeaders(raw=self._list[:])

    def __getitem__(self, key: str) -> str:
        target = key.lower().encode("latin-1")
        for name, value in self._list:
            if name == target:
                return value.decode("latin-1")
        raise KeyError(key)

    def __contains__(self, key: Any) -> bool:
        if not isinstance(key, str):
            return False
        target = key.lower().encode("latin-1")
        return any(name == target for name, _ in self._list)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self._list)

    def __eq__(self, other: Any) -> bool:
        if not isinstance(other, Headers):
            return False
        return sorted(self._list) == sorted(other._list)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        as_dict = dict(self.items())
        if len(as_dict) == len(self):
            return f"{self.__class__.__name__}({as_dict!r})"
        return f"{self.__class__.__name__}(raw={self.raw!r})"


class MutableHeaders(Headers):
    """Headers that can be changed; every change writes through to the raw list."""

    def __setitem__(self, key: str, value: str) -> None:
        """Set ``key`` to ``value``, removing any other values of ``key``."""
        name = key.lower().encode("latin-1")
        encoded = value.encode("latin-1")
        found: list[int] = [i for i, (k, _) in enumerate(self._list) if k == name]
        for index in reversed(found[1:]):
            del self._list[index]
        if found:
            self._list[found[0]] = (name, encoded)
        else:
            self._list.append((name, encoded))

    def __delitem__(self, key: str) -> None:
        """Remove every value of ``key`` (no error if absent)."""
        name = key.lower().encode("latin-1")
        self._list[:] = [(k, v) for k, v in self._list if k != name]

    def __ior__(self, other: Mapping[str, str]) -> MutableHeaders:
        if not isinstance(other, Mapping):
            raise TypeError(f"Expected a mapping but got {other.__class__.__name__}")
        self.update(other)
        return self

    def __or__(self, other: Mapping[str, str]) -> MutableHeaders:
        if not isinstance(other, Mapping):
            raise TypeError(f"Expected a mapping but got {other.__class__.__name__}")
        new = self.mutablecopy()
        new.update(other)
        return new

    def setdefault(self, key: str, value: str) -> str:
        """Set ``key`` to ``value`` unless present; return the (first) value."""
        name = key.lower().encode("latin-1")
        for k, v in self._list:
            if k == name:
                return v.decode("latin-1")
        self._list.append((name, value.encode("latin-1")))
        return value

    def update(self, other: Mapping[str, str]) -> None:
        """Set every ``key: value`` of ``other`` (replacing existing values)."""
        for key, value in other.items():
            self[key] = value

    def append(self, key: str, value: str) -> None:
        """Add a value for ``key`` without removing existing ones."""
        self._list.append((key.lower().encode("latin-1"), value.encode("latin-1")))

    def add_vary_header(self, vary: str) -> None:
        """Add ``vary`` to the ``Vary`` header, comma-joined with any existing values.

        Several ``Vary`` fields are one list (RFC 9110 §5.3): they are merged
        into a single field, none is lost.
        """
        existing = self.getlist("vary")
        if existing:
            vary = ", ".join([*existing, vary])
        self["vary"] = vary
