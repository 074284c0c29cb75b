"""How-to, custom Request and APIRoute class: a route class that post-processes responses."""

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from pydantic import BaseModel

from tests.guide.conftest import operation
from zephyr import APIRouter, Body, HTTPException, Request, Response, UploadFile, Zephyr
from zephyr.exceptions import RequestValidationError
from zephyr.routing import APIRoute


class StampedRoute(APIRoute):
    """Adds the route name and a request counter header to every response."""

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        original = super().get_route_handler()
        name = self.name

        async def handler(request: Request) -> Response:
            response = await original(request)
            response.headers["X-Route"] = name
            return response

        return handler


class ReversedBodyRequest(Request):
    """A request whose body arrives byte-reversed when ``X-Reversed`` is set."""

    async def body(self) -> bytes:
        if not hasattr(self, "_restored"):
            raw = await super().body()
            self._restored = raw[::-1] if self.headers.get("x-reversed") else raw
        return self._restored


class ReversedRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            return await original(ReversedBodyRequest(request.scope, request.receive))

        return handler


class BodyInErrorsRoute(APIRoute):
    """Puts the raw body next to validation errors."""

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await original(request)
            except RequestValidationError as exc:
                body = (await request.body()).decode()
                detail = {"errors": exc.errors(), "body": body}
                raise HTTPException(status_code=422, detail=detail) from None

        return handler


class Word(BaseModel):
    word: str


app = Zephyr()
router = APIRouter(route_class=StampedRoute)
reversed_router = APIRouter(route_class=ReversedRoute)
errors_router = APIRouter(route_class=BodyInErrorsRoute)


@reversed_router.post("/words")
async def post_word(word: Word) -> Word:
    return word


@errors_router.post("/numbers")
async def post_number(numbers: Annotated[list[int], Body()]) -> int:
    return sum(numbers)


@router.get("/stamped/{n}")
async def stamped(n: int) -> dict[str, int]:
    return {"n": n}


UPLOADS: list[UploadFile] = []


@router.post("/stamped-upload")
async def stamped_upload(document: UploadFile) -> dict[str, int]:
    UPLOADS.append(document)
    return {"size": len(await document.read())}


app.include_router(router)
app.include_router(reversed_router)
app.include_router(errors_router)


@app.get("/plain")
async def plain() -> dict[str, bool]:
    return {"plain": True}


def test_custom_route_class(client: Any) -> None:
    response = client.get("/stamped/4")
    assert response.json() == {"n": 4}
    assert response.headers["x-route"] == "stamped"
    invalid = client.get("/stamped/x")
    assert invalid.status_code == 422
    assert "x-route" not in client.get("/plain").headers


def test_uploads_closed_after_the_response(mod: Any, client: Any) -> None:
    mod.UPLOADS.clear()
    response = client.post("/stamped-upload", files={"document": ("a.txt", b"abc")})
    assert response.json() == {"size": 3}
    assert response.headers["x-route"] == "stamped_upload"
    assert mod.UPLOADS[0].file.closed


def test_custom_request_class(client: Any) -> None:
    payload = b'{"word": "level up"}'
    plain = client.post("/words", content=payload, headers={"content-type": "application/json"})
    assert plain.json() == {"word": "level up"}
    flipped = client.post(
        "/words",
        content=payload[::-1],
        headers={"content-type": "application/json", "x-reversed": "1"},
    )
    assert flipped.status_code == 200
    assert flipped.json() == {"word": "level up"}


def test_handler_sees_validation_errors(client: Any) -> None:
    assert client.post("/numbers", json=[1, 2, 3]).json() == 6
    response = client.post("/numbers", json=[1, "x"])
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail["body"] == '[1,"x"]'
    assert detail["errors"][0]["loc"] == ["body", 1]


def test_openapi_unchanged(client: Any) -> None:
    assert operation(client, "/stamped/{n}")["operationId"] == "stamped_stamped__n__get"
