"""Public helpers FastAPI documents or exports, on zephyr.

* ``Default`` / ``DefaultPlaceholder`` (``fastapi.datastructures``): a wrapped
  default that stays truthy/falsy and comparable like its value.
* ``contextmanager_in_threadpool`` (``fastapi.concurrency``): a blocking
  context manager entered and exited in the thread pool.
* ``PydanticV1NotSupportedError``: a ``pydantic.v1`` model in a route or
  given to ``jsonable_encoder`` is refused at once.
* ``fastapi._compat``'s constants other libraries read, under compat.
* ``get_typed_signature`` / ``get_typed_return_annotation`` / ``get_typed_annotation``
  (``fastapi.dependencies.utils``): what a decorator reads to give its wrapper
  a ``__signature__`` with a parameter more, as fastapi-cache2's ``@cache`` does.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import subprocess
import sys
import threading
import warnings
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any

import pytest

from zephyr import FastAPI, Request, Zephyr
from zephyr.api_exceptions import PydanticV1NotSupportedError, ZephyrError
from zephyr.concurrency import contextmanager_in_threadpool
from zephyr.datastructures import Default, DefaultPlaceholder
from zephyr.dependencies.utils import (
    get_typed_annotation,
    get_typed_return_annotation,
    get_typed_signature,
)
from zephyr.encoders import jsonable_encoder
from zephyr.testclient import TestClient

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from pydantic import v1


def test_default_placeholder() -> None:
    assert Default("a") == Default("a")
    assert Default("a") != Default("b")
    assert isinstance(Default(1), DefaultPlaceholder)
    assert Default(1).value == 1
    assert Default("x")
    assert not Default("")
    assert not Default(None)


class Recorder:
    def __init__(self, *, suppress: bool = False, exit_error: Exception | None = None) -> None:
        self.threads: list[int] = []
        self.exits: list[tuple[Any, ...]] = []
        self.suppress = suppress
        self.exit_error = exit_error

    def __enter__(self) -> str:
        self.threads.append(threading.get_ident())
        return "value"

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        self.threads.append(threading.get_ident())
        self.exits.append((kind, error))
        if self.exit_error is not None:
            raise self.exit_error
        return self.suppress


def test_contextmanager_in_threadpool_enters_and_exits_in_a_worker() -> None:
    cm = Recorder()

    async def use() -> str:
        async with contextmanager_in_threadpool(cm) as value:
            return value

    assert asyncio.run(use()) == "value"
    assert len(cm.threads) == 2
    assert threading.get_ident() not in cm.threads
    assert cm.exits == [(None, None)]


@pytest.mark.parametrize("suppress", [False, True])
def test_contextmanager_in_threadpool_sees_the_body_error(suppress: bool) -> None:
    cm = Recorder(suppress=suppress)
    error = KeyError("body")

    async def use() -> None:
        async with contextmanager_in_threadpool(cm):
            raise error

    if suppress:
        asyncio.run(use())
    else:
        with pytest.raises(KeyError):
            asyncio.run(use())
    assert cm.exits == [(KeyError, error)]


def test_contextmanager_in_threadpool_exit_error_keeps_the_cancellation() -> None:
    cm = Recorder(exit_error=ValueError("cleanup"))

    async def use() -> None:
        async with contextmanager_in_threadpool(cm):
            task = asyncio.current_task()
            assert task is not None
            task.cancel()
            await asyncio.sleep(0)

    with pytest.raises(ValueError) as caught:
        asyncio.run(use())
    assert isinstance(caught.value.__context__, asyncio.CancelledError)
    assert cm.exits[0][0] is asyncio.CancelledError


def test_cancelled_body_waits_for_the_exit() -> None:
    cm = Recorder()

    async def main() -> None:
        async def use() -> None:
            async with contextmanager_in_threadpool(cm):
                await asyncio.sleep(10)

        task = asyncio.create_task(use())
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert cm.exits and cm.exits[0][0] is asyncio.CancelledError

    asyncio.run(main())


class ItemV1(v1.BaseModel):
    name: str


def test_a_v1_model_parameter_is_refused_when_the_route_is_added() -> None:
    app = Zephyr()

    def endpoint(item: list[ItemV1] | None) -> None: ...

    with pytest.raises(PydanticV1NotSupportedError, match="item"):
        app.post("/p")(endpoint)


@pytest.mark.parametrize(
    "options",
    [{"response_model": ItemV1}, {"responses": {400: {"model": ItemV1}}}],
    ids=["response_model", "responses"],
)
def test_a_v1_response_model_is_refused_when_the_route_is_added(options: dict[str, Any]) -> None:
    app = Zephyr()

    def endpoint() -> None: ...

    with pytest.raises(PydanticV1NotSupportedError):
        app.get("/r", **options)(endpoint)


def test_v1_model_in_the_encoder() -> None:
    assert issubclass(PydanticV1NotSupportedError, ZephyrError)
    with pytest.raises(PydanticV1NotSupportedError):
        jsonable_encoder(ItemV1(name="x"))


def test_fastapi_compat_constants_under_compat() -> None:
    code = """
