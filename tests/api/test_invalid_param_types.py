"""Parameter types a location cannot carry are refused when the route is added.

A path parameter is one URL segment, so FastAPI documents path parameters as
scalars; query, header and cookie parameters are strings too, or lists of
them when the key repeats. A model, a mapping or a list of models there is a
mistake in the declaration, reported at once (as an ``AssertionError``, as
FastAPI does) instead of failing every request.
"""

from typing import Annotated, Any

import pytest
from pydantic import BaseModel

from zephyr import Header, Query, Zephyr
from zephyr.api_exceptions import InvalidParameterError, ZephyrError
from zephyr.testclient import TestClient


class Item(BaseModel):
    title: str


@pytest.mark.parametrize(
    "annotation", [list[Item], tuple[Item, Item], dict[str, Item], list, set, dict]
)
def test_path_parameters_must_be_scalars(annotation: Any) -> None:
    app = Zephyr()

    def read(item_id: annotation) -> None: ...  # type: ignore[valid-type]

    with pytest.raises(InvalidParameterError, match="item_id") as caught:
        app.get("/items/{item_id}")(read)
    assert isinstance(caught.value, AssertionError)
    assert isinstance(caught.value, ZephyrError)


@pytest.mark.parametrize("annotation", [list[Item], dict[str, Item], dict | None])
def test_query_parameters_must_be_scalars_or_lists_of_them(annotation: Any) -> None:
    app = Zephyr()

    def read(q: Annotated[annotation, Query()] = None) -> None: ...  # type: ignore[valid-type]

    # The message names the parameter and says its type is not supported, as FastAPI's does.
    with pytest.raises(InvalidParameterError, match="'q' must be one of the supported types"):
        app.get("/items")(read)


def test_scalars_and_lists_of_scalars_are_accepted() -> None:
    app = Zephyr()

    @app.get("/items/{item_id}")
    def read(
        item_id: int,
        tag: Annotated[list[str], Query()] = [],  # noqa: B006
        token: Annotated[str | None, Header()] = None,
    ) -> dict[str, Any]:
        return {"item_id": item_id, "tag": tag, "token": token}

    response = TestClient(app).get("/items/3?tag=a&tag=b", headers={"token": "t"})
    assert response.json() == {"item_id": 3, "tag": ["a", "b"], "token": "t"}
