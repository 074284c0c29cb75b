"""Tutorial, handling errors: HTTPException, custom handlers, overriding the default ones."""

from typing import Any

from pydantic import BaseModel

from tests.guide.conftest import operation
from zephyr import HTTPException, Request, Zephyr
from zephyr.encoders import jsonable_encoder
from zephyr.exception_handlers import http_exception_handler, request_validation_exception_handler
from zephyr.exceptions import RequestValidationError
from zephyr.responses import JSONResponse, PlainTextResponse

app = Zephyr()

TICKETS = {"t1": "printer on fire"}


class QuotaExceeded(Exception):
    def __init__(self, who: str) -> None:
        self.who = who


@app.exception_handler(QuotaExceeded)
async def quota_handler(request: Request, exc: QuotaExceeded) -> JSONResponse:
    return JSONResponse(status_code=429, content={"message": f"{exc.who} used up the quota"})


@app.get("/tickets/{ticket_id}")
async def ticket(ticket_id: str) -> dict[str, str]:
    if ticket_id not in TICKETS:
        raise HTTPException(
            status_code=404, detail="Ticket not found", headers={"X-Error": "missing-ticket"}
        )
    return {"ticket": TICKETS[ticket_id]}


@app.get("/structured")
async def structured() -> None:
    raise HTTPException(status_code=409, detail={"code": "conflict", "ids": [1, 2]})


@app.get("/quota/{who}")
async def quota(who: str) -> None:
    raise QuotaExceeded(who)


# A second app overrides the default handlers, and reuses them.
plain = Zephyr()


@plain.exception_handler(RequestValidationError)
async def validation_as_text(request: Request, exc: RequestValidationError) -> PlainTextResponse:
    lines = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
    return PlainTextResponse("\n".join(lines), status_code=400)


@plain.exception_handler(HTTPException)
async def http_error_as_text(request: Request, exc: HTTPException) -> PlainTextResponse:
    return PlainTextResponse(f"error {exc.status_code}: {exc.detail}", status_code=exc.status_code)


class Entry(BaseModel):
    title: str
    size: int


@plain.get("/entries/{entry_id}")
async def entry(entry_id: int) -> dict[str, int]:
    if entry_id == 3:
        raise HTTPException(status_code=418, detail="teapot entry")
    return {"entry_id": entry_id}


# A third app echoes the body back with the errors, then delegates to the defaults.
echo = Zephyr()


@echo.exception_handler(RequestValidationError)
async def echo_body(request: Request, exc: RequestValidationError) -> JSONResponse:
    return JSONResponse(
        status_code=422, content=jsonable_encoder({"detail": exc.errors(), "body": exc.body})
    )


@echo.exception_handler(HTTPException)
async def logged_http_error(request: Request, exc: HTTPException) -> Any:
    response = await http_exception_handler(request, exc)
    response.headers["x-handled"] = "yes"
    return response


@echo.post("/entries")
async def create_entry(entry: Entry) -> Entry:
    if entry.size == 0:
        raise HTTPException(status_code=400, detail="empty entry")
    return entry


@echo.get("/strict/{number}")
async def strict(request: Request, number: int) -> dict[str, int]:
    return {"number": number}


@echo.exception_handler(ValueError)
async def value_error(request: Request, exc: ValueError) -> Any:
    # Reuse the default validation handler for errors raised by app code.
    return await request_validation_exception_handler(
        request,
        RequestValidationError(
            [{"type": "value_error", "loc": ("body",), "msg": str(exc), "input": None}]
        ),
    )


@echo.get("/explode")
async def explode() -> None:
    raise ValueError("bad value")


def test_http_exception(client: Any) -> None:
    response = client.get("/tickets/t9")
    assert response.status_code == 404
    assert response.json() == {"detail": "Ticket not found"}
    assert response.headers["x-error"] == "missing-ticket"
    assert client.get("/tickets/t1").json() == {"ticket": "printer on fire"}


def test_structured_detail(client: Any) -> None:
    response = client.get("/structured")
    assert response.status_code == 409
    assert response.json() == {"detail": {"code": "conflict", "ids": [1, 2]}}


def test_custom_exception_handler(client: Any) -> None:
    response = client.get("/quota/bob")
    assert response.status_code == 429
    assert response.json() == {"message": "bob used up the quota"}


def test_overridden_default_handlers(mod: Any, make_client: Any) -> None:
    client = make_client(mod.plain)
    invalid = client.get("/entries/abc")
    assert invalid.status_code == 400
    assert invalid.text == (
        "path.entry_id: Input should be a valid integer, unable to parse string as an integer"
    )
    teapot = client.get("/entries/3")
    assert teapot.status_code == 418
    assert teapot.text == "error 418: teapot entry"


def test_error_body_echo_and_reused_handlers(mod: Any, make_client: Any) -> None:
    client = make_client(mod.echo)
    response = client.post("/entries", json={"title": "t", "size": "big"})
    assert response.status_code == 422
    assert response.json()["body"] == {"title": "t", "size": "big"}
    assert response.json()["detail"][0]["loc"] == ["body", "size"]
    empty = client.post("/entries", json={"title": "t", "size": 0})
    assert empty.status_code == 400
    assert empty.json() == {"detail": "empty entry"}
    assert empty.headers["x-handled"] == "yes"
    exploded = client.get("/explode")
    assert exploded.status_code == 422
    assert exploded.json() == {
        "detail": [{"type": "value_error", "loc": ["body"], "msg": "bad value", "input": None}]
    }


def test_openapi_unchanged_by_handlers(client: Any) -> None:
    responses = operation(client, "/tickets/{ticket_id}")["responses"]
    assert sorted(responses) == ["200", "422"]
    assert responses["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/HTTPValidationError"
    }


# A fourth app: handlers keyed by status code and a catch-all for unexpected errors.
catch_all = Zephyr()


@catch_all.exception_handler(404)
async def not_found_page(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"missing": request.url.path}, status_code=404)


@catch_all.exception_handler(Exception)
async def unexpected(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"error": type(exc).__name__}, status_code=500)


@catch_all.get("/divide/{n}")
async def divide(n: int) -> float:
    return 1 / n


@catch_all.get("/gone")
async def gone() -> None:
    raise HTTPException(status_code=404)


def test_status_code_and_catch_all_handlers(mod: Any, make_client: Any) -> None:
    client = make_client(mod.catch_all, raise_server_exceptions=False)
    assert client.get("/nowhere").json() == {"missing": "/nowhere"}
    assert client.get("/gone").json() == {"missing": "/gone"}
    assert client.get("/divide/4").json() == 0.25
    crashed = client.get("/divide/0")
    assert crashed.status_code == 500
    assert crashed.json() == {"error": "ZeroDivisionError"}


def test_default_detail_is_the_status_phrase(mod: Any, make_client: Any) -> None:
    client = make_client(mod.app)
    response = client.get("/quota/x")
    assert response.status_code == 429
    plain = make_client(mod.catch_all).get("/divide/x")
    assert plain.status_code == 422
