"""Tutorial, dependencies with yield: setup, teardown after the response, exceptions."""

from typing import Annotated, Any

import pytest

from tests.guide.conftest import operation
from zephyr import Depends, HTTPException, Zephyr

app = Zephyr()

EVENTS: list[str] = []


class Session:
    def __init__(self) -> None:
        self.open = True


class OwnerError(Exception):
    pass


async def get_session():
    session = Session()
    EVENTS.append("open")
    try:
        yield session
    finally:
        session.open = False
        EVENTS.append("close")


def get_tx(session: Annotated[Session, Depends(get_session)]):
    EVENTS.append("begin")
    try:
        yield {"session_open": session.open}
    except OwnerError:
        EVENTS.append("rollback")
        raise HTTPException(status_code=403, detail="Not the owner") from None
    else:
        EVENTS.append("commit")


async def swallowing_dependency():
    try:
        yield "value"
    except KeyError as exc:
        EVENTS.append(f"saw {exc!r}")
        raise


@app.get("/records/{record_id}")
async def record(record_id: int, tx: Annotated[dict[str, bool], Depends(get_tx)]) -> dict[str, Any]:
    if record_id == 0:
        raise OwnerError()
    if record_id < 0:
        raise HTTPException(status_code=404, detail="No record")
    EVENTS.append("handler")
    return {"record_id": record_id, **tx}


@app.get("/keys/{key}")
async def keys(key: str, value: Annotated[str, Depends(swallowing_dependency)]) -> dict[str, str]:
    return {key: {"known": value}[key]}


def test_setup_and_teardown_order(mod: Any, client: Any) -> None:
    mod.EVENTS.clear()
    response = client.get("/records/5")
    assert response.status_code == 200
    assert response.json() == {"record_id": 5, "session_open": True}
    assert mod.EVENTS == ["open", "begin", "handler", "commit", "close"]


def test_exception_reaches_dependency(mod: Any, client: Any) -> None:
    mod.EVENTS.clear()
    response = client.get("/records/0")
    assert response.status_code == 403
    assert response.json() == {"detail": "Not the owner"}
    assert mod.EVENTS == ["open", "begin", "rollback", "close"]


def test_http_exception_passes_through(mod: Any, client: Any) -> None:
    mod.EVENTS.clear()
    response = client.get("/records/-1")
    assert response.status_code == 404
    assert mod.EVENTS[-1] == "close"


def test_reraised_error_is_a_server_error(mod: Any, make_client: Any) -> None:
    mod.EVENTS.clear()
    assert make_client(mod.app).get("/keys/known").json() == {"known": "value"}
    with pytest.raises(KeyError):
        make_client(mod.app).get("/keys/other")
    quiet = make_client(mod.app, raise_server_exceptions=False)
    assert quiet.get("/keys/other").status_code == 500
    assert mod.EVENTS == ["saw KeyError('other')", "saw KeyError('other')"]


def test_openapi_yield_dependency(client: Any) -> None:
    params = operation(client, "/records/{record_id}")["parameters"]
    assert [p["name"] for p in params] == ["record_id"]
