"""The corpus-wide validator cross-check (``agreement.py``) catches disagreement.

Every guide test runs with the check on (an autouse fixture of
``tests/guide/conftest.py``); these tests make one validator lie and expect
the check to fail.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from zephyr import FastAPI
from zephyr._api.routing import APIRoute
from zephyr.dependencies.models import Plan
from zephyr.testclient import TestClient

from ..guide.agreement import check_extractions


@pytest.fixture(autouse=True)
def checked(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with check_extractions(monkeypatch):
        yield


class Lying:
    """A validator that accepts anything and answers ``answer``."""

    def __init__(self, answer: dict[str, Any]) -> None:
        self.answer = answer

    def validate_python(self, data: Any) -> dict[str, Any]:
        return dict(self.answer)


def _app() -> tuple[TestClient, Plan]:
    app = FastAPI()

    @app.get("/items/{item_id}")
    async def read(item_id: int, q: str = "x", limit: int = 10) -> dict[str, Any]:
        return {"item_id": item_id, "q": q, "limit": limit}

    [route] = [r for r in app.routes if isinstance(r, APIRoute)]
    return TestClient(app), route.plan


def test_check_passes_honest_validators() -> None:
    client, _ = _app()
    assert client.get("/items/3?q=a&limit=2").json() == {"item_id": 3, "q": "a", "limit": 2}
    errors = client.get("/items/x?limit=y").json()["detail"]
    assert [e["loc"] for e in errors] == [["path", "item_id"], ["query", "limit"]]


def test_a_wrong_dict_twin_fails_the_check() -> None:
    client, plan = _app()
    assert plan.query is not None
    plan.inputs = None  # reach the per-location extractors on the happy path
    plan.query.fast = Lying({"f0": "lie", "f1": 10})  # type: ignore[assignment]
    with pytest.raises(AssertionError, match="dict twin"):
        client.get("/items/3?q=a")


def test_a_wrong_model_fails_the_check() -> None:
    client, plan = _app()
    assert plan.path is not None
    plan.inputs = None
    plan.path.validator = Lying({"f0": 4})  # type: ignore[assignment]
    with pytest.raises(AssertionError, match="dict twin"):
        client.get("/items/3")


def test_a_wrong_joint_validator_fails_the_check() -> None:
    client, plan = _app()
    assert plan.inputs is not None
    plan.inputs.validator = Lying({"pf0": 3, "qf0": "lie", "qf1": 10})  # type: ignore[assignment]
    with pytest.raises(AssertionError, match="joint"):
        client.get("/items/3?q=a")
