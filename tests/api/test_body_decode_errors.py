"""Every body extractor against undecodable and truncated input, next to FastAPI.

One table: JSON models, embedded bodies, ``Body()`` scalars, urlencoded and
multipart forms, uploads and ``Request`` reads. Each row is sent to the same
app on fastapi (the oracle) and on zephyr; the status and body must match,
except in the rows listed in ``DIFFERENT`` (zephyr answers a clear 4xx where
FastAPI crashes with a 500 or drops a truncated part silently).

Before the fix, every undecodable JSON row answered 500 (``json.loads``
raised ``UnicodeDecodeError``).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import fastapi_client, load_app, zephyr_client

SOURCE = """
from typing import Annotated

from pydantic import BaseModel
from fastapi import Body, FastAPI, File, Form, Request, UploadFile


class Item(BaseModel):
    name: str
    price: float = 1.0


app = FastAPI()


@app.post("/json")
def json_model(item: Item):
    return item


@app.post("/embed")
def embedded(item: Item, other: Item):
    return [item, other]


@app.post("/scalar")
def scalar(x: Annotated[int, Body()]):
    return x


@app.post("/text")
def text(x: Annotated[str, Body()]):
    return x


@app.post("/optional")
def optional(x: Annotated[dict | None, Body()] = None):
    return x


@app.post("/form")
def form(name: Annotated[str, Form()], price: Annotated[float, Form()] = 1.0):
    return [name, price]


@app.post("/upload")
async def upload(f: Annotated[UploadFile, File()], name: Annotated[str, Form()] = "n"):
    return [f.filename, len(await f.read()), name]


@app.post("/raw")
async def raw(request: Request):
    return len(await request.body())


@app.post("/raw-form")
async def raw_form(request: Request):
    return sorted((await request.form()).items())
"""

JSON = {"content-type": "application/json"}
URLENCODED = {"content-type": "application/x-www-form-urlencoded"}
MULTIPART = {"content-type": "multipart/form-data; boundary=XyZ"}
UNDECODABLE = bytes.fromhex("551e2313ff5dfe")  # the bytes of the report
FIELD = b'Content-Disposition: form-data; name="name"\r\n\r\n'
FILE = b'Content-Disposition: form-data; name="f"; filename="a.txt"\r\n\r\n'


def multipart(*parts: bytes, closed: bool = True) -> bytes:
    body = b"".join(b"--XyZ\r\n" + part for part in parts)
    return body + (b"--XyZ--\r\n" if closed else b"")


TOO_DEEP = b"[" * 100_000 + b"]" * 100_000

CASES: dict[str, tuple[str, dict[str, str], bytes]] = {
    "json-undecodable": ("/json", JSON, UNDECODABLE),
    "json-undecodable-in-string": ("/json", JSON, b'{"name": "\xff"}'),
    "json-undecodable-after-value": ("/json", JSON, b'{"name": "x"}\xff'),
    "json-truncated": ("/json", JSON, b'{"name": "x"'),
    "json-utf16": ("/json", JSON, '{"name":"x"}'.encode("utf-16")),
    "json-bom": ("/json", JSON, b'\xef\xbb\xbf{"name":"x"}'),
    # Nesting too deep for json.loads (a RecursionError): a 400, not a 500.
    "json-nested-too-deep": ("/json", JSON, TOO_DEEP),
    "embed-undecodable": ("/embed", JSON, UNDECODABLE),
    "embed-nested-too-deep": ("/embed", JSON, TOO_DEEP),
    "embed-truncated": ("/embed", JSON, b'{"item": {"name": "x"}, "other": {'),
    "scalar-undecodable": ("/scalar", JSON, b"\xff"),
    "scalar-trailing-byte": ("/scalar", JSON, b"12\xff"),
    "text-undecodable-json": ("/text", JSON, b'"\xff"'),
    "text-undecodable-plain": ("/text", {"content-type": "text/plain"}, b"\xff\xfe"),
    "optional-undecodable": ("/optional", JSON, b"\xff"),
    "optional-truncated": ("/optional", JSON, b"{"),
    "form-raw-byte": ("/form", URLENCODED, b"name=\xff&price=2"),
    "form-bad-escape": ("/form", URLENCODED, b"name=%FF&price=%zz"),
    "form-name-only": ("/form", URLENCODED, b"name"),
    "multipart-undecodable-value": ("/form", MULTIPART, multipart(FIELD + b"\xff\xfe\r\n")),
    "multipart-undecodable-name": (
        "/form",
        MULTIPART,
        multipart(b'Content-Disposition: form-data; name="\xff"\r\n\r\nv\r\n'),
    ),
    "multipart-unclosed": ("/form", MULTIPART, multipart(FIELD + b"v\r\n", closed=False)),
    "multipart-cut-in-value": ("/form", MULTIPART, multipart(FIELD + b"va")),
    "multipart-not-multipart": ("/form", MULTIPART, b"garbage"),
    "upload-cut-in-file": ("/upload", MULTIPART, multipart(FILE + b"hel")),
    "upload-undecodable-filename": (
        "/upload",
        MULTIPART,
        multipart(b'Content-Disposition: form-data; name="f"; filename="\xff.txt"\r\n\r\nhi\r\n'),
    ),
    "upload-empty": ("/upload", MULTIPART, b""),
    "raw-undecodable": ("/raw", JSON, b"\xff"),
    "raw-form-raw-byte": ("/raw-form", URLENCODED, b"a=\xff"),
}

DIFFERENT: dict[str, tuple[int, str]] = {
    # FastAPI answers 500: its 422 body cannot echo the bytes.
    "text-undecodable-plain": (400, "There was an error parsing the body"),
    # FastAPI drops an unterminated part and validates what is left.
    "multipart-unclosed": (400, "truncated"),
    "multipart-cut-in-value": (400, "truncated"),
    "upload-cut-in-file": (400, "truncated"),
}

# Same status; zephyr's 400 detail names what the parser found.
WORDED: set[str] = {"multipart-not-multipart"}


@pytest.fixture(scope="module")
def clients() -> tuple[Any, Any]:
    pytest.importorskip("fastapi")
    theirs = load_app(SOURCE, "fastapi", "decode_oracle_app")
    ours = load_app(SOURCE, "zephyr", "decode_zephyr_app")
    return fastapi_client(theirs.app), zephyr_client(ours.app)


@pytest.mark.parametrize("case", sorted(CASES))
def test_answer_matches_fastapi(clients: tuple[Any, Any], case: str) -> None:
    path, headers, body = CASES[case]
    theirs, ours = (client.post(path, content=body, headers=headers) for client in clients)
    assert ours.status_code < 500, ours.text
    if case in DIFFERENT:
        status, detail = DIFFERENT[case]
        assert ours.status_code == status
        assert detail in ours.json()["detail"]
        return
    assert ours.status_code == theirs.status_code
    if case in WORDED:
        assert ours.json()["detail"].startswith("Malformed multipart body")
        return
    assert ours.json() == theirs.json()


def test_undecodable_json_detail(clients: tuple[Any, Any]) -> None:
    _, ours = clients
    response = ours.post("/items-unknown", content=UNDECODABLE, headers=JSON)
    assert response.status_code == 404
    response = ours.post("/json", content=UNDECODABLE, headers=JSON)
    assert response.status_code == 400
    assert response.json() == {"detail": "There was an error parsing the body"}
    # The connection-level answer is an ordinary JSON error, not a traceback page.
    assert response.headers["content-type"] == "application/json"
