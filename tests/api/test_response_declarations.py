"""What a path operation declares about its responses is checked when it is declared.

* A response model Pydantic cannot make a schema of (a plain class, a list of
  them, a ``Response`` in a union return annotation), as ``response_model``
  or as a ``responses`` entry's ``model``, is a ``ZephyrError`` at decoration
  time, naming the route and the way out (``response_model=None``).
* ``responses`` keys are status codes, ranges or ``default``: ranges are
  spelled upper case in the document and described by their class
  (``"5XX"``: "Server Error"), ``default`` as "Default Response"; any other
  key makes ``/openapi.json`` fail with a ``ValueError`` naming it.
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from zephyr import Zephyr
from zephyr.api_exceptions import ZephyrError
from zephyr.responses import Response
from zephyr.testclient import TestClient


class Plain:
    pass


class Problem(BaseModel):
    detail: str


@pytest.mark.parametrize(
    "options",
    [
        {"response_model": Plain},
        {"response_model": list[Plain]},
        {"responses": {500: {"model": Plain}}},
        {"responses": {"4XX": {"model": dict[str, Plain]}}},
    ],
)
def test_model_without_schema_fails_at_declaration(options: dict[str, Any]) -> None:
    app = Zephyr()
    with pytest.raises(ZephyrError) as info:

        @app.get("/things", **options)
        def things() -> None:
            pass

    message = str(info.value)
    assert "'things'" in message and "/things" in message
    assert "response_model=None" in message


def test_union_with_a_response_class_needs_response_model_none() -> None:
    app = Zephyr()
    with pytest.raises(ZephyrError, match="not a valid Pydantic field type"):

        @app.get("/maybe")
        def maybe() -> Response | dict[str, str]:
            return {}

    @app.get("/fine", response_model=None)
    def fine() -> Response | dict[str, str]:
        return {"ok": "yes"}

    assert TestClient(app).get("/fine").json() == {"ok": "yes"}


def test_range_and_default_keys() -> None:
    app = Zephyr()

    @app.get("/r", responses={"5xx": {"model": Problem}, "default": {}, "4XX": {}, 418: {}})
    def r() -> str:
        return "r"

    responses = TestClient(app).get("/openapi.json").json()["paths"]["/r"]["get"]["responses"]
    assert set(responses) == {"200", "5XX", "4XX", "418", "default"}
    assert responses["5XX"]["description"] == "Server Error"
    assert responses["5XX"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Problem"
    }
    assert responses["4XX"]["description"] == "Client Error"
    assert responses["default"]["description"] == "Default Response"
    assert responses["418"]["description"] == "I'm a Teapot"


@pytest.mark.parametrize("key", ["hello", "600", "99", "6XX"])
def test_other_keys_fail_the_document(key: str) -> None:
    app = Zephyr()

    @app.get("/bad", responses={key: {"description": "?"}})
    def bad() -> str:
        return "bad"

    with pytest.raises(ValueError, match=f"'{key}'"):
        TestClient(app).get("/openapi.json")
