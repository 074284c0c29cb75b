"""FileResponse range answers as messages: multipart framing, 400 reasons, reads through anyio."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import anyio
import pytest

from tests.toolkit.conftest import Channel, http_scope
from zephyr.responses import FileResponse

DATA = b"0123456789abcdefghijklmnopqrstuvwxyz"


@pytest.fixture
def file(tmp_path: Path) -> Path:
    path = tmp_path / "letters.txt"
    path.write_bytes(DATA)
    return path


def run(response: Any, scope: dict[str, Any]) -> Channel:
    channel = Channel()
    asyncio.run(asyncio.wait_for(response(scope, channel.receive, channel.send), timeout=10))
    return channel


class FourByteChunks(FileResponse):
    chunk_size = 4


def test_multipart_body_messages_frame_each_part(file: Path) -> None:
    scope = http_scope(headers=[("range", "bytes=20-25,0-5,4-9")])
    channel = run(FourByteChunks(file), scope)
    assert channel.start["status"] == 206
    headers = dict(channel.start["headers"])
    boundary = headers[b"content-type"].split(b"boundary=")[1]
    assert len(boundary) == 26
    bodies = [m["body"] for m in channel.sent[1:]]
    head = b"--%s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Range: bytes %s/36\r\n\r\n"
    assert bodies == [
        head % (boundary, b"0-9"),  # 0-5 and 4-9 overlap: one part
        b"0123",
        b"4567",
        b"89",
        b"\r\n",
        head % (boundary, b"20-25"),
        b"klmn",
        b"op",
        b"\r\n",
        b"--%s--" % boundary,
    ]
    assert [m["more_body"] for m in channel.sent[1:]] == [True] * 9 + [False]
    assert int(headers[b"content-length"]) == sum(map(len, bodies))


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("lines=0-1", "Only support bytes range"),
        ("bytes 0-1", "Only support bytes range"),
        ("bytes=", "Range header: range must be requested"),
        ("bytes=x-y,-", "Range header: range must be requested"),
        ("bytes=9-3", "Range header: start must be less than end"),
    ],
)
def test_malformed_ranges_are_400_with_a_reason(file: Path, value: str, reason: str) -> None:
    channel = run(FileResponse(file), http_scope(headers=[("range", value)]))
    assert channel.start["status"] == 400
    assert channel.body == reason.encode()


def test_range_past_the_end_is_416(file: Path) -> None:
    channel = run(FileResponse(file), http_scope(headers=[("range", "bytes=36-")]))
    assert channel.start["status"] == 416
    assert dict(channel.start["headers"])[b"content-range"] == b"bytes */36"


def test_reads_open_the_file_through_anyio(file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[Any] = []
    real_open_file = anyio.open_file

    async def tracking(path: Any, mode: str = "r") -> Any:
        handle = await real_open_file(path, mode)
        opened.append(handle)
        return handle

    monkeypatch.setattr(anyio, "open_file", tracking)
    for headers in ([], [("range", "bytes=1-2,5-6")]):
        channel = run(FileResponse(file), http_scope(headers=headers))
        assert channel.start["status"] in (200, 206)
    assert len(opened) == 2
    assert all(handle.closed for handle in opened)


def test_pathsend_does_not_open_the_file(file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the server sends the file itself")

    monkeypatch.setattr(anyio, "open_file", refuse)
    scope = http_scope(extensions={"http.response.pathsend": {}})
    channel = run(FileResponse(file), scope)
    assert channel.sent[1]["type"] == "http.response.pathsend"


def test_a_file_shorter_than_its_stat_is_an_error(file: Path) -> None:
    response = FileResponse(file, stat_result=file.stat())
    file.write_bytes(DATA[:3])
    with pytest.raises(RuntimeError, match=r"is shorter than expected\."):
        run(response, http_scope(headers=[("range", "bytes=0-2,5-7")]))


def test_a_quoted_entity_tag_may_hold_commas_and_stars() -> None:
    from zephyr._ranges import evaluate_preconditions

    etag = '"abc"'
    assert evaluate_preconditions({"if-none-match": '"x,*,y"'}, "GET", etag, 0.0) is None
    assert evaluate_preconditions({"if-none-match": '"x,*,y", "abc"'}, "GET", etag, 0.0) == 304
    assert evaluate_preconditions({"if-none-match": "*"}, "GET", etag, 0.0) == 304
    assert evaluate_preconditions({"if-match": '"a,b", W/"abc"'}, "PUT", etag, 0.0) == 412
