"""String annotations: evaluated where zephyr reads them, ignored where it does not.

With ``from __future__ import annotations`` every annotation is a string;
``-> AsyncGenerator[Client, None]`` with ``AsyncGenerator`` imported under
``TYPE_CHECKING`` cannot be evaluated at run time. zephyr reads only a
dependency's parameters, so such a return annotation is ignored; an
undefined name in a *parameter* annotation is still an error. A
``__signature__`` set by hand with string annotations is evaluated in the
function's module. (And a router's WebSocket route may have the path ``""``,
routed at its inclusion prefix, as strawberry's GraphQL router declares it.)
"""

from __future__ import annotations

import functools
import inspect
from typing import TYPE_CHECKING, Annotated, Any

import pytest

from zephyr import APIRouter, BackgroundTasks, Depends, WebSocket, Zephyr
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


def _context(tasks: BackgroundTasks, q: int = 0) -> dict[str, Any]:
    return {"tasks": type(tasks).__name__, "q": q}


def context(**kwargs: Any) -> dict[str, Any]:
    return _context(**kwargs)


# Libraries (strawberry's GraphQL router) rewrite a dependency's
# __signature__ from inspect.signature() without eval_str: its annotations
# stay strings, and inspect returns them as they are.
context.__signature__ = inspect.signature(_context)  # type: ignore[attr-defined]


def test_a_hand_set_signature_of_strings_is_evaluated() -> None:
    assert inspect.signature(context).parameters["tasks"].annotation == "BackgroundTasks"
    app = Zephyr()

    @app.get("/ctx")
    def read(ctx: Annotated[dict[str, Any], Depends(context)]) -> dict[str, Any]:
        return ctx

    assert TestClient(app).get("/ctx?q=4").json() == {"tasks": "BackgroundTasks", "q": 4}


def test_a_router_websocket_with_an_empty_path_takes_the_prefix() -> None:
    router = APIRouter()

    @router.websocket("")
    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text("hi")
        await websocket.close()

    app = Zephyr()
    app.include_router(router, prefix="/live")
    with TestClient(app).websocket_connect("/live") as ws:
        assert ws.receive_text() == "hi"