import pydantic, pydantic_core
import zephyr.compat
zephyr.compat.install()
from fastapi._compat import PYDANTIC_VERSION_MINOR_TUPLE, Undefined
assert PYDANTIC_VERSION_MINOR_TUPLE == tuple(int(p) for p in pydantic.VERSION.split(".")[:2])
assert Undefined is pydantic_core.PydanticUndefined
from fastapi.datastructures import Default
from fastapi.concurrency import contextmanager_in_threadpool
from fastapi.exceptions import PydanticV1NotSupportedError
print("ok")
"""
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.stdout.strip() == "ok", run.stderr


async def square(n: int, scale: float = 1.0) -> dict[str, float]:
    return {"square": n * n * scale}


def no_return_annotation(n: int):  # type: ignore[no-untyped-def]
    return n


def test_typed_signature_helpers() -> None:
    # This module's annotations are strings (``from __future__ import annotations``).
    signature = get_typed_signature(square)
    assert [(p.name, p.annotation, p.default) for p in signature.parameters.values()] == [
        ("n", int, inspect.Parameter.empty),
        ("scale", float, 1.0),
    ]
    assert signature.return_annotation is inspect.Signature.empty
    assert get_typed_return_annotation(square) == dict[str, float]
    assert get_typed_return_annotation(no_return_annotation) is None


def test_a_wrapper_with_a_signature_built_from_the_typed_helpers() -> None:
    seen: list[tuple[Any, str]] = []

    def with_request(
        func: Callable[..., Awaitable[dict[str, float]]],
    ) -> Callable[..., Awaitable[dict[str, float]]]:
        signature = get_typed_signature(func)
        returned = get_typed_return_annotation(func)
        extra = inspect.Parameter(
            "injected_request", inspect.Parameter.KEYWORD_ONLY, annotation=Request
        )

        @functools.wraps(func)
        async def inner(*args: Any, injected_request: Request, **kwargs: Any) -> dict[str, float]:
            seen.append((returned, injected_request.url.path))
            return await func(*args, **kwargs)

        inner.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=[*signature.parameters.values(), extra]
        )
        return inner

    app = FastAPI()
    app.get("/squares/{n}")(with_request(square))
    with TestClient(app) as client:
        response = client.get("/squares/3", params={"scale": "2"})
        invalid = client.get("/squares/x")
    assert response.status_code == 200, response.text
    assert response.json() == {"square": 18.0}
    assert seen == [(dict[str, float], "/squares/3")]
    assert invalid.status_code == 422


def test_get_typed_annotation_evaluates_strings_in_the_namespace() -> None:
    namespace = {"Item": dict}
    assert get_typed_annotation("list[Item]", namespace) == list[dict]
    assert get_typed_annotation("None", namespace) is None
    assert get_typed_annotation(int, namespace) is int
    with pytest.raises(NameError):
        get_typed_annotation("Missing", namespace)
    assert namespace == {"Item": dict}  # eval's __builtins__ is not left in it
