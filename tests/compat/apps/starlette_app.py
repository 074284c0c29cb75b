"""A plain Starlette application (the real package from PyPI) served by both servers."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route


async def home(request: Request) -> Response:
    return PlainTextResponse("home")


async def user(request: Request) -> Response:
    return JSONResponse(
        {
            "id": request.path_params["user_id"],
            "query": dict(request.query_params),
            "path": request.url.path,
            "root_path": request.scope.get("root_path", ""),
        }
    )


async def upload(request: Request) -> Response:
    body = await request.body()
    return JSONResponse({"size": len(body), "head": body[:8].decode("latin-1")})


async def cookies(request: Request) -> Response:
    return JSONResponse(request.cookies)


app = Starlette(
    routes=[
        Route("/", home),
        Route("/users/{user_id:int}", user),
        Route("/upload", upload, methods=["POST"]),
        Route("/cookies", cookies),
        Mount("/sub", routes=[Route("/users/{user_id:int}", user)]),
    ]
)
