"""ORJSONResponse and UJSONResponse: FastAPI's JSON variants, with and without their library.

Both are deprecated (as in FastAPI 0.165): making one warns, and the tests
of what they render ignore that warning.
"""

from __future__ import annotations

from typing import Any

import pytest

from zephyr import responses
from zephyr.api_exceptions import ZephyrDeprecationWarning
from zephyr.responses import JSONResponse, ORJSONResponse, UJSONResponse

pytestmark = pytest.mark.filterwarnings("ignore::zephyr.api_exceptions.ZephyrDeprecationWarning")

VALUES: list[Any] = [
    {"message": "Hello, World!"},
    [1, 2.5, None, True, "é", {"nested": ["x"]}],
    {"big": 2**53, "neg": -0.5, "empty": {}},
]


@pytest.mark.parametrize("value", VALUES)
def test_orjson_bytes_are_orjsons(value: Any) -> None:
    orjson = pytest.importorskip("orjson")
    expected = orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY)
    assert ORJSONResponse(value).body == expected
    assert ORJSONResponse({1: "non-str key"}).body == b'{"1":"non-str key"}'


@pytest.mark.parametrize("cls", [ORJSONResponse, UJSONResponse])
@pytest.mark.parametrize("value", VALUES)
def test_without_the_library_the_body_is_zephyrs_json(
    cls: type[JSONResponse], value: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(responses, "_optional_module", lambda name: None)
    response = cls(value, status_code=201, headers={"x-a": "1"})
    assert response.body == JSONResponse(value).body
    assert response.status_code == 201
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-a"] == "1"


def test_default_response_class_of_an_api_app() -> None:
    from zephyr import FastAPI
    from zephyr.testclient import TestClient

    app = FastAPI(default_response_class=ORJSONResponse)

    @app.get("/items/{item_id}")
    def read(item_id: int) -> dict[str, Any]:
        return {"id": item_id, "tags": ["a"]}

    response = TestClient(app).get("/items/3")
    assert response.status_code == 200
    assert response.json() == {"id": 3, "tags": ["a"]}
    assert response.headers["content-type"] == "application/json"


@pytest.mark.filterwarnings("default::zephyr.api_exceptions.ZephyrDeprecationWarning")
@pytest.mark.parametrize("cls", [ORJSONResponse, UJSONResponse])
def test_making_one_warns_that_it_is_deprecated(cls: type[JSONResponse]) -> None:
    with pytest.warns(ZephyrDeprecationWarning, match=rf"^{cls.__name__} is deprecated") as seen:
        response = cls({"a": 1})
    assert response.body == b'{"a":1}'
    assert seen[0].filename == __file__  # the warning points at the caller's line


def test_json_response_itself_does_not_warn() -> None:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        JSONResponse({"a": 1})
