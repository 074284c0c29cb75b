"""Validation errors say where they happened: the endpoint and the operation.

``str()`` of a ``RequestValidationError`` / ``ResponseValidationError`` /
``WebSocketRequestValidationError`` raised while serving a route names the
endpoint's function, file and line, and the operation (method and path, with a
mounted app's prefix), so a log line points at the code. Built by hand, the
context is optional; the count is spelled in the singular for one error.
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from zephyr import Zephyr
from zephyr.api_exceptions import (
    RequestValidationError,
    ResponseValidationError,
    WebSocketRequestValidationError,
    endpoint_context,
)
from zephyr.requests import Request
from zephyr.testclient import TestClient
from zephyr.websockets import WebSocket


class Pet(BaseModel):
    id: int
    kind: str


def _capturing_app() -> tuple[Zephyr, list[Exception]]:
    app = Zephyr()
    sub = Zephyr()
    app.mount("/inner", sub)
    seen: list[Exception] = []

    async def keep(conn: Any, exc: Exception) -> Any:
        seen.append(exc)
        raise exc

    for target in (app, sub):
        for kind in (
            RequestValidationError,
            ResponseValidationError,
            WebSocketRequestValidationError,
        ):
            target.add_exception_handler(kind, keep)

    @app.get("/pets/{pet_id}")
    def read_pet(pet_id: int) -> dict[str, int]:
        return {"pet_id": pet_id}

    @sub.get("/pets/", response_model=Pet)
    def list_inner_pets() -> dict[str, str]:
        return {"kind": "cat"}

    @sub.websocket("/feed/{room}")
    async def pet_feed(websocket: WebSocket, room: int) -> None:
        await websocket.accept()

    return app, seen


def _message(client: TestClient, seen: list[Exception], path: str) -> str:
    with pytest.raises(Exception):  # noqa: B017 - the handler re-raises what it caught
        client.get(path)
    assert len(seen) == 1
    return str(seen[0])


def test_request_error_names_function_file_line_and_operation() -> None:
    app, seen = _capturing_app()
    text = _message(TestClient(app), seen, "/pets/not-a-number")
    assert text.startswith("1 validation error:\n")
    assert "in _capturing_app.<locals>.read_pet" in text
    assert __file__ in text
    assert "Endpoint: GET /pets/{pet_id}" in text
    assert isinstance(seen[0], RequestValidationError)
    assert seen[0].body is None


def test_response_error_of_a_mounted_app_has_its_prefix() -> None:
    app, seen = _capturing_app()
    text = _message(TestClient(app), seen, "/inner/pets/")
    assert isinstance(seen[0], ResponseValidationError)
    assert "list_inner_pets" in text
    assert "Endpoint: GET /inner/pets/" in text
    assert seen[0].body == {"kind": "cat"}


def test_websocket_error_names_the_websocket_endpoint() -> None:
    app, seen = _capturing_app()
    client = TestClient(app)
    with pytest.raises(Exception), client.websocket_connect("/inner/feed/x"):  # noqa: B017
        pass
    assert isinstance(seen[0], WebSocketRequestValidationError)
    text = str(seen[0])
    assert "pet_feed" in text
    assert "Endpoint: WEBSOCKET /inner/feed/{room}" in text


def test_context_is_optional_and_partial() -> None:
    errors = [{"type": "missing", "loc": ("query", "q"), "msg": "Field required"}]
    bare = str(RequestValidationError(errors))
    assert bare == f"1 validation error:\n  {errors[0]}"
    assert str(RequestValidationError(errors, endpoint_ctx={})) == bare
    only_path = str(RequestValidationError(errors, endpoint_ctx={"path": "POST /x"}))
    assert only_path.endswith("\n  Endpoint: POST /x")
    assert 'File "' not in only_path
    two = RequestValidationError(errors * 2, endpoint_ctx={"function": "f"})
    assert str(two).startswith("2 validation errors:")
    assert str(two).endswith("\n  In f")


def test_endpoint_context_follows_wrappers_and_tolerates_code_less_callables() -> None:
    def inner() -> None:
        pass

    def outer() -> None:
        pass

    outer.__wrapped__ = inner  # type: ignore[attr-defined]
    ctx = endpoint_context(outer, "GET /")
    assert ctx["function"].endswith("inner")
    assert ctx["line"] == inner.__code__.co_firstlineno
    assert endpoint_context(len, "GET /") == {"path": "GET /", "function": "len"}


def test_the_context_is_not_computed_for_valid_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    app = Zephyr()

    @app.get("/ok")
    def ok(request: Request, n: int = 1) -> int:
        return n

    calls: list[str] = []
    monkeypatch.setattr("zephyr._api.route.endpoint_context", lambda *a: calls.append("x") or {})
    assert TestClient(app).get("/ok?n=2").json() == 2
    assert calls == []
