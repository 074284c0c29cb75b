"""``pydantic.Field`` metadata next to a parameter marker in ``Annotated``.

FastAPI documents that ``Annotated`` may carry a plain ``Field(...)`` as well
as (or instead of) ``Query()``/``Header()``/``Body()``...: the Field's alias
names the parameter on the wire, unless the marker sets an alias of its own,
and a parameter declared with only a ``Field`` is located as if it had no
marker at all (scalars in the query, models and lists of models in the body).
"""

from typing import Annotated

import pytest
from pydantic import Field

from zephyr import Body, Cookie, Form, Header, Path, Query, Zephyr
from zephyr.testclient import TestClient


@pytest.mark.parametrize("marker", [Path, Query, Header, Cookie, Body, Form])
@pytest.mark.parametrize(
    "field", [Field(alias="wire"), Field(alias="unused", validation_alias="wire")]
)
def test_the_field_alias_names_the_parameter(marker: type, field: object) -> None:
    app = Zephyr()
    declared = Body(embed=True) if marker is Body else marker()

    @app.post("/{wire}" if marker is Path else "/")
    def read(value: Annotated[int, field, declared]) -> int:
        return value

    client = TestClient(app)
    sent = {
        Path: lambda: client.post("/5"),
        Query: lambda: client.post("/", params={"wire": "5"}),
        Header: lambda: client.post("/", headers={"wire": "5"}),
        Cookie: lambda: client.post("/", headers={"cookie": "wire=5"}),
        Body: lambda: client.post("/", json={"wire": 5}),
        Form: lambda: client.post("/", data={"wire": "5"}),
    }[marker]()
    assert sent.status_code == 200, sent.text
    assert sent.json() == 5


def test_the_marker_alias_wins_over_the_field_alias() -> None:
    app = Zephyr()
    Count = Annotated[int, Field(alias="original")]

    @app.get("/")
    def read(
        kept: Annotated[Count, Query()], replaced: Annotated[Count, Query(alias="replacement")]
    ) -> list[int]:
        return [kept, replaced]

    response = TestClient(app).get("/", params={"original": "1", "replacement": "2"})
    assert response.json() == [1, 2]


def test_a_field_only_parameter_is_located_by_inference() -> None:
    app = Zephyr()

    @app.get("/items")
    @app.get("/items/{item_id}")
    def read(
        item_id: Annotated[int, Field(default_factory=lambda: 5)],
        count: Annotated[int, Field(alias="n")] = 10,
    ) -> dict[str, int]:
        return {"item_id": item_id, "count": count}

    client = TestClient(app)
    assert client.get("/items/1", params={"n": "2"}).json() == {"item_id": 1, "count": 2}
    assert client.get("/items/1").json() == {"item_id": 1, "count": 10}
    assert client.get("/items").json() == {"item_id": 5, "count": 10}
    bad = client.get("/items/1", params={"n": "x"})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["query", "n"]


def test_a_shared_field_keeps_its_alias_for_the_next_parameter() -> None:
    # One Field() in a type alias, used with a marker by one route and bare by
    # another: moving the alias onto the first route's marker must leave the
    # Field itself untouched.
    wire = Annotated[int, Field(alias="wire")]
    app = Zephyr()

    @app.get("/a")
    def with_marker(value: Annotated[wire, Query()]) -> int:
        return value

    @app.get("/b")
    def bare(value: wire) -> int:
        return value

    client = TestClient(app)
    assert client.get("/a", params={"wire": "1"}).json() == 1
    answer = client.get("/b", params={"wire": "2"})
    assert answer.status_code == 200, answer.text
    assert answer.json() == 2
