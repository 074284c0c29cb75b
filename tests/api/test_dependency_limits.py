"""``Depends(..., max_concurrency=N)``: at most N runs of one declaration at a time.

The limit belongs to the ``Depends`` object: routes (and apps) reusing it share
one count, a new ``Depends`` of the same function counts apart. A ``yield``
dependency holds its slot until its cleanup has finished, at the time its
``scope`` says; a plain one only while it runs. Errors give the slot back.
"""

import asyncio
import dataclasses
import linecache
from collections.abc import AsyncIterator
from typing import Annotated, Any

import httpx
import pytest

from zephyr import Depends, Security, Zephyr
from zephyr.dependencies.limits import ConcurrencyLimit


def _client(app: Zephyr) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


def _tokens(marker: Any) -> int:
    limit = marker.concurrency_limit
    assert isinstance(limit, ConcurrencyLimit)
    return int(limit.get_semaphore().value)


@pytest.mark.parametrize("bad", [0, -3, True, 2.0, "1"])
def test_max_concurrency_must_be_a_positive_int(bad: Any) -> None:
    with pytest.raises(ValueError, match="positive integer or None"):
        Depends(max_concurrency=bad)


def test_markers_compare_by_value_unless_they_carry_a_limit() -> None:
    def dep() -> None:
        return None

    assert Depends(dep) == Depends(dep)
    assert hash(Depends(dep, scope="function")) == hash(Depends(dep, scope="function"))
    assert hash(Security(dep, scopes=["a"])) == hash(Security(dep, scopes=["a"]))
    assert Depends(dep) != Depends(dep, scope="function")
    first, second = Depends(dep, max_concurrency=1), Depends(dep, max_concurrency=1)
    assert first != second  # Two declarations, two limits.
    assert repr(first) == "Depends(dep, max_concurrency=1)"
    # A copy keeps its original's limit only while the count is the same.
    same = dataclasses.replace(first, use_cache=False)
    assert same.concurrency_limit is first.concurrency_limit
    other = dataclasses.replace(first, max_concurrency=2)
    assert other.concurrency_limit is not first.concurrency_limit
    assert dataclasses.replace(first, max_concurrency=None).concurrency_limit is None


def test_shared_declaration_caps_every_route_and_gives_tokens_back() -> None:
    active = peak = 0
    release = asyncio.Event()

    async def resource() -> AsyncIterator[str]:
        nonlocal active, peak
        active += 1
        peak = max(peak, active)
        try:
            await release.wait()
            yield "ok"
        finally:
            await asyncio.sleep(0)
            active -= 1

    declaration = Depends(resource, max_concurrency=2)
    app = Zephyr()

    @app.get("/a")
    @app.get("/b")
    async def endpoint(value: Annotated[str, declaration]) -> str:
        return value

    async def main() -> list[Any]:
        async with _client(app) as client:
            sent = [asyncio.ensure_future(client.get("/a" if i % 2 else "/b")) for i in range(5)]
            for _ in range(20):
                await asyncio.sleep(0)
            assert active == 2
            assert declaration.concurrency_limit is not None
            assert declaration.concurrency_limit.get_semaphore().statistics().tasks_waiting == 3
            release.set()
            return [(await s).json() for s in sent]

    assert asyncio.run(main()) == ["ok"] * 5
    assert peak == 2
    assert _tokens(declaration) == 2


@pytest.mark.parametrize("scope", ["function", "request"])
def test_yield_dependency_holds_its_slot_until_its_cleanup(scope: str) -> None:
    seen: list[tuple[str, int]] = []

    async def resource() -> AsyncIterator[None]:
        yield
        seen.append(("cleanup", _tokens(declaration)))

    declaration = Depends(resource, scope=scope, max_concurrency=1)  # type: ignore[arg-type]
    app = Zephyr()

    @app.get("/")
    async def endpoint(_: Annotated[None, declaration]) -> str:
        seen.append(("endpoint", _tokens(declaration)))
        return "ok"

    async def main() -> None:
        async with _client(app) as client:
            assert (await client.get("/")).json() == "ok"

    asyncio.run(main())
    assert seen == [("endpoint", 0), ("cleanup", 0)]
    assert _tokens(declaration) == 1


@pytest.mark.parametrize("where", ["entry", "endpoint", "exit", "sync"])
def test_errors_give_the_slot_back(where: str) -> None:
    async def resource() -> AsyncIterator[int]:
        if where == "entry":
            raise RuntimeError("entry")
        yield 1
        if where == "exit":
            raise RuntimeError("exit")

    def plain() -> int:
        raise RuntimeError("sync")

    declaration = Depends(plain if where == "sync" else resource, max_concurrency=1)
    app = Zephyr()

    @app.get("/")
    async def endpoint(value: Annotated[int, declaration]) -> int:
        if where == "endpoint":
            raise RuntimeError("endpoint")
        return value

    async def main() -> None:
        async with _client(app) as client:
            with pytest.raises(RuntimeError, match=where):
                await client.get("/")

    asyncio.run(main())
    assert _tokens(declaration) == 1


def test_route_level_and_cached_uses_take_one_slot() -> None:
    calls = 0

    async def resource() -> str:
        nonlocal calls
        calls += 1
        return "ok"

    declaration = Depends(resource, max_concurrency=1)
    app = Zephyr(dependencies=[declaration])

    @app.get("/")
    async def endpoint(a: Annotated[str, declaration], b: Annotated[str, declaration]) -> str:
        return a + b

    async def main() -> None:
        async with _client(app) as client:
            assert (await client.get("/")).json() == "okok"

    asyncio.run(main())
    assert calls == 1  # One cached call: a second wait on the same slot would deadlock.
    assert _tokens(declaration) == 1


def test_only_a_limited_step_leaves_the_generated_fast_line() -> None:
    async def free() -> str:
        return "a"

    async def limited() -> str:
        return "b"

    app = Zephyr()

    @app.get("/")
    async def endpoint(
        a: Annotated[str, Depends(free)], b: Annotated[str, Depends(limited, max_concurrency=1)]
    ) -> str:
        return a + b

    plan = app.router.routes[-1].plan  # type: ignore[attr-defined]
    filename = plan.runner.__code__.co_filename
    source = "".join(linecache.getlines(filename))
    assert "await c0()" in source  # The unlimited dependency: called inline.
    assert "call_step(s1," in source  # The limited one: through the limit.
    assert [step.limit is not None for step in plan.steps] == [False, True, False]
