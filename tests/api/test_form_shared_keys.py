"""Form parameters that read one key as different things, and partial form errors.

Two parameters may name one form key (an alias, a shared alias choice) and
read it differently: every value as a list and the last one alone, or an
upload as an ``UploadFile`` and as its bytes. Each gets its own value. When
one dependant's form inputs fail, the dependencies whose own inputs are fine
still run with their values (their errors, if any, come first).
"""

from __future__ import annotations

import types
from typing import Annotated, Any

import pytest
from pydantic import AfterValidator

from tests.api.conftest import fastapi_client, load_app, zephyr_client
from zephyr import Form, Zephyr

SOURCE = """
from typing import Annotated

from pydantic import AliasChoices, BaseModel, ConfigDict

from fastapi import Depends, FastAPI, File, Form, Request, UploadFile

app = FastAPI()


@app.post("/choices")
def choices(
    many: Annotated[list[int], Form(validation_alias=AliasChoices("many", "both"))],
    one: Annotated[int, Form(validation_alias=AliasChoices("one", "both"))],
):
    return {"many": many, "one": one}


def as_bytes(uploads: Annotated[list[bytes], File()]):
    return [content.decode() for content in uploads]


@app.post("/uploads")
async def uploads(
    decoded: Annotated[list[str], Depends(as_bytes)],
    uploads: Annotated[list[UploadFile], File()],
    last: Annotated[bytes, File(alias="uploads")],
):
    return {
        "decoded": decoded,
        "positions": [upload.file.tell() for upload in uploads],
        "read": [(await upload.read()).decode() for upload in uploads],
        "last": last.decode(),
    }


@app.post("/bytes")
async def read_bytes(request: Request, data: Annotated[bytes, File()]):
    form = await request.form()
    return [data.decode(), form["data"].file.tell()]


class Account(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user: str


class Settings(BaseModel):
    size: int = 5


calls = []


def settings(data: Annotated[Settings, Form()]):
    calls.append(data.size)
    return data.size


@app.post("/partial")
def partial(account: Annotated[Account, Form()], size: Annotated[int, Depends(settings)]):
    return {"account": account, "size": size}
"""

CHOICE_CASES: list[dict[str, Any]] = [
    {"both": ["1", "2"]},
    {"many": ["1"], "both": "3"},
    {"one": "4", "both": ["1", "2"]},
    {"both": ["x", "2"]},
    {"both": ["1", "y"]},
    {"one": "z"},
    {},
]


@pytest.fixture(scope="module")
def shared_apps() -> tuple[types.ModuleType, types.ModuleType]:
    pytest.importorskip("fastapi")
    return load_app(SOURCE, "fastapi", "oracle_shared_form"), load_app(
        SOURCE, "zephyr", "zephyr_shared_form"
    )


@pytest.mark.parametrize("data", CHOICE_CASES, ids=[str(d) for d in CHOICE_CASES])
def test_shared_choice_matches_fastapi(
    shared_apps: tuple[types.ModuleType, types.ModuleType], data: dict[str, Any]
) -> None:
    oracle, ours = shared_apps
    expected = fastapi_client(oracle.app).post("/choices", data=data)
    actual = zephyr_client(ours.app).post("/choices", data=data)
    assert (actual.status_code, actual.json()) == (expected.status_code, expected.json())


def test_a_list_and_a_single_value_share_a_key() -> None:
    client = zephyr_client(load_app(SOURCE, "zephyr", "zephyr_shared_choices").app)
    response = client.post("/choices", data={"both": ["1", "2"]})
    assert response.json() == {"many": [1, 2], "one": 2}
    # An error names the key that was sent, not the parameter's first choice.
    response = client.post("/choices", data={"many": ["1"], "both": "x"})
    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [["body", "both"]]


@pytest.mark.parametrize("content", [b"", b"two"])
def test_an_upload_read_as_file_and_as_bytes(content: bytes) -> None:
    client = zephyr_client(load_app(SOURCE, "zephyr", "zephyr_shared_uploads").app)
    files = [("uploads", ("a.txt", b"one")), ("uploads", ("b.txt", content))]
    response = client.post("/uploads", files=files)
    assert response.status_code == 200, response.text
    text = content.decode()
    # Reading the bytes for one parameter leaves the UploadFile rewound for another.
    assert response.json() == {
        "decoded": ["one", text],
        "positions": [0, 0],
        "read": ["one", text],
        "last": text,
    }
    # The same for the form's own upload, as ``request.form()`` gives it.
    assert client.post("/bytes", files={"data": ("d.txt", b"abc")}).json() == ["abc", 0]
    missing = client.post("/uploads", data={"other": "x"}).json()["detail"]
    assert {tuple(error["loc"]) for error in missing} == {("body", "uploads")}


def test_a_dependency_with_valid_form_inputs_runs_when_another_fails() -> None:
    module = load_app(SOURCE, "zephyr", "zephyr_partial_form")
    client = zephyr_client(module.app)
    assert client.post("/partial", data={"user": "u"}).json() == {
        "account": {"user": "u"},
        "size": 5,
    }
    response = client.post("/partial", data={"user": "u", "size": "7"})
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "type": "extra_forbidden",
            "loc": ["body", "size"],
            "msg": "Extra inputs are not permitted",
            "input": "7",
        }
    ]
    # The dependency ran both times, with the value its own model validated.
    assert module.calls == [5, 7]


def test_partial_form_errors_match_fastapi(
    shared_apps: tuple[types.ModuleType, types.ModuleType],
) -> None:
    oracle, ours = shared_apps
    for data in ({"user": "u"}, {"user": "u", "size": "7"}, {"size": "x"}):
        expected = fastapi_client(oracle.app).post("/partial", data=data)
        actual = zephyr_client(ours.app).post("/partial", data=data)
        assert (actual.status_code, actual.json()) == (expected.status_code, expected.json())
    assert ours.calls == oracle.calls


made: list[int] = []


def _factory() -> int:
    made.append(1)
    return 0


def _positive(value: int) -> int:
    if value <= 0:
        raise ValueError("must be positive")
    return value


Count = Annotated[
    int, AfterValidator(_positive), Form(default_factory=_factory, validate_default=True)
]


def test_a_default_factory_runs_once_on_the_error_path() -> None:
    app = Zephyr()

    @app.post("/")
    def endpoint(count: Count, name: Annotated[str, Form()] = "n") -> int:
        return count

    made.clear()
    response = zephyr_client(app).post("/")
    assert response.status_code == 422
    assert made == [1]
