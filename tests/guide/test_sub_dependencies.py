"""Tutorial, sub-dependencies: chains, the per-request cache and use_cache=False."""

from typing import Annotated, Any

from tests.guide.conftest import operation
from zephyr import Cookie, Depends, Zephyr

app = Zephyr()

CALLS: list[str] = []


def raw_term(q: str | None = None) -> str | None:
    CALLS.append("raw_term")
    return q


def term_or_cookie(
    term: Annotated[str | None, Depends(raw_term)],
    last_term: Annotated[str | None, Cookie()] = None,
) -> str | None:
    CALLS.append("term_or_cookie")
    return term or last_term


def counter() -> int:
    CALLS.append("counter")
    return len(CALLS)


@app.get("/find")
async def find(
    term: Annotated[str | None, Depends(term_or_cookie)],
    again: Annotated[str | None, Depends(raw_term)],
) -> dict[str, Any]:
    return {"term": term, "again": again, "calls": list(CALLS)}


@app.get("/fresh")
async def fresh(
    first: Annotated[int, Depends(counter)],
    cached: Annotated[int, Depends(counter)],
    uncached: Annotated[int, Depends(counter, use_cache=False)],
) -> dict[str, int]:
    return {"first": first, "cached": cached, "uncached": uncached}


def test_chain_uses_query_then_cookie(mod: Any, client: Any) -> None:
    mod.CALLS.clear()
    response = client.get("/find?q=apples")
    assert response.json() == {
        "term": "apples",
        "again": "apples",
        "calls": ["raw_term", "term_or_cookie"],
    }
    mod.CALLS.clear()
    from_cookie = client.get("/find", headers={"cookie": "last_term=pears"})
    assert from_cookie.json()["term"] == "pears"


def test_use_cache_false(mod: Any, client: Any) -> None:
    mod.CALLS.clear()
    assert client.get("/fresh").json() == {"first": 1, "cached": 1, "uncached": 2}


def test_openapi_collects_nested_params(client: Any) -> None:
    params = operation(client, "/find")["parameters"]
    assert [(p["name"], p["in"]) for p in params] == [("q", "query"), ("last_term", "cookie")]
