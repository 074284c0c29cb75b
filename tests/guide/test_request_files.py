"""Tutorial, request files: bytes and UploadFile parameters, optional and multiple files."""

from typing import Annotated, Any

from tests.guide.conftest import operation, schema
from zephyr import File, UploadFile, Zephyr

app = Zephyr()


@app.post("/checksum")
async def checksum(blob: Annotated[bytes, File()]) -> dict[str, int]:
    return {"size": len(blob), "sum": sum(blob) % 256}


@app.post("/upload")
async def upload(document: UploadFile) -> dict[str, Any]:
    head = await document.read(5)
    rest = await document.read()
    await document.seek(0)
    again = await document.read()
    return {
        "filename": document.filename,
        "content_type": document.content_type,
        "head": head.decode(),
        "size": len(head) + len(rest),
        "reread": len(again),
    }


@app.post("/maybe")
async def maybe(attachment: UploadFile | None = None) -> dict[str, Any]:
    if attachment is None:
        return {"attached": False}
    return {"attached": True, "name": attachment.filename}


@app.post("/album")
async def album(
    pictures: Annotated[list[UploadFile], File(description="Several pictures")],
) -> dict[str, Any]:
    return {"names": [p.filename for p in pictures], "sizes": [p.size for p in pictures]}


@app.post("/raw-many")
async def raw_many(chunks: Annotated[list[bytes], File()]) -> dict[str, list[int]]:
    return {"sizes": [len(c) for c in chunks]}


def test_bytes_file(client: Any) -> None:
    response = client.post("/checksum", files={"blob": ("a.bin", b"\x01\x02\xff")})
    assert response.status_code == 200
    assert response.json() == {"size": 3, "sum": 2}


def test_upload_file(client: Any) -> None:
    files = {"document": ("report.txt", b"hello upload", "text/plain")}
    response = client.post("/upload", files=files)
    assert response.json() == {
        "filename": "report.txt",
        "content_type": "text/plain",
        "head": "hello",
        "size": 12,
        "reread": 12,
    }


def test_optional_file(client: Any) -> None:
    assert client.post("/maybe").json() == {"attached": False}
    with_file = client.post("/maybe", files={"attachment": ("x.csv", b"a,b")})
    assert with_file.json() == {"attached": True, "name": "x.csv"}


def test_multiple_files(client: Any) -> None:
    files = [("pictures", ("a.png", b"aaaa")), ("pictures", ("b.png", b"bb"))]
    assert client.post("/album", files=files).json() == {
        "names": ["a.png", "b.png"],
        "sizes": [4, 2],
    }
    raw = [("chunks", ("1", b"x")), ("chunks", ("2", b"yyy"))]
    assert client.post("/raw-many", files=raw).json() == {"sizes": [1, 3]}


def test_missing_file(client: Any) -> None:
    response = client.post("/upload")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {"type": "missing", "loc": ["body", "document"], "msg": "Field required", "input": None}
        ]
    }


def test_text_instead_of_file(client: Any) -> None:
    response = client.post("/upload", data={"document": "just text"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "value_error",
                "loc": ["body", "document"],
                "msg": "Value error, Expected UploadFile, received: <class 'str'>",
                "input": "just text",
                "ctx": {"error": {}},
            }
        ]
    }


def test_openapi_file_schemas(client: Any) -> None:
    body = operation(client, "/upload", "post")["requestBody"]
    assert body["content"] == {
        "multipart/form-data": {"schema": {"$ref": "#/components/schemas/Body_upload_upload_post"}}
    }
    assert schema(client, "Body_upload_upload_post")["properties"]["document"] == {
        "type": "string",
        "contentMediaType": "application/octet-stream",
        "title": "Document",
    }
    assert schema(client, "Body_album_album_post")["properties"]["pictures"] == {
        "type": "array",
        "items": {"type": "string", "contentMediaType": "application/octet-stream"},
        "title": "Pictures",
        "description": "Several pictures",
    }
    maybe = schema(client, "Body_maybe_maybe_post")["properties"]["attachment"]
    assert maybe == {
        "anyOf": [
            {"type": "string", "contentMediaType": "application/octet-stream"},
            {"type": "null"},
        ],
        "title": "Attachment",
    }
