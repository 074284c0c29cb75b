"""When some parameters fail validation, dependencies whose own inputs are valid still run.

FastAPI validates each parameter alone; zephyr validates a location in one
call and falls back to per-parameter validation only when that call fails. The
observable result must be the same: the same 422 body, and the same
dependencies called with the same values (a dependency may log or count).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import fastapi_client, load_app, zephyr_client

SOURCE = """
from typing import Annotated
from fastapi import Cookie, Depends, FastAPI, Header, Query

calls = []

def text_q(q: str | None = None):
    calls.append(("text_q", q))
    return q

def agent(user_agent: Annotated[str, Header()] = "-", limit: int = 5):
    calls.append(("agent", user_agent, limit))
    return user_agent

app = FastAPI()

@app.get("/same-name")
def same_name(q: int, d=Depends(text_q)):
    return {"q": q, "d": d}

@app.get("/other-field")
def other_field(limit: int, tag: Annotated[list[str], Query()], d=Depends(text_q)):
    return {"d": d}

@app.get("/mixed")
def mixed(session: Annotated[int, Cookie()], a=Depends(agent), d=Depends(text_q)):
    return {"a": a, "d": d}
"""

CASES = [
    "/same-name?q=x",
    "/same-name?q=1",
    "/other-field?q=s",
    "/other-field?q=s&limit=z&tag=a",
    "/other-field?limit=1&tag=a&tag=b",
    "/mixed?q=s&limit=bad",
    "/mixed?q=s&limit=3",
]


@pytest.fixture(scope="module")
def clients() -> tuple[Any, Any, Any, Any]:
    oracle = load_app(SOURCE, "fastapi", "partial_oracle")
    ours = load_app(SOURCE, "zephyr", "partial_zephyr")
    return oracle, fastapi_client(oracle.app), ours, zephyr_client(ours.app)


@pytest.mark.parametrize("url", CASES)
def test_same_errors_and_same_dependency_calls(
    clients: tuple[Any, Any, Any, Any], url: str
) -> None:
    oracle, oracle_client, ours, our_client = clients
    oracle.calls.clear()
    ours.calls.clear()
    headers = {"user-agent": "ua", "cookie": "session=no"}
    expected = oracle_client.get(url, headers=headers)
    got = our_client.get(url, headers=headers)
    assert (got.status_code, got.json()) == (expected.status_code, expected.json())
    assert ours.calls == oracle.calls
    assert ours.calls  # the cases do exercise the dependencies
