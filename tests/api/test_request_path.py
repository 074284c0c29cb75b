"""The request path's shortcuts give the same results as the general code."""

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any
from urllib.parse import parse_qsl

import pytest

from zephyr import Depends, FastAPI, HTTPException
from zephyr.datastructures import QueryParams
from zephyr.middleware import Middleware
from zephyr.requests import ClientDisconnect, Request
from zephyr.responses import HTMLResponse, PlainTextResponse, Response, StreamingResponse
from zephyr.testclient import TestClient
from zephyr.types import Message, Receive, Scope, Send


@pytest.mark.parametrize(
    "query",
    ["a=1&b=2", "a&b=", "&&a=1&&", "a=b=c", "=x", "a=1;b=2", "x=%20&y=+z", "é=ü", "a=1&a=2&"],
)
def test_query_fast_path_matches_parse_qsl(query: str) -> None:
    params = QueryParams(query.encode("utf-8").decode("latin-1"))
    expected = parse_qsl(query.encode("utf-8").decode("latin-1"), keep_blank_values=True)
    assert params.multi_items() == expected


def test_content_type_header_built_once_per_media_type() -> None:
    first, second = PlainTextResponse("a"), PlainTextResponse("bb")
    assert first.raw_headers == [
        (b"content-length", b"1"),
        (b"content-type", b"text/plain; charset=utf-8"),
    ]
    assert first.raw_headers[1] is second.raw_headers[1]
    latin = HTMLResponse("x")
    latin.charset = "latin-1"
    latin.init_headers()
    assert latin.raw_headers[1] == (b"content-type", b"text/html; charset=latin-1")
    given = Response(b"x", headers={"Content-Type": "text/csv"}, media_type="text/plain")
    assert given.raw_headers == [(b"content-type", b"text/csv"), (b"content-length", b"1")]
    assert Response(status_code=204).raw_headers == []


def test_plan_runner_mixes_async_sync_and_generators() -> None:
    events: list[str] = []

    async def first(x: int = 1) -> int:
        return x

    def second(a: Annotated[int, Depends(first)]) -> tuple[int, str]:
        return a + 1, threading.current_thread().name

    async def opened(b: Annotated[tuple[int, str], Depends(second)]) -> AsyncIterator[int]:
        events.append("open")
        yield b[0] + 1
        events.append("close")

    def sync_gen(c: Annotated[int, Depends(opened)]) -> Iterator[int]:
        yield c * 10

    app = FastAPI()

    @app.get("/")
    async def index(
        c: Annotated[int, Depends(opened)],
        d: Annotated[int, Depends(sync_gen)],
        thread: Annotated[tuple[int, str], Depends(second)],
    ) -> dict[str, Any]:
        return {"c": c, "d": d, "main": thread[1] == threading.main_thread().name}

    client = TestClient(app)
    assert client.get("/?x=5").json() == {"c": 7, "d": 70, "main": False}
    assert events == ["open", "close"]
    assert client.get("/?x=y").status_code == 422


class _Passthrough:
    """A middleware between the error and exception middlewares (wraps ``send``)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def wrapped(message: Message) -> None:
            await send(message)

        await self.app(scope, receive, wrapped)


@pytest.mark.parametrize("between", [False, True], ids=["direct", "middleware-between"])
def test_exception_handling_with_and_without_middleware_between(between: bool) -> None:
    app = FastAPI(middleware=[Middleware(_Passthrough)] if between else None)

    @app.get("/missing")
    async def missing() -> None:
        raise HTTPException(404, "nope")

    @app.get("/late")
    async def late() -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            yield b"x"
            raise HTTPException(400)

        return StreamingResponse(chunks())

    client = TestClient(app)
    assert client.get("/missing").json() == {"detail": "nope"}
    with pytest.raises(RuntimeError, match="response already started"):
        client.get("/late")


def _request(messages: list[Message]) -> Request:
    queue = list(messages)

    async def receive() -> Message:
        return queue.pop(0)

    return Request({"type": "http", "method": "POST", "headers": []}, receive)


@pytest.mark.parametrize(
    ("messages", "expected"),
    [
        ([{"type": "http.request", "body": b"whole"}], b"whole"),
        ([{"type": "http.request"}], b""),
        (
            [
                {"type": "http.request", "body": b"ab", "more_body": True},
                {"type": "http.request", "body": b"", "more_body": True},
                {"type": "http.request", "body": b"cd"},
            ],
            b"abcd",
        ),
    ],
    ids=["one-message", "empty", "chunked"],
)
def test_body_read_once_in_one_or_many_messages(messages: list[Message], expected: bytes) -> None:
    request = _request(messages)

    async def read() -> tuple[bytes, bytes, list[bytes]]:
        first = await request.body()
        chunks = [chunk async for chunk in request.stream()]
        return first, await request.body(), chunks

    first, again, chunks = asyncio.run(read())
    assert first == again == expected
    assert b"".join(chunks) == expected


def test_body_disconnect_first_raises() -> None:
    request = _request([{"type": "http.disconnect"}])
    with pytest.raises(ClientDisconnect):
        asyncio.run(request.body())


@pytest.mark.parametrize(
    "raw", [b"", b"a=1&b=2&a=3", b"x=%20&y=+z", "é=ü".encode().decode("latin-1"), "a=1&b="]
)
def test_query_string_constructor_matches_general_one(raw: bytes | str) -> None:
    fast = QueryParams.from_query_string(raw)
    assert type(fast) is QueryParams
    assert fast.multi_items() == QueryParams(raw).multi_items()
    assert dict(fast) == dict(QueryParams(raw))
    assert fast.get("absent") is None
    assert fast.get("absent", "d") == "d"
    if fast:
        key = fast.multi_items()[-1][0]
        assert fast.get(key) == QueryParams(raw)[key]


@pytest.mark.parametrize(
    "raw",
    [b"", b"a=1&b=2&a=3", b"x=%20&y=+z&x=%2B", "é=ü".encode().decode("latin-1"), "a&b=&=c&&"],
)
def test_query_dict_is_the_last_value_of_each_key(raw: bytes | str) -> None:
    from zephyr.dependencies.inputs import query_dict

    assert query_dict(raw) == dict(QueryParams(raw))


def test_query_extractor_source() -> None:
    from zephyr.dependencies.extract import LocationExtractor
    from zephyr.dependencies.inputs import query_source
    from zephyr.dependencies.models import ParamField
    from zephyr.params import Query

    def extractor(annotation: Any) -> LocationExtractor:
        field = ParamField(
            name="a",
            location="query",
            external="a",
            annotation=annotation,
            info=Query(),
            default=None,
            is_sequence=annotation is not str,
            slot=0,
        )
        return LocationExtractor("query", [field])

    scope = {"type": "http", "query_string": b"a=1&a=2"}
    # Single values: a plain dict, and the request's QueryParams is not built.
    request = Request(scope)
    assert query_source(extractor(str), request) == {"a": "2"}
    assert "_query_params" not in request.__dict__
    # Lists need getlist(): the request's QueryParams.
    assert query_source(extractor(list[str]), request) is request.query_params
    # Already parsed or not, single values come from the same parser.
    assert query_source(extractor(str), request) == {"a": "2"} == dict(request.query_params)

    class Custom(Request):
        @property
        def query_params(self) -> QueryParams:
            return QueryParams("a=custom")

    assert query_source(extractor(str), Custom(scope))["a"] == "custom"
