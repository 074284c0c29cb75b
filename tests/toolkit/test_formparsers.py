"""Tests for zephyr.formparsers (urlencoded and multipart, limits, spooling)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from zephyr import formparsers
from zephyr.datastructures import FormData, Headers, UploadFile
from zephyr.formparsers import FormParser, MultiPartException, MultiPartParser

BOUNDARY = "----zephyrBoundary"


def multipart_body(parts: list[tuple[str, bytes, str | None, str | None]]) -> bytes:
    """Encode ``(name, data, filename, content_type)`` parts as multipart/form-data."""
    out = b""
    for name, data, filename, content_type in parts:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        out += f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n".encode()
        if content_type:
            out += f"Content-Type: {content_type}\r\n".encode()
        out += b"\r\n" + data + b"\r\n"
    return out + f"--{BOUNDARY}--\r\n".encode()


async def chunks(data: bytes, size: int) -> AsyncIterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]
    yield b""


def mp_headers(boundary: str = BOUNDARY) -> Headers:
    return Headers({"content-type": f"multipart/form-data; boundary={boundary}"})


def parse(data: bytes, chunk_size: int = 1 << 16, **limits: Any) -> FormData:
    parser = MultiPartParser(mp_headers(), chunks(data, chunk_size), **limits)
    return asyncio.run(parser.parse())


SAMPLE = multipart_body(
    [
        ("title", "héllo".encode(), None, None),
        ("doc", b"file contents\r\nwith CRLF", "notes.txt", "text/plain"),
        ("title", b"second", None, None),
        ("empty", b"", "empty.bin", "application/octet-stream"),
    ]
)


@pytest.mark.parametrize("chunk_size", [1, 7, 1 << 16])
def test_multipart_fields_and_files(chunk_size: int) -> None:
    form = parse(SAMPLE, chunk_size)
    assert form.getlist("title") == ["héllo", "second"]
    doc = form["doc"]
    assert isinstance(doc, UploadFile)
    assert doc.filename == "notes.txt"
    assert doc.content_type == "text/plain"
    assert doc.size == len(b"file contents\r\nwith CRLF")
    assert doc.file.read() == b"file contents\r\nwith CRLF"
    empty = form["empty"]
    assert isinstance(empty, UploadFile)
    assert empty.size == 0
    assert [k for k, _ in form.multi_items()] == ["title", "doc", "title", "empty"]
    asyncio.run(form.close())
    assert doc.file.closed


def test_large_upload_spools_to_disk() -> None:
    big = b"z" * (MultiPartParser.spool_max_size + 10)
    form = parse(multipart_body([("f", big, "big.bin", None)]))
    upload = form["f"]
    assert isinstance(upload, UploadFile)
    assert upload.file._rolled  # type: ignore[attr-defined]
    assert upload.size == len(big)
    assert asyncio.run(upload.read()) == big
    asyncio.run(upload.close())


def test_small_upload_stays_in_memory() -> None:
    upload = parse(multipart_body([("f", b"tiny", "t.bin", None)]))["f"]
    assert isinstance(upload, UploadFile)
    assert not upload.file._rolled  # type: ignore[attr-defined]


def test_max_files_exceeded_names_limit() -> None:
    data = multipart_body([(f"f{i}", b"x", f"{i}.txt", None) for i in range(3)])
    with pytest.raises(MultiPartException, match="Maximum number of files is 2") as info:
        parse(data, max_files=2)
    assert info.value.status_code == 400
    assert len(parse(data, max_files=3)) == 3


def test_max_fields_exceeded_names_limit() -> None:
    data = multipart_body([(f"k{i}", b"v", None, None) for i in range(5)])
    with pytest.raises(MultiPartException, match="Maximum number of fields is 4"):
        parse(data, max_fields=4)


def test_max_part_size_exceeded_names_limit() -> None:
    data = multipart_body([("big", b"a" * 101, None, None)])
    with pytest.raises(MultiPartException, match="Part exceeded maximum size of 0KB"):
        parse(data, 10, max_part_size=100)
    assert parse(data, max_part_size=101)["big"] == "a" * 101


def test_files_do_not_count_against_part_size() -> None:
    data = multipart_body([("f", b"a" * 500, "a.bin", None)])
    upload = parse(data, max_part_size=100)["f"]
    assert isinstance(upload, UploadFile)
    assert upload.size == 500


def test_files_closed_when_limit_hit() -> None:
    created: list[UploadFile] = []
    original = MultiPartParser._on_headers_finished

    def spy(self: MultiPartParser) -> None:
        original(self)
        if self._part_file is not None:
            created.append(self._part_file)

    data = multipart_body([("f", b"x", "a.txt", None), ("g", b"y" * 50, None, None)])
    MultiPartParser._on_headers_finished = spy  # type: ignore[method-assign]
    try:
        with pytest.raises(MultiPartException):
            parse(data, max_part_size=10)
    finally:
        MultiPartParser._on_headers_finished = original  # type: ignore[method-assign]
    assert created and all(u.file.closed for u in created)


def test_missing_boundary() -> None:
    parser = MultiPartParser(Headers({"content-type": "multipart/form-data"}), chunks(b"", 1))
    with pytest.raises(MultiPartException, match="boundary"):
        asyncio.run(parser.parse())


def test_missing_content_disposition() -> None:
    data = f"--{BOUNDARY}\r\nContent-Type: text/plain\r\n\r\nx\r\n--{BOUNDARY}--\r\n".encode()
    with pytest.raises(MultiPartException, match="Content-Disposition"):
        parse(data)


def test_malformed_body() -> None:
    data = f"--{BOUNDARY}\r\nno-colon-header\r\n\r\nx\r\n--{BOUNDARY}--\r\n".encode()
    with pytest.raises(MultiPartException):
        parse(data)


def test_charset_param_and_utf8_filename() -> None:
    data = multipart_body([("name", "ça".encode(), "résumé.txt", None)])
    upload = parse(data)["name"]
    assert isinstance(upload, UploadFile)
    assert upload.filename == "résumé.txt"


@pytest.mark.parametrize("chunk_size", [1, 3, 100])
def test_urlencoded(chunk_size: int) -> None:
    headers = Headers({"content-type": "application/x-www-form-urlencoded"})
    data = b"a=1&b=hello+world&a=%E2%9C%93&empty=&flag"
    form = asyncio.run(FormParser(headers, chunks(data, chunk_size)).parse())
    assert form.getlist("a") == ["1", "✓"]
    assert form["b"] == "hello world"
    assert form["empty"] == ""
    assert form["flag"] == ""


def test_urlencoded_empty_body() -> None:
    headers = Headers({"content-type": "application/x-www-form-urlencoded"})
    form = asyncio.run(FormParser(headers, chunks(b"", 1)).parse())
    assert len(form) == 0


def test_missing_python_multipart_gives_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(formparsers, "multipart", None)
    with pytest.raises(ImportError, match=r"zephyr\[standard\]"):
        FormParser(Headers(), chunks(b"", 1))
    with pytest.raises(ImportError, match="python-multipart"):
        MultiPartParser(mp_headers(), chunks(b"", 1))


def test_form_message_is_kept_but_deprecated() -> None:
    from zephyr.api_exceptions import ZephyrDeprecationWarning
    from zephyr.formparsers import FormMessage

    assert FormMessage.FIELD_START.value == 1 and FormMessage.END.value == 5
    with pytest.warns(ZephyrDeprecationWarning, match="`FormMessage` is deprecated"):
        assert FormMessage(4) is FormMessage.FIELD_END


def test_urlencoded_limits_hold_inside_one_chunk() -> None:
    headers = Headers({"content-type": "application/x-www-form-urlencoded"})
    many = "&".join(f"f{i}=" for i in range(100_000)).encode()
    with pytest.raises(MultiPartException, match="Too many fields"):
        asyncio.run(FormParser(headers, chunks(many, len(many)), max_fields=10).parse())
    big = b"field=" + b"x" * (4 * 1024 * 1024)
    with pytest.raises(MultiPartException, match="Field exceeded maximum size"):
        asyncio.run(FormParser(headers, chunks(big, len(big)), max_part_size=1024).parse())
