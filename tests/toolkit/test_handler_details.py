"""Exception handlers: the endpoint's own request object, and tracebacks dropped once handled."""

from __future__ import annotations

from typing import Any

import pytest

from zephyr.applications import BaseApp
from zephyr.exceptions import HTTPException
from zephyr.middleware.exceptions import ExceptionMiddleware
from zephyr.requests import Request
from zephyr.responses import JSONResponse
from zephyr.routing import Route, Router
from zephyr.testclient import TestClient


class Refused(HTTPException):
    pass


async def read_then_refuse(request: Request) -> None:
    await request.body()
    request.state.seen = "endpoint"
    raise Refused(422)


async def echo_body(request: Request, exc: Exception) -> JSONResponse:
    # The body was read by the endpoint: only the same Request still has it.
    body = await request.body()
    return JSONResponse({"body": body.decode(), "seen": request.state.seen}, status_code=422)


@pytest.mark.parametrize("native", [True, False])
def test_handler_gets_the_request_the_endpoint_had(native: bool) -> None:
    routes = [Route("/", read_then_refuse, methods=["POST"])]
    app: Any
    if native:
        app = BaseApp(routes=routes, exception_handlers={Refused: echo_body})
    else:
        app = ExceptionMiddleware(Router(routes), handlers={Refused: echo_body})
    response = TestClient(app).post("/", content=b"payload")
    assert response.status_code == 422
    assert response.json() == {"body": "payload", "seen": "endpoint"}


def test_handled_exception_keeps_no_traceback() -> None:
    shared = HTTPException(status_code=401, detail="Unauthorized")

    async def refuse(request: Request) -> None:
        raise shared

    client = TestClient(BaseApp(routes=[Route("/", refuse)]))
    for _ in range(2):
        assert client.get("/").status_code == 401
        assert shared.__traceback__ is None


def test_unhandled_exception_keeps_its_traceback() -> None:
    error = KeyError("k")

    async def boom(request: Request) -> None:
        raise error

    client = TestClient(BaseApp(routes=[Route("/", boom)]), raise_server_exceptions=False)
    assert client.get("/").status_code == 500
    assert error.__traceback__ is not None
