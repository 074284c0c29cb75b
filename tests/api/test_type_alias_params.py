"""A parameter annotated with a ``type`` alias reads as what the alias stands for.

``type CurrentUser = Annotated[User, Depends(get_user)]`` (PEP 695; or
``typing_extensions.TypeAliasType`` before Python 3.12) is one way to name a
dependency once; the alias is looked through, one level, so its markers
decide where the value comes from, and a plain type's location is inferred
from the type behind it.
"""

import sys
from typing import Annotated, Any

import pytest
from typing_extensions import TypeAliasType

from zephyr import Depends, Query, Zephyr
from zephyr.testclient import TestClient


async def answer() -> int:
    return 42


Answer = TypeAliasType("Answer", Annotated[int, Depends(answer)])
Tags = TypeAliasType("Tags", Annotated[list[str], Query()])
Ids = TypeAliasType("Ids", list[int])
Limit = TypeAliasType("Limit", int)


def test_aliases_locate_parameters_like_their_values() -> None:
    app = Zephyr()

    @app.post("/items")
    def create(ids: Ids, answer: Answer, tags: Tags, limit: Limit = 10) -> dict[str, Any]:
        return {"ids": ids, "answer": answer, "tags": tags, "limit": limit}

    client = TestClient(app)
    response = client.post("/items?tags=a&tags=b&limit=3", json=[1, 2])
    assert response.json() == {"ids": [1, 2], "answer": 42, "tags": ["a", "b"], "limit": 3}
    operation = app.openapi()["paths"]["/items"]["post"]
    assert [p["name"] for p in operation["parameters"]] == ["tags", "limit"]
    assert operation["requestBody"]["content"]["application/json"]["schema"]["type"] == "array"


@pytest.mark.skipif(sys.version_info < (3, 12), reason="the type statement is Python 3.12+")
def test_the_type_statement() -> None:
    namespace: dict[str, Any] = {"Annotated": Annotated, "Depends": Depends, "answer": answer}
    exec("type Answer = Annotated[int, Depends(answer)]", namespace)
    app = Zephyr()

    async def read(value: namespace["Answer"]) -> str:  # type: ignore[name-defined]
        return f"value: {value}"

    app.get("/")(read)
    assert TestClient(app).get("/").json() == "value: 42"
