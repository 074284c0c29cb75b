"""Tutorial, bigger applications: APIRouter modules, prefixes, tags, shared dependencies."""

from typing import Annotated, Any

from tests.guide.conftest import openapi, operation
from zephyr import APIRouter, Depends, Header, HTTPException, Zephyr


async def query_token(token: str) -> None:
    if token != "t0k":
        raise HTTPException(status_code=400, detail="No valid token")


async def admin_header(x_admin: Annotated[str, Header()]) -> None:
    if x_admin != "yes":
        raise HTTPException(status_code=403, detail="Admins only")


# "users" module: a plain router with its own tags.
users = APIRouter()


@users.get("/users/", tags=["users"])
async def list_users() -> list[dict[str, str]]:
    return [{"username": "ana"}, {"username": "ben"}]


@users.get("/users/{username}", tags=["users"])
async def one_user(username: str) -> dict[str, str]:
    return {"username": username}


# "books" module: a router configured once for all its routes.
books = APIRouter(
    prefix="/books",
    tags=["books"],
    dependencies=[Depends(admin_header)],
    responses={404: {"description": "Book not found"}},
)
SHELF = {"dune": {"title": "Dune"}}


@books.get("/")
async def list_books() -> dict[str, Any]:
    return SHELF


@books.get("/{book_id}")
async def read_book(book_id: str) -> dict[str, str]:
    if book_id not in SHELF:
        raise HTTPException(status_code=404, detail="Book not found")
    return SHELF[book_id]


@books.put("/{book_id}", tags=["custom"], responses={403: {"description": "Forbidden edit"}})
async def edit_book(book_id: str) -> dict[str, str]:
    return {"book_id": book_id, "title": "edited"}


# "internal" module: a router shared with others, configured at include time.
internal = APIRouter()


@internal.post("/")
async def maintenance() -> dict[str, str]:
    return {"message": "maintenance started"}


# Nested routers: a sub-router included into another router.
stats = APIRouter(prefix="/stats")
reports = APIRouter()


@reports.get("/daily")
async def daily() -> dict[str, int]:
    return {"visits": 7}


stats.include_router(reports, prefix="/reports", tags=["reports"])

app = Zephyr(dependencies=[Depends(query_token)])
app.include_router(users)
app.include_router(books)
app.include_router(
    internal,
    prefix="/internal",
    tags=["internal"],
    dependencies=[Depends(admin_header)],
    responses={418: {"description": "I'm a teapot"}},
)
app.include_router(stats)


@app.get("/")
async def root() -> dict[str, str]:
    return {"message": "bigger app"}


ADMIN = {"x-admin": "yes"}


def test_routes_from_every_router(client: Any) -> None:
    assert client.get("/?token=t0k").json() == {"message": "bigger app"}
    assert client.get("/users/?token=t0k").json() == [{"username": "ana"}, {"username": "ben"}]
    assert client.get("/users/cy?token=t0k").json() == {"username": "cy"}
    assert client.get("/books/?token=t0k", headers=ADMIN).json() == {"dune": {"title": "Dune"}}
    assert client.get("/books/dune?token=t0k", headers=ADMIN).json() == {"title": "Dune"}
    assert client.post("/internal/?token=t0k", headers=ADMIN).json() == {
        "message": "maintenance started"
    }
    assert client.get("/stats/reports/daily?token=t0k").json() == {"visits": 7}


def test_dependencies_layered(client: Any) -> None:
    no_token = client.get("/users/")
    assert no_token.status_code == 422
    assert no_token.json()["detail"][0]["loc"] == ["query", "token"]
    assert client.get("/users/?token=bad").json() == {"detail": "No valid token"}
    forbidden = client.get("/books/?token=t0k", headers={"x-admin": "no"})
    assert forbidden.status_code == 403
    internal = client.post("/internal/?token=t0k", headers={"x-admin": "no"})
    assert internal.json() == {"detail": "Admins only"}
    missing = client.get("/books/zzz?token=t0k", headers=ADMIN)
    assert missing.status_code == 404


def test_openapi_tags_and_responses(client: Any) -> None:
    assert operation(client, "/users/{username}")["tags"] == ["users"]
    book = operation(client, "/books/{book_id}")
    assert book["tags"] == ["books"]
    assert book["operationId"] == "read_book_books__book_id__get"
    assert book["responses"]["404"] == {"description": "Book not found"}
    edit = operation(client, "/books/{book_id}", "put")
    assert edit["tags"] == ["books", "custom"]
    assert sorted(edit["responses"]) == ["200", "403", "404", "422"]
    internal = operation(client, "/internal/", "post")
    assert internal["tags"] == ["internal"]
    assert internal["responses"]["418"] == {"description": "I'm a teapot"}
    assert operation(client, "/stats/reports/daily")["tags"] == ["reports"]


def test_openapi_parameters_from_all_levels(client: Any) -> None:
    params = operation(client, "/books/{book_id}")["parameters"]
    assert [(p["name"], p["in"]) for p in params] == [
        ("book_id", "path"),
        ("token", "query"),
        ("x-admin", "header"),
    ]
    assert set(openapi(client)["paths"]) == {
        "/users/",
        "/users/{username}",
        "/books/",
        "/books/{book_id}",
        "/internal/",
        "/stats/reports/daily",
        "/",
    }
