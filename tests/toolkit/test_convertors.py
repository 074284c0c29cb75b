"""Path convertors: matching, conversion, URL building, registration."""

from __future__ import annotations

import json
import uuid
from datetime import date

import pytest

from tests.toolkit._asgi import call
from zephyr.convertors import (
    CONVERTOR_TYPES,
    Convertor,
    FloatConvertor,
    IntegerConvertor,
    PathConvertor,
    StringConvertor,
    UUIDConvertor,
    register_url_convertor,
)
from zephyr.responses import JSONResponse
from zephyr.routing import Route, Router


def test_builtin_keys() -> None:
    assert {"str", "int", "float", "uuid", "path"} <= set(CONVERTOR_TYPES)


def test_conversions_and_round_trip() -> None:
    assert IntegerConvertor().convert("42") == 42
    assert IntegerConvertor().to_string(7) == "7"
    assert FloatConvertor().convert("1.5") == 1.5
    assert FloatConvertor().to_string(0.00001) == "0.00001"
    assert FloatConvertor().to_string(2.0) == "2"
    value = uuid.uuid4()
    assert UUIDConvertor().convert(str(value).upper()) == value
    assert UUIDConvertor().to_string(value) == str(value)
    assert PathConvertor().convert("a/b") == "a/b"
    assert StringConvertor().to_string("abc") == "abc"


@pytest.mark.parametrize(
    ("convertor", "value"),
    [
        (StringConvertor(), ""),
        (StringConvertor(), "a/b"),
        (IntegerConvertor(), -1),
        (FloatConvertor(), -1.0),
        (FloatConvertor(), float("nan")),
        (FloatConvertor(), float("inf")),
    ],
)
def test_to_string_rejects_unrepresentable(convertor: Convertor[object], value: object) -> None:
    with pytest.raises(ValueError):
        convertor.to_string(value)


async def echo(request):  # type: ignore[no-untyped-def]
    params = {k: [type(v).__name__, str(v)] for k, v in request.path_params.items()}
    return JSONResponse(params)


@pytest.mark.parametrize(
    ("template", "path", "expected"),
    [
        ("/i/{v:int}", "/i/12", {"v": ["int", "12"]}),
        ("/f/{v:float}", "/f/1.25", {"v": ["float", "1.25"]}),
        ("/f/{v:float}", "/f/3", {"v": ["float", "3.0"]}),
        ("/s/{v}", "/s/hello", {"v": ["str", "hello"]}),
        ("/s/{v:str}", "/s/x y", {"v": ["str", "x y"]}),
        (
            "/u/{v:uuid}",
            "/u/12345678-1234-5678-1234-567812345678",
            {"v": ["UUID", "12345678-1234-5678-1234-567812345678"]},
        ),
        ("/p/{v:path}", "/p/a/b/c.txt", {"v": ["str", "a/b/c.txt"]}),
        ("/p/{v:path}", "/p/", {"v": ["str", ""]}),
    ],
)
def test_convertor_matching(template: str, path: str, expected: dict[str, object]) -> None:
    result = call(Router([Route(template, echo)]), path)
    assert result.status == 200
    assert json.loads(result.body) == expected


@pytest.mark.parametrize(
    ("template", "path"),
    [
        ("/i/{v:int}", "/i/-1"),
        ("/i/{v:int}", "/i/1.5"),
        ("/i/{v:int}", "/i/"),
        ("/f/{v:float}", "/f/1."),
        ("/f/{v:float}", "/f/abc"),
        ("/u/{v:uuid}", "/u/not-a-uuid"),
        ("/s/{v}", "/s/a/b"),
        ("/s/{v}", "/s/"),
        ("/p/{v:path}", "/p"),
    ],
)
def test_convertor_rejects(template: str, path: str) -> None:
    assert call(Router([Route(template, echo)], redirect_slashes=False), path).status == 404


class DateConvertor(Convertor[date]):
    regex = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"

    def convert(self, value: str) -> date:
        return date.fromisoformat(value)

    def to_string(self, value: date) -> str:
        return value.isoformat()


def test_register_url_convertor() -> None:
    register_url_convertor("isodate", DateConvertor())
    try:
        router = Router([Route("/d/{day:isodate}", echo, name="day")])
        result = call(router, "/d/2024-02-29")
        assert result.status == 200
        assert b'"date"' in result.body
        assert call(router, "/d/2024-2-29").status == 404
        assert router.url_path_for("day", day=date(2020, 1, 2)) == "/d/2020-01-02"
    finally:
        del CONVERTOR_TYPES["isodate"]


def test_unknown_convertor_is_an_error() -> None:
    with pytest.raises(ValueError, match="Unknown path convertor"):
        Route("/x/{v:nope}", echo)


def test_duplicated_param_is_an_error() -> None:
    with pytest.raises(ValueError, match="Duplicated"):
        Route("/x/{v}/{v:int}", echo)
