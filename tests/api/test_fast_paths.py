"""The per-request shortcuts (JSON returns, parameter extraction) match the general code.

Each shortcut has a fallback; both sides are checked here, against FastAPI
itself where the behaviour is FastAPI's.
"""

from __future__ import annotations

import datetime
import json
import types
from typing import Any

import pytest

from tests.api.conftest import fastapi_client, load_app, zephyr_client
from zephyr.encoders import NATIVE, NOT_NATIVE, PLAIN, json_kind
from zephyr.responses import JSONResponse, plain_json_response

RETURNS_SOURCE = """
import datetime
import enum
import uuid
from decimal import Decimal

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class Color(enum.Enum):
    RED = "red"


class Point(BaseModel):
    x: float
    label: str = "p"


VALUES = {
    "plain": {"message": "Hello, World!"},
    "nested": {"a": [1, True, None, "x", {"b": [], "c": {}}], "big": 10**30},
    "text": {"s": "NaN Infinity 1e-7 \\u00e9 \\u2028 \\x7f \\x1f \\"q\\" \\\\"},
    "scalar": "just a string",
    "number": 42,
    "null": None,
    "list": [1, "two", False],
    "empty": {},
    "floats": {"f": 1.5e-7, "g": 1e16, "h": -0.0, "i": 2.5},
    "float_in_list": [[0.1, 1e-5]],
    "small_floats": {"a": 1e-5, "b": -3.5e-5, "c": 1.00001, "d": 0.00012, "e": "0.00001"},
    "decimal": {"d": Decimal("1.50"), "n": Decimal("3")},
    "datetime": {"at": datetime.datetime(2024, 1, 2, 3, 4, 5), "d": datetime.date(2024, 1, 2)},
    "timedelta": {"t": datetime.timedelta(seconds=90)},
    "set": {"s": {3}},
    "tuple": {"t": (1, 2)},
    "enum": {"c": Color.RED},
    "uuid": {"u": uuid.UUID(int=1)},
    "model": Point(x=1e-7),
    "model_text": Point(x=1.0, label="NaN"),
    "model_list": [Point(x=1e-5), {"y": 0.5}],
    "model_in_dict": {"p": Point(x=2.0), "n": 1},
    "int_key": {1: "one"},
    "text_and_datetime": {"s": "NaN", "at": datetime.date(2024, 1, 2)},
}


@app.get("/value/{name}")
async def value(name: str):
    return VALUES[name]


@app.get("/created", status_code=201)
async def created():
    return {"ok": True}


@app.get("/nothing", status_code=204)
async def nothing():
    return None
"""

NAMES = [
    "plain",
    "nested",
    "text",
    "scalar",
    "number",
    "null",
    "list",
    "empty",
    "floats",
    "float_in_list",
    "small_floats",
    "decimal",
    "datetime",
    "timedelta",
    "set",
    "tuple",
    "enum",
    "uuid",
    "model",
    "model_text",
    "model_list",
    "model_in_dict",
    "int_key",
    "text_and_datetime",
]


@pytest.fixture(scope="module")
def return_apps() -> tuple[types.ModuleType, types.ModuleType]:
    pytest.importorskip("fastapi")
    oracle = load_app(RETURNS_SOURCE, "fastapi", "fast_paths_oracle")
    ours = load_app(RETURNS_SOURCE, "zephyr", "fast_paths_zephyr")
    return oracle, ours


@pytest.mark.parametrize("name", NAMES)
def test_returned_values_encoded_like_fastapi(
    return_apps: tuple[types.ModuleType, types.ModuleType], name: str
) -> None:
    oracle, ours = return_apps
    expected = fastapi_client(oracle.app).get(f"/value/{name}")
    got = zephyr_client(ours.app).get(f"/value/{name}")
    assert got.status_code == expected.status_code == 200
    assert got.content == expected.content
    assert got.headers["content-length"] == expected.headers["content-length"]
    assert got.headers["content-type"] == expected.headers["content-type"]


@pytest.mark.parametrize("path", ["/created", "/nothing"])
def test_route_status_codes_like_fastapi(
    return_apps: tuple[types.ModuleType, types.ModuleType], path: str
) -> None:
    oracle, ours = return_apps
    expected = fastapi_client(oracle.app).get(path)
    got = zephyr_client(ours.app).get(path)
    assert (got.status_code, got.content) == (expected.status_code, expected.content)
    assert got.headers.get("content-length") == expected.headers.get("content-length")


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ({"a": [1, True, None, "x", {"b": []}]}, PLAIN),
        ([], PLAIN),
        ("s", PLAIN),
        ({"a": [1, {"b": 2.5}]}, NATIVE),
        (1.0, NATIVE),
        ([{"a": 1}, 0.5, {"b": "x"}], NATIVE),
        ({"a": [1, {"b": 2.5}], "c": {1}}, NOT_NATIVE),
        ([0.5, (1, 2)], NOT_NATIVE),
        ({1: "int key"}, NOT_NATIVE),
        ({"a": {2: "nested int key"}}, NOT_NATIVE),
        ((1, 2), NOT_NATIVE),
        (b"bytes", NOT_NATIVE),
    ],
)
def test_json_kind(value: Any, kind: int) -> None:
    assert json_kind(value) == kind


def test_json_kind_models_are_native() -> None:
    from pydantic import BaseModel

    class M(BaseModel):
        x: int = 1

    assert json_kind(M()) == NATIVE
    assert json_kind({"m": M()}) == NATIVE
    assert json_kind([M(), {1: 2}]) == NOT_NATIVE


@pytest.mark.parametrize(
    "content",
    [{"message": "Hello, World!"}, [1, "é", None, True], "NaN", 10**30, {}, "\x1f\u2028"],
)
@pytest.mark.parametrize("status", [200, 201, 204, 304, 101])
def test_plain_json_response_equals_json_response(content: Any, status: int) -> None:
    fast = plain_json_response(content, status)
    slow = JSONResponse(content, status_code=status)
    assert type(fast) is JSONResponse
    assert fast.body == slow.body
    assert fast.raw_headers == slow.raw_headers
    assert (fast.status_code, fast.background) == (slow.status_code, slow.background)
    assert fast.headers["content-type"] == "application/json"


@pytest.mark.parametrize(
    "content",
    [{"a": 1e-5}, [-2.5e-5, 0.5], {"s": "NaN", "at": datetime.date(2024, 1, 2)}, 1e-7],
)
def test_json_response_falls_back_to_json_dumps(content: Any) -> None:
    expected = json.dumps(
        content, default=str, ensure_ascii=False, allow_nan=False, separators=(",", ":")
    )
    assert JSONResponse(content).body == expected.encode()


def test_plain_json_response_unencodable_string_raises_like_json_response() -> None:
    with pytest.raises(UnicodeEncodeError):
        JSONResponse({"s": "\ud800"})
    with pytest.raises(UnicodeEncodeError):
        plain_json_response({"s": "\ud800"})
