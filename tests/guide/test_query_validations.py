"""Tutorial, query parameters and string validations: Query(), Annotated, lists, aliases."""

from typing import Annotated, Any

from tests.guide.conftest import operation
from zephyr import Query, Zephyr

app = Zephyr()


@app.get("/search")
async def search(
    term: Annotated[str | None, Query(min_length=2, max_length=12, pattern="^[a-z ]+$")] = None,
) -> dict[str, Any]:
    return {"term": term}


@app.get("/codes")
async def codes(code: Annotated[str, Query(min_length=3)]) -> dict[str, str]:
    return {"code": code}


@app.get("/tags")
async def tags(tag: Annotated[list[str] | None, Query()] = None) -> dict[str, Any]:
    return {"tags": tag}


@app.get("/colours")
async def colours(colour: Annotated[list[str], Query()] = ["red", "blue"]) -> dict[str, Any]:  # noqa: B006
    return {"colours": colour}


@app.get("/described")
async def described(
    word: Annotated[
        str | None,
        Query(
            alias="the-word",
            title="A word",
            description="Any single word to echo back",
            deprecated=True,
        ),
    ] = None,
    secret: Annotated[str | None, Query(include_in_schema=False)] = None,
) -> dict[str, Any]:
    return {"word": word, "secret": secret}


def test_constraints_pass(client: Any) -> None:
    assert client.get("/search?term=hello world").json() == {"term": "hello world"}
    assert client.get("/search").json() == {"term": None}


def test_min_length(client: Any) -> None:
    response = client.get("/search?term=a")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "string_too_short",
                "loc": ["query", "term"],
                "msg": "String should have at least 2 characters",
                "input": "a",
                "ctx": {"min_length": 2},
            }
        ]
    }


def test_max_length_and_pattern(client: Any) -> None:
    too_long = client.get("/search?term=abcdefghijklmn")
    assert too_long.status_code == 422
    assert too_long.json()["detail"][0]["type"] == "string_too_long"
    bad = client.get("/search?term=ABC")
    assert bad.status_code == 422
    assert bad.json()["detail"] == [
        {
            "type": "string_pattern_mismatch",
            "loc": ["query", "term"],
            "msg": "String should match pattern '^[a-z ]+$'",
            "input": "ABC",
            "ctx": {"pattern": "^[a-z ]+$"},
        }
    ]


def test_required_with_validation(client: Any) -> None:
    assert client.get("/codes?code=abc").json() == {"code": "abc"}
    missing = client.get("/codes")
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["query", "code"]
    assert missing.json()["detail"][0]["type"] == "missing"


def test_list_params(client: Any) -> None:
    assert client.get("/tags?tag=a&tag=b&tag=a").json() == {"tags": ["a", "b", "a"]}
    assert client.get("/tags").json() == {"tags": None}
    assert client.get("/colours").json() == {"colours": ["red", "blue"]}
    assert client.get("/colours?colour=green").json() == {"colours": ["green"]}


def test_alias_is_the_wire_name(client: Any) -> None:
    assert client.get("/described?the-word=hi").json() == {"word": "hi", "secret": None}
    assert client.get("/described?word=hi").json() == {"word": None, "secret": None}
    assert client.get("/described?secret=s").json() == {"word": None, "secret": "s"}


def test_openapi_validations(client: Any) -> None:
    [term] = operation(client, "/search")["parameters"]
    assert term["schema"] == {
        "anyOf": [
            {"type": "string", "maxLength": 12, "minLength": 2, "pattern": "^[a-z ]+$"},
            {"type": "null"},
        ],
        "title": "Term",
    }
    [tag] = operation(client, "/tags")["parameters"]
    assert tag["schema"] == {
        "anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}],
        "title": "Tag",
    }
    [colour] = operation(client, "/colours")["parameters"]
    assert colour["schema"] == {
        "type": "array",
        "items": {"type": "string"},
        "default": ["red", "blue"],
        "title": "Colour",
    }
    assert operation(client, "/described")["parameters"] == [
        {
            "name": "the-word",
            "in": "query",
            "required": False,
            "deprecated": True,
            "schema": {
                "anyOf": [{"type": "string"}, {"type": "null"}],
                "title": "A word",
                "description": "Any single word to echo back",
                "deprecated": True,
            },
            "description": "Any single word to echo back",
        }
    ]
