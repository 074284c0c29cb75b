"""Advanced, stream data: with a ``StreamingResponse`` class, yielded chunks are the body.

A generator path operation declaring ``response_class=StreamingResponse`` (or a
subclass naming its media type) sends each yielded ``str``/``bytes`` as it is:
no JSON Lines framing, no validation against the item type, and the OpenAPI
document shows a string of the class's media type.
"""

from collections.abc import AsyncIterator, Iterable
from typing import Any

from tests.guide.conftest import operation
from zephyr import Zephyr
from zephyr.responses import StreamingResponse

app = Zephyr()

CHUNKS = [b"\x89PNG\r\n", b"\x00\xff\xfe", b"end"]


class OctetStream(StreamingResponse):
    media_type = "application/octet-stream"


@app.get("/words", response_class=StreamingResponse)
async def words() -> AsyncIterator[str]:
    for word in ("héllo", " ", "wörld"):
        yield word


@app.get("/blob", response_class=OctetStream)
def blob() -> Iterable[bytes]:
    yield from CHUNKS


@app.get("/untyped", response_class=OctetStream)
async def untyped():  # no annotation: still raw
    for chunk in CHUNKS:
        yield chunk


@app.get("/mixed", response_class=StreamingResponse)
def mixed() -> Iterable[int]:  # the annotation is not enforced on raw chunks
    yield "text "
    yield b"bytes"


def test_str_chunks_are_utf8_text(client: Any) -> None:
    response = client.get("/words")
    assert response.status_code == 200
    assert response.content == "héllo wörld".encode()


def test_bytes_chunks_keep_every_byte(client: Any) -> None:
    for path in ("/blob", "/untyped"):
        response = client.get(path)
        assert response.headers["content-type"] == "application/octet-stream"
        assert response.content == b"".join(CHUNKS)


def test_item_annotation_is_not_validated(client: Any) -> None:
    assert client.get("/mixed").content == b"text bytes"


def test_openapi_documents_a_string_of_the_media_type(client: Any) -> None:
    content = operation(client, "/blob")["responses"]["200"]["content"]
    assert content == {"application/octet-stream": {"schema": {"type": "string"}}}
    # StreamingResponse itself names no media type: no content is documented.
    assert "content" not in operation(client, "/words")["responses"]["200"]
