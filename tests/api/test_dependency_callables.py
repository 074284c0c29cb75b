"""Dependencies that are not plain functions: partials and ``functools.wraps`` decorators.

FastAPI documents that any callable can be a dependency. What runs (awaited,
iterated as a ``yield`` dependency, or called in the thread pool) is decided
by the code behind the callable: ``functools.partial`` objects are looked
through, callable instances go by their ``__call__``, and a plain wrapper made
with ``functools.wraps`` returns what the wrapped function returns.
"""

import functools
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Annotated, Any

import pytest

from zephyr import Depends, Zephyr
from zephyr.testclient import TestClient


def passthrough(func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    return wrapper


async def async_value(prefix: str) -> str:
    return f"{prefix}-async"


async def async_gen_value(prefix: str) -> AsyncIterator[str]:
    yield f"{prefix}-async-gen"


def gen_value(prefix: str) -> Iterator[str]:
    yield f"{prefix}-gen"


class AsyncCallable:
    async def __call__(self, prefix: str) -> str:
        return f"{prefix}-instance"


class WrappedGenCallable:
    @passthrough
    def __call__(self) -> Iterator[str]:
        yield "wrapped-instance-gen"


@pytest.mark.parametrize(
    ("dependency", "expected"),
    [
        (functools.partial(async_value, "p"), "p-async"),
        (functools.partial(async_gen_value, "p"), "p-async-gen"),
        (functools.partial(gen_value, "p"), "p-gen"),
        (functools.partial(AsyncCallable(), "p"), "p-instance"),
        (functools.partial(functools.partial(async_value), "pp"), "pp-async"),
        (passthrough(functools.partial(async_value, "w")), "w-async"),
        (passthrough(functools.partial(async_gen_value, "w")), "w-async-gen"),
        (WrappedGenCallable(), "wrapped-instance-gen"),
    ],
    ids=[
        "partial-async",
        "partial-async-gen",
        "partial-gen",
        "partial-async-instance",
        "nested-partial",
        "wrapped-async",
        "wrapped-async-gen",
        "instance-with-wrapped-gen-call",
    ],
)
def test_the_code_behind_the_callable_decides_how_it_runs(dependency: Any, expected: str) -> None:
    app = Zephyr()

    @app.get("/")
    def endpoint(value: Annotated[str, Depends(dependency)]) -> str:
        return value

    assert TestClient(app).get("/").json() == expected


def test_a_wrapped_endpoint_is_awaited() -> None:
    app = Zephyr()

    @app.get("/")
    @passthrough
    async def endpoint() -> dict[str, bool]:
        return {"awaited": True}

    assert TestClient(app).get("/").json() == {"awaited": True}
