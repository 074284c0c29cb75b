"""A FastAPI application (the real package from PyPI) served by both servers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import FastAPI, Form, Header, HTTPException, Query, Request, Response
from fastapi.responses import PlainTextResponse, RedirectResponse, StreamingResponse
from pydantic import BaseModel


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
    yield {"greeting": "hello from lifespan"}


app = FastAPI(title="peer", lifespan=lifespan)


class Item(BaseModel):
    name: str
    price: float
    tags: list[str] = []


@app.get("/items/{item_id}")
async def read_item(item_id: int, q: str | None = None, limit: Annotated[int, Query()] = 10) -> Any:
    return {"item_id": item_id, "q": q, "limit": limit}


@app.post("/items")
async def create_item(item: Item) -> Item:
    return item


@app.get("/missing")
async def missing() -> None:
    raise HTTPException(status_code=404, detail="nope", headers={"x-why": "missing"})


@app.get("/state")
async def state(request: Request) -> dict[str, str]:
    return {"greeting": request.state.greeting}


@app.get("/cookie")
async def cookie(response: Response) -> dict[str, bool]:
    response.set_cookie("session", "abc", httponly=True, max_age=60)
    return {"ok": True}


@app.get("/redirect")
async def redirect() -> RedirectResponse:
    return RedirectResponse("/items/1?q=x")


@app.get("/stream")
async def stream() -> StreamingResponse:
    def numbers() -> Iterator[str]:
        for n in range(5):
            yield f"{n}\n"

    return StreamingResponse(numbers(), media_type="text/plain")


@app.get("/headers")
async def headers(user_agent: Annotated[str | None, Header()] = None) -> dict[str, Any]:
    return {"user_agent": user_agent}


@app.post("/form")
async def form(name: Annotated[str, Form()]) -> PlainTextResponse:
    return PlainTextResponse(f"hi {name}")


@app.post("/echo")
async def echo(request: Request) -> Response:
    body = await request.body()
    return Response(body, media_type="application/octet-stream")


@app.get("/boom")
async def boom() -> None:
    raise RuntimeError("internal detail that must not leak")
