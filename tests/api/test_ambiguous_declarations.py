"""Declarations that say a thing twice are refused when the route is added.

A default inside ``Annotated`` (``Annotated[int, Query(default=1)]``) competes
with the ``=`` default, and a marker both in ``Annotated`` and as the default
(``Annotated[int, Depends(f)] = Depends(f)``) leaves unclear which one the
parameter follows. FastAPI refuses both with an ``AssertionError`` at
declaration time; so does zephyr, instead of silently picking one.
"""

from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import Field

from zephyr import Body, Depends, Header, Query, Zephyr
from zephyr.api_exceptions import InvalidParameterError
from zephyr.testclient import TestClient


def get_token() -> str:
    return "t"


def test_a_default_inside_annotated_is_refused() -> None:
    app = Zephyr()

    def read(limit: Annotated[int, Query(default=10)]) -> None: ...

    with pytest.raises(AssertionError, match=r"`Query` default value cannot be set in `Annotated`"):
        app.get("/items")(read)

    def read_header(token: Annotated[str, Header("x")]) -> None: ...

    with pytest.raises(InvalidParameterError, match=r"`Header` default .* for 'token'"):
        app.get("/header")(read_header)

    def read_body(size: Annotated[int, Body(3)]) -> None: ...

    with pytest.raises(InvalidParameterError, match=r"`Body` default .* for 'size'"):
        app.post("/body")(read_body)


def test_depends_in_annotated_takes_no_default() -> None:
    app = Zephyr()

    def twice(token: Annotated[str, Depends(get_token)] = Depends(get_token)) -> None: ...

    with pytest.raises(AssertionError, match="`Depends` in `Annotated` and default value"):
        app.get("/twice")(twice)


def test_a_marker_in_annotated_and_another_as_default_is_refused() -> None:
    app = Zephyr()

    def depends_default(q: Annotated[str, Query(min_length=1)] = Depends(get_token)) -> None: ...

    with pytest.raises(AssertionError, match="in `Annotated` and `Depends` as a default value"):
        app.get("/a")(depends_default)

    def marker_default(q: Annotated[str, Query(min_length=1)] = Body("x")) -> None: ...

    with pytest.raises(AssertionError, match="annotations in `Annotated` and default value"):
        app.get("/b")(marker_default)

    def field_default(q: Annotated[str, Query()] = Field("x")) -> None: ...

    with pytest.raises(InvalidParameterError, match="for 'q'"):
        app.get("/c")(field_default)


def test_unambiguous_declarations_still_work() -> None:
    app = Zephyr()

    @app.get("/items")
    def read(
        token: Annotated[str, Depends(get_token)],
        limit: Annotated[int, Query(ge=1)] = 10,
        size: Annotated[int, Query(gt=2), Query(lt=10)] = 5,  # both constraints hold
        plain: Annotated[int, Field(ge=0)] = 1,
        # Not markers of a request parameter: a plain Field's default, a plain
        # value next to Depends (the dependency answers), a Query() default
        # next to a plain Field.
        page: Annotated[int, Field(1)] = 1,
        other: Annotated[str | None, Depends(get_token)] = None,
        tag: Annotated[str, Field(min_length=1)] = Query("all"),
    ) -> dict[str, object]:
        return {"token": token, "limit": limit, "size": size, "plain": plain, "page": page,
                "other": other, "tag": tag}  # fmt: skip

    client = TestClient(app)
    assert client.get("/items").json() == {
        "token": "t",
        "limit": 10,
        "size": 5,
        "plain": 1,
        "page": 1,
        "other": "t",
        "tag": "all",
    }
    assert client.get("/items?size=9&limit=2").json()["size"] == 9
    assert client.get("/items?size=10").status_code == 422
    assert client.get("/items?size=2").status_code == 422
