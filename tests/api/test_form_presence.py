"""What counts as "sent" in a form: empty fields, unselected file inputs, an empty body.

An empty text field is absent for its own value, but it still tells that the
form model it belongs to was sent. A file input with no file chosen (an empty
``filename`` and no content, as browsers send it) is no file at all. A
multipart request with no bytes is an empty form.
"""

from typing import Annotated, Any

import pytest
from pydantic import BaseModel, ConfigDict, Field, model_validator

from zephyr import File, Form, Header, UploadFile, Zephyr
from zephyr.testclient import TestClient

BOUNDARY = "multipart/form-data; boundary=b0undary"


def _unselected(*names: str) -> bytes:
    parts = b"".join(
        b"--b0undary\r\n"
        b'Content-Disposition: form-data; name="' + name.encode() + b'"; filename=""\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n\r\n"
        for name in names
    )
    return parts + b"--b0undary--\r\n"


class Shipping(BaseModel):
    street: str
    floor: int = 0


def test_an_empty_field_of_an_optional_model_sends_the_model() -> None:
    app = Zephyr()

    @app.post("/")
    def ship(shipping: Annotated[Shipping | None, Form()] = None) -> Any:
        return shipping

    client = TestClient(app)
    assert client.post("/").json() is None
    response = client.post("/", data={"floor": ""})
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["body", "street"]]
    assert client.post("/", data={"street": "Main"}).json() == {"street": "Main", "floor": 0}


def test_required_nullable_model_takes_defaults_when_a_field_is_sent_empty() -> None:
    class Note(BaseModel):
        text: str = "none"

    app = Zephyr()

    @app.post("/")
    def note(note: Annotated[Note | None, Form()]) -> Any:
        return note

    client = TestClient(app)
    assert client.post("/").status_code == 422
    assert client.post("/", data={"text": ""}).json() == {"text": "none"}


def test_a_form_model_validator_sees_the_whole_form() -> None:
    seen: list[dict[str, Any]] = []

    class Options(BaseModel):
        level: int = 1

        @model_validator(mode="before")
        @classmethod
        def record(cls, value: Any) -> Any:
            seen.append(dict(value))
            return value

    app = Zephyr()

    @app.post("/")
    def send(options: Annotated[Options, Form()], token: Annotated[str, Form()]) -> Any:
        return options

    response = TestClient(app).post("/", data={"level": "", "token": "t"})
    assert response.json() == {"level": 1}
    # The empty field is left out; the sibling field is there.
    assert seen == [{"token": "t"}]


@pytest.mark.parametrize("path", ["/bytes", "/upload"])
def test_unselected_file_inputs_are_absent(path: str) -> None:
    app = Zephyr()

    @app.post("/bytes")
    def by_bytes(
        one: Annotated[bytes | None, File()] = None,
        many: Annotated[list[bytes] | None, File()] = None,
    ) -> Any:
        return [one, many]

    @app.post("/upload")
    def by_upload(
        one: Annotated[UploadFile | None, File()] = None,
        many: Annotated[list[UploadFile] | None, File()] = None,
    ) -> Any:
        return [one, many]

    client = TestClient(app)
    content = _unselected("one", "many", "many")
    response = client.post(path, content=content, headers={"content-type": BOUNDARY})
    assert response.json() == [None, None]
    # No bytes at all is an empty form, not a malformed one.
    response = client.post(path, content=b"", headers={"content-type": BOUNDARY})
    assert response.status_code == 200
    assert response.json() == [None, None]


def test_required_file_left_unselected_is_missing() -> None:
    app = Zephyr()

    @app.post("/")
    def upload(doc: Annotated[UploadFile, File()]) -> None: ...

    response = TestClient(app).post(
        "/", content=_unselected("doc"), headers={"content-type": BOUNDARY}
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "missing"


def test_file_list_keeps_text_parts_and_drops_unselected_ones() -> None:
    app = Zephyr()

    @app.post("/")
    def upload(parts: Annotated[list[bytes], File()]) -> list[int]:
        return [len(p) for p in parts]

    response = TestClient(app).post(
        "/",
        files=[
            ("parts", (None, "")),
            ("parts", (None, "text")),
            ("parts", ("a.txt", b"hello")),
        ],
    )
    assert response.json() == [0, 4, 5]
    body = (
        b"--b0undary\r\n"
        b'Content-Disposition: form-data; name="parts"; filename=""\r\n\r\n\r\n'
        b"--b0undary\r\n"
        b'Content-Disposition: form-data; name="parts"; filename="b.txt"\r\n\r\nabc\r\n'
        b"--b0undary--\r\n"
    )
    response = TestClient(app).post("/", content=body, headers={"content-type": BOUNDARY})
    assert response.json() == [3]


def test_header_model_with_loc_by_alias_off_reports_field_names() -> None:
    class Limits(BaseModel):
        model_config = ConfigDict(loc_by_alias=False)
        max_items: int
        page_size: Annotated[int, Field(alias="x-page")]

    app = Zephyr()

    @app.get("/")
    def read(limits: Annotated[Limits, Header()]) -> Any:
        return limits

    client = TestClient(app)
    assert client.get("/", headers={"max-items": "1", "x-page": "2"}).json() == {
        "max_items": 1,
        "x-page": 2,
    }
    response = client.get("/")
    assert [e["loc"] for e in response.json()["detail"]] == [
        ["header", "max_items"],
        ["header", "page_size"],
    ]
