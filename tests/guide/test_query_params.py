"""Tutorial, query parameters: defaults, optional, required, bool conversion, lists."""

from typing import Any

from tests.guide.conftest import operation
from zephyr import Zephyr

app = Zephyr()

BOOKS = [{"title": f"Book {i}"} for i in range(10)]


@app.get("/books")
async def list_books(offset: int = 0, limit: int = 3) -> list[dict[str, str]]:
    return BOOKS[offset : offset + limit]


@app.get("/books/{book_id}")
async def read_book(book_id: str, edition: str | None = None, signed: bool = False):
    book: dict[str, Any] = {"book_id": book_id, "signed": signed}
    if edition:
        book["edition"] = edition
    return book


@app.get("/shelves/{shelf}")
async def read_shelf(shelf: int, genre: str, page: int = 1, note: str | None = None):
    return {"shelf": shelf, "genre": genre, "page": page, "note": note}


def test_defaults_and_overrides(client: Any) -> None:
    assert client.get("/books").json() == BOOKS[:3]
    assert client.get("/books?offset=8").json() == BOOKS[8:]
    assert client.get("/books?offset=2&limit=1").json() == [{"title": "Book 2"}]


def test_optional_param(client: Any) -> None:
    assert client.get("/books/b1").json() == {"book_id": "b1", "signed": False}
    assert client.get("/books/b1?edition=2nd").json() == {
        "book_id": "b1",
        "signed": False,
        "edition": "2nd",
    }


def test_bool_conversion(client: Any) -> None:
    for raw in ("1", "true", "True", "on", "yes"):
        assert client.get(f"/books/b?signed={raw}").json()["signed"] is True
    for raw in ("0", "false", "off", "no"):
        assert client.get(f"/books/b?signed={raw}").json()["signed"] is False
    response = client.get("/books/b?signed=perhaps")
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "bool_parsing"
    assert response.json()["detail"][0]["loc"] == ["query", "signed"]


def test_required_param_missing(client: Any) -> None:
    response = client.get("/shelves/3")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {"type": "missing", "loc": ["query", "genre"], "msg": "Field required", "input": None}
        ]
    }
    ok = client.get("/shelves/3?genre=poetry&page=2")
    assert ok.json() == {"shelf": 3, "genre": "poetry", "page": 2, "note": None}


def test_several_errors_reported_together(client: Any) -> None:
    response = client.get("/shelves/x?page=y")
    assert response.status_code == 422
    locs = [error["loc"] for error in response.json()["detail"]]
    assert locs == [["path", "shelf"], ["query", "genre"], ["query", "page"]]


def test_openapi_query_params(client: Any) -> None:
    params = operation(client, "/shelves/{shelf}")["parameters"]
    assert params == [
        {
            "name": "shelf",
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "title": "Shelf"},
        },
        {
            "name": "genre",
            "in": "query",
            "required": True,
            "schema": {"type": "string", "title": "Genre"},
        },
        {
            "name": "page",
            "in": "query",
            "required": False,
            "schema": {"type": "integer", "default": 1, "title": "Page"},
        },
        {
            "name": "note",
            "in": "query",
            "required": False,
            "schema": {"anyOf": [{"type": "string"}, {"type": "null"}], "title": "Note"},
        },
    ]
