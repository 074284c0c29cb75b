"""A dependency's return annotation may name what is imported only for type checkers.

With ``from __future__ import annotations`` every annotation is a string;
``-> AsyncGenerator[Client, None]`` with ``AsyncGenerator`` imported under
``TYPE_CHECKING`` cannot be evaluated at run time. zephyr reads only a
dependency's parameters, so such a return annotation is ignored; an
undefined name in a *parameter* annotation is still an error.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Annotated

import pytest

from zephyr import Depends, Zephyr
from zephyr.dependencies._signature import get_typed_parameters
from zephyr.testclient import TestClient

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, Iterator


class Store:
    def __init__(self) -> None:
        self.closed = False


STORES: list[Store] = []


async def open_store() -> AsyncGenerator[Store, None]:
    store = Store()
    STORES.append(store)
    yield store
    store.closed = True


def scaled(factor: int, value: int = 1) -> Iterator[int]:
    yield factor * value


def test_dependency_with_unresolvable_return_annotation_runs() -> None:
    app = Zephyr()

    @app.get("/")
    async def read(store: Annotated[Store, Depends(open_store)], n: int = 2) -> dict[str, int]:
        return {"stores": len(STORES), "n": n}

    STORES.clear()
    response = TestClient(app).get("/?n=5")
    assert response.json() == {"stores": 1, "n": 5}
    assert STORES[0].closed


def test_parameters_are_evaluated_and_the_return_dropped() -> None:
    signature = get_typed_parameters(functools.partial(scaled, 3))
    assert signature.parameters["value"].annotation is int
    assert signature.return_annotation is signature.empty


def test_undefined_parameter_annotation_still_fails() -> None:
    def broken(x: Missing) -> Iterator[int]:  # type: ignore[name-defined]  # noqa: F821
        yield 1

    with pytest.raises(NameError):
        get_typed_parameters(broken)
