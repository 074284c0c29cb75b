"""``jsonable_encoder``'s last resorts, for objects it has no rule for.

* A plain object is encoded as its mapping (``dict(obj)``) or its attributes
  (``vars(obj)``), and ``include`` / ``exclude`` apply to those keys.
* One that allows neither raises ``ValueError`` whatever the two attempts
  raised (a ``__dict__`` property may raise anything).
* Pydantic's ``PydanticUndefined`` ("no value") becomes ``None``.
* A Pydantic ``Color`` is spelled as ``str()`` spells it.
* An object that passes for another class through a ``__class__`` property
  (asyncpg's UUID) is converted as that class.
"""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic_core import PydanticUndefined

from zephyr.encoders import jsonable_encoder


class Owner:
    def __init__(self, name: str) -> None:
        self.name = name


class Boat:
    def __init__(self, owner: Owner, name: str) -> None:
        self.owner = owner
        self.name = name


class PairsBoat(Boat):
    def __iter__(self) -> Iterator[tuple[str, Any]]:
        yield "name", self.name
        yield "owner", self.owner


class Opaque:
    def __iter__(self) -> Iterator[Any]:
        raise RuntimeError("not iterable today")

    @property  # type: ignore[misc]
    def __dict__(self) -> dict[str, Any]:  # type: ignore[override]
        raise LookupError("no attributes either")


class PassesForUUID:
    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return self.text

    @property  # type: ignore[misc]
    def __class__(self) -> type:  # type: ignore[override]
        return uuid.UUID


@pytest.mark.parametrize("kind", [Boat, PairsBoat])
def test_attribute_bags_honour_include_and_exclude(kind: type[Boat]) -> None:
    boat = kind(Owner("Ada"), "Gull")
    assert jsonable_encoder(boat) == {"name": "Gull", "owner": {"name": "Ada"}}
    assert jsonable_encoder(boat, include={"name"}) == {"name": "Gull"}
    assert jsonable_encoder(boat, exclude={"owner"}) == {"name": "Gull"}
    assert jsonable_encoder(boat, include=set()) == {}
    assert jsonable_encoder(boat, exclude=set()) == {"name": "Gull", "owner": {"name": "Ada"}}


def test_an_object_with_no_conversion_is_a_value_error() -> None:
    with pytest.raises(ValueError) as info:
        jsonable_encoder(Opaque())
    first, second = info.value.args[0]
    assert isinstance(first, RuntimeError)
    assert isinstance(second, LookupError)


def test_pydantic_undefined_is_none() -> None:
    assert jsonable_encoder({"value": PydanticUndefined, "list": [PydanticUndefined]}) == {
        "value": None,
        "list": [None],
    }


def test_pydantic_color_is_its_name_or_hex() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pydantic.color import Color
    assert jsonable_encoder({"a": Color("blue"), "b": Color((1, 2, 3))}) == {
        "a": "blue",
        "b": "#010203",
    }


def test_an_object_passing_for_uuid_is_encoded_as_one() -> None:
    value = PassesForUUID("a10ff360-3b1e-4984-a26f-d3ab460bdb51")
    assert isinstance(value, uuid.UUID)
    assert jsonable_encoder({"id": value}) == {"id": "a10ff360-3b1e-4984-a26f-d3ab460bdb51"}
