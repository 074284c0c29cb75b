"""Advanced, lifespan events (and testing events): a lifespan context shared with requests."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from tests.guide.conftest import operation
from zephyr import Request, Zephyr

EVENTS: list[str] = []
MODELS: dict[str, Any] = {}


@asynccontextmanager
async def lifespan(app: Zephyr) -> AsyncIterator[dict[str, Any]]:
    EVENTS.append("startup")
    MODELS["doubler"] = lambda x: 2 * x
    yield {"started_by": "lifespan"}
    MODELS.clear()
    EVENTS.append("shutdown")


app = Zephyr(lifespan=lifespan)


@app.get("/predict/{x}")
async def predict(x: float, request: Request) -> dict[str, Any]:
    return {"result": MODELS["doubler"](x), "state": request.state.started_by}


@asynccontextmanager
async def failing(app: Zephyr) -> AsyncIterator[None]:
    raise RuntimeError("cannot reach the model store")
    yield


broken = Zephyr(lifespan=failing)


def test_lifespan_runs_around_the_client(mod: Any, make_client: Any) -> None:
    mod.EVENTS.clear()
    with make_client(mod.app) as client:
        assert mod.EVENTS == ["startup"]
        response = client.get("/predict/2.5")
        assert response.status_code == 200
        assert response.json() == {"result": 5.0, "state": "lifespan"}
    assert mod.EVENTS == ["startup", "shutdown"]
    assert mod.MODELS == {}


def test_startup_failure_raises(mod: Any, make_client: Any) -> None:
    with (
        pytest.raises(RuntimeError, match="cannot reach the model store"),
        make_client(mod.broken),
    ):
        pass  # pragma: no cover - startup fails first


def test_openapi(mod: Any, make_client: Any) -> None:
    with make_client(mod.app) as client:
        assert operation(client, "/predict/{x}")["operationId"] == "predict_predict__x__get"
