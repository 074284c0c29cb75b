"""The per-request shortcuts (JSON returns, parameter extraction) match the general code.

Each shortcut has a fallback; both sides are checked here, against FastAPI
itself where the behaviour is FastAPI's.
"""

from __future__ import annotations

import datetime
import json
import types
from typing import Any

import pydantic
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


PARAMS_SOURCE = """
import enum
import uuid
from typing import Annotated

from fastapi import FastAPI, Form, Header, Query
from pydantic import AfterValidator, BaseModel

app = FastAPI()


class Mode(str, enum.Enum):
    A = "a"
    B = "b"


@app.get("/conv/{a}/{b:int}/{c:float}/{d:uuid}/{e:path}")
async def convertors(a: str, b: int, c: float, d: uuid.UUID, e: str):
    return {"a": a, "b": b, "c": c, "d": str(d), "e": e}


@app.get("/typed/{item_id}")
async def typed(item_id: int, q: str | None = None, limit: int = 10):
    return {"item_id": item_id, "q": q, "limit": limit}


@app.get("/clash/{item_id}")
async def clash(
    item_id: int,
    other: Annotated[str | None, Query(alias="item_id")] = None,
    n: Annotated[int, Query(ge=0)] = 0,
):
    return {"item_id": item_id, "other": other, "n": n}


@app.get("/listed/{item_id}")
async def listed(item_id: int, tags: Annotated[list[str], Query()] = []):
    return {"item_id": item_id, "tags": tags}


@app.get("/query")
async def query(
    made: Annotated[list[str], Query(default_factory=lambda: ["made"])],
    a: str | None = None,
    n: int = 10,
    flag: bool = False,
    mode: Mode = Mode.A,
    tags: Annotated[list[str], Query()] = [],
    nums: Annotated[list[int], Query()] = [1, 2],
    big: Annotated[int, Query(ge=1, alias="x-val")] = 1,
    doubled: Annotated[int, AfterValidator(lambda v: v * 2)] = 3,
):
    nums.append(99)  # a default must not leak into the next request
    return {
        "a": a, "n": n, "flag": flag, "mode": mode, "tags": tags, "nums": nums,
        "big": big, "doubled": doubled, "made": made,
    }


class Item(BaseModel):
    name: str
    price: float


@app.post("/mixed/{item_id}")
async def mixed(item_id: int, body: Item, q: int = 0, x_token: Annotated[int, Header()] = 0):
    return {"item_id": item_id, "q": q, "body": body, "x_token": x_token}


@app.post("/form/{item_id}")
async def form(item_id: int, name: Annotated[str, Form()], q: int = 0):
    return {"item_id": item_id, "q": q, "name": name}
"""

PARAM_URLS = [
    "/conv/x/1/2.5/12345678-1234-5678-1234-567812345678/p/q.txt",
    "/conv/%C3%A9/007/3/12345678-1234-5678-1234-567812345678/z",
    "/typed/42?q=hello&limit=5",
    "/typed/42",
    "/typed/x?limit=5",
    "/typed/42?limit=five&q=",
    "/typed/-3",
    "/typed/%C2%B2",
    "/clash/5?item_id=query-side&n=2",
    "/clash/5",
    "/clash/x?item_id=q&n=-1",
    "/clash/5?n=-1",
    "/listed/5?tags=a&tags=b",
    "/listed/x?tags=a",
    "/query",
    "/query",
    "/query?a=1&a=2&n=3&n=4",
    "/query?a=%20x+y%2B&n=+5",
    "/query?a=&n=",
    "/query?a&flag",
    "/query?flag=yes&mode=b&tags=a&tags=b&tags=&nums=5&nums=6",
    "/query?mode=c&nums=x",
    "/query?x-val=0",
    "/query?x-val=7&big=99&doubled=4",
    "/query?caf%C3%A9=1&a=caf%C3%A9&made=m",
    "/query?&&a=1&&=x",
]


@pytest.fixture(scope="module")
def param_apps() -> tuple[types.ModuleType, types.ModuleType]:
    pytest.importorskip("fastapi")
    oracle = load_app(PARAMS_SOURCE, "fastapi", "fast_params_oracle")
    ours = load_app(PARAMS_SOURCE, "zephyr", "fast_params_zephyr")
    return oracle, ours


@pytest.mark.parametrize("url", PARAM_URLS)
def test_parameters_read_like_fastapi(
    param_apps: tuple[types.ModuleType, types.ModuleType], url: str
) -> None:
    oracle, ours = param_apps
    expected = fastapi_client(oracle.app).get(url)
    got = zephyr_client(ours.app).get(url)
    assert (got.status_code, got.json()) == (expected.status_code, expected.json())


def test_dict_validator_gives_the_model_values() -> None:
    from pydantic import Field

    from zephyr.dependencies.dictschema import dict_validator

    model = pydantic.create_model(
        "M",
        f0=(int, Field(alias="a")),
        f1=(list[int], Field([1], alias="b")),
        f2=(str, Field(default_factory=lambda: "made", alias="c")),
        f3=(int, Field(0, ge=0, alias="d")),
    )
    twin = dict_validator(model)
    assert twin is not None
    data = {"a": "5", "d": "3"}
    assert twin.validate_python(data) == model.model_validate(data).__dict__
    first, second = twin.validate_python(data), twin.validate_python(data)
    assert first["f1"] == [1] and first["f1"] is not second["f1"]
    with pytest.raises(pydantic.ValidationError):
        twin.validate_python({"a": "5", "d": "-1"})


def test_dict_validator_declines_other_model_shapes() -> None:
    from zephyr.dependencies.dictschema import dict_validator

    class Forbid(pydantic.BaseModel):
        model_config = pydantic.ConfigDict(extra="forbid")
        x: int = 0

    class Computed(pydantic.BaseModel):
        x: int = 0

        @pydantic.computed_field  # type: ignore[prop-decorator]
        @property
        def y(self) -> int:
            return self.x

    class Root(pydantic.RootModel[int]):
        pass

    assert dict_validator(Forbid) is None
    assert dict_validator(Computed) is None
    assert dict_validator(Root) is None


@pytest.mark.parametrize(
    ("url", "kwargs"),
    [
        ("/mixed/1?q=2", {"json": {"name": "a", "price": 1}, "headers": {"x-token": "3"}}),
        ("/mixed/x?q=y", {"json": {"name": "a"}, "headers": {"x-token": "z"}}),
        ("/mixed/1", {"content": b"{", "headers": {"content-type": "application/json"}}),
        ("/mixed/1", {}),
        ("/form/1?q=2", {"data": {"name": "n"}}),
        ("/form/x?q=y", {"data": {}}),
    ],
)
def test_path_query_header_errors_join_body_errors_like_fastapi(
    param_apps: tuple[types.ModuleType, types.ModuleType], url: str, kwargs: dict[str, Any]
) -> None:
    oracle, ours = param_apps
    expected = fastapi_client(oracle.app).post(url, **kwargs)
    got = zephyr_client(ours.app).post(url, **kwargs)
    assert (got.status_code, got.json()) == (expected.status_code, expected.json())


def test_path_and_query_validated_together_only_when_plain(
    param_apps: tuple[types.ModuleType, types.ModuleType],
) -> None:
    _, ours = param_apps
    plans = {route.path: route.plan for route in ours.app.routes if hasattr(route, "plan")}
    assert plans["/typed/{item_id}"].inputs is not None
    assert plans["/clash/{item_id}"].inputs is not None
    assert plans["/listed/{item_id}"].inputs is None  # a list needs getlist()
    assert plans["/query"].inputs is None  # no path parameters
