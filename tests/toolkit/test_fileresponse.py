"""FileResponse: validators, conditional requests, ranges (parser table), pathsend use."""

from __future__ import annotations

import asyncio
import os
import re
from email.utils import formatdate
from pathlib import Path
from typing import Any

import pytest

from tests.toolkit.conftest import Channel, http_scope
from zephyr._ranges import (
    MAX_RANGE_SPECS,
    MAX_RANGES,
    MalformedRange,
    evaluate_preconditions,
    if_range_allows,
    parse_range,
)
from zephyr.background import BackgroundTask
from zephyr.middleware.base import BaseHTTPMiddleware
from zephyr.middleware.gzip import GZipMiddleware
from zephyr.responses import FileResponse

SIZE = 1000
DATA = bytes(i % 251 for i in range(SIZE))


@pytest.fixture
def file(tmp_path: Path) -> Path:
    path = tmp_path / "data.bin"
    path.write_bytes(DATA)
    return path


def run(response: Any, scope: dict[str, Any]) -> Channel:
    channel = Channel()
    asyncio.run(asyncio.wait_for(response(scope, channel.receive, channel.send), timeout=10))
    return channel


def get(path: Path, *headers: tuple[str, str], method: str = "GET", **extra: Any) -> Channel:
    return run(FileResponse(path), http_scope(method=method, headers=headers, **extra))


def header(channel: Channel, name: bytes) -> bytes | None:
    for key, value in channel.start["headers"]:
        if key == name:
            return bytes(value)
    return None


def parse_multipart(body: bytes, content_type: bytes) -> list[tuple[bytes, bytes]]:
    """Split a multipart/byteranges body into (content-range, data) pairs, strictly.

    The framing: ``--B`` CRLF, the part's headers, CRLF CRLF, its bytes, CRLF;
    after the last part ``--B--`` and nothing more.
    """
    boundary = content_type.split(b"boundary=")[1]
    closing = b"--" + boundary + b"--"
    assert body.endswith(b"\r\n" + closing)
    parts = []
    opening = b"--" + boundary + b"\r\n"
    assert body.startswith(opening)
    for raw in body[: -len(closing)].split(opening)[1:]:
        head, _, data = raw.partition(b"\r\n\r\n")
        fields = dict(line.split(b": ", 1) for line in head.split(b"\r\n"))
        assert fields[b"Content-Type"] == b"application/octet-stream"
        assert data.endswith(b"\r\n")
        parts.append((fields[b"Content-Range"], data[:-2]))
    return parts


# -- the Range header parser ---------------------------------------------------

_MANY_DISJOINT = ",".join(f"{i * 5}-{i * 5}" for i in range(MAX_RANGES + 1))
_MANY_MERGING = ",".join(f"{i}-{i}" for i in range(100))
_TOO_MANY_SPECS = ",".join("0-0" for _ in range(MAX_RANGE_SPECS + 1))

BAD = "bad"  # parse_range raises MalformedRange: answered 400

# (header, expected parse result): None = ignore (200), [] = unsatisfiable (416).
RANGE_VECTORS: list[tuple[str, list[tuple[int, int]] | None]] = [
    ("bytes=0-9", [(0, 10)]),
    ("bytes=-10", [(990, 1000)]),
    ("bytes=990-", [(990, 1000)]),
    ("bytes=0-0", [(0, 1)]),
    ("bytes=999-999", [(999, 1000)]),
    ("bytes=0-9,5-20", [(0, 21)]),  # overlapping: merged
    ("bytes=0-9,10-19", [(0, 20)]),  # adjacent: merged
    ("bytes=0-9,20-29", [(0, 10), (20, 30)]),
    ("bytes=20-29,0-9", [(0, 10), (20, 30)]),  # sorted
    ("bytes=0-9,-5,3-4", [(0, 10), (995, 1000)]),
    ("bytes=0-99999999999999999999999", [(0, 1000)]),  # huge last-pos: clamped
    ("bytes=-99999999999999999999999", [(0, 1000)]),  # huge suffix: whole file
    ("bytes=-2000", [(0, 1000)]),
    ("bytes=99999999999999999999999-", []),  # huge first-pos
    ("bytes=1000-", []),
    ("bytes=1000-2000", []),
    ("bytes=-0", []),
    ("bytes=0-9,2000-3000", [(0, 10)]),  # the unsatisfiable one is dropped
    ("bytes=5-1", BAD),  # last < first
    ("bytes=5-4", BAD),
    ("bytes=", BAD),  # no range at all
    ("bytes=,", BAD),
    ("bytes=abc", BAD),  # skipped specs leave nothing
    ("bytes=--1", BAD),
    ("bytes=-5-6", BAD),
    ("bytes=1-2-3", BAD),
    ("bytes=+1-2", BAD),
    ("bytes=0x10-20", BAD),
    ("bytes=1.5-2", BAD),
    ("bytes=\u00b9-\u00b2", BAD),  # superscript digits: isdigit() but not ASCII
    ("bytes=0-9;", BAD),
    ("bytes= - ", BAD),
    ("bytes 0-9", BAD),  # no "=": not a bytes range
    ("items=0-9", BAD),
    ("=0-9", BAD),
    ("bytes=0-9,x", [(0, 10)]),  # a spec that is no range is skipped
    ("bytes=100, 0-9", [(0, 10)]),
    ("bytes=abc-def, 0-9", [(0, 10)]),
    ("bytes= - , 0-9", [(0, 10)]),
    ("BYTES=0-1", [(0, 2)]),
    (" bytes = 0-1", [(0, 2)]),
    ("bytes= 0-9 ,  20-29 ", [(0, 10), (20, 30)]),
    ("bytes=0-9,,20-29", [(0, 10), (20, 30)]),
    ("bytes=\t0-1\t", [(0, 2)]),
    (f"bytes={_MANY_DISJOINT}", None),  # more than MAX_RANGES
    (f"bytes={_MANY_MERGING}", [(0, 100)]),  # many specs, one range once merged
    (f"bytes={_TOO_MANY_SPECS}", None),
]


@pytest.mark.parametrize(("header", "expected"), RANGE_VECTORS)
def test_parse_range_vectors(header: str, expected: Any) -> None:
    if expected == BAD:
        with pytest.raises(MalformedRange):
            parse_range(header, SIZE)
    else:
        assert parse_range(header, SIZE) == expected


def test_parse_range_empty_file_is_ignored() -> None:
    assert parse_range("bytes=0-0", 0) is None
    assert parse_range("bytes=-1", 0) is None


def test_parse_range_linear_on_huge_header() -> None:
    header = "bytes=" + "9" * 1_000_000 + "-"
    assert parse_range(header, SIZE) == []
    assert parse_range("bytes=" + ",".join(["1-2"] * 100_000), SIZE) is None


def _status_for(expected: Any) -> int:
    if expected == BAD:
        return 400
    if expected is None:
        return 200
    return 416 if expected == [] else 206


@pytest.mark.parametrize(("value", "expected"), RANGE_VECTORS)
def test_range_vectors_through_file_response(file: Path, value: str, expected: Any) -> None:
    channel = get(file, ("range", value))
    status = channel.start["status"]
    assert status == _status_for(expected)
    if status == 200:
        assert channel.body == DATA
    elif status == 400:
        assert channel.body.startswith((b"Only support bytes range", b"Range header: "))
        assert header(channel, b"content-type") == b"text/plain; charset=utf-8"
    elif status == 416:
        assert header(channel, b"content-range") == b"bytes */1000"
        assert channel.body == b""
    elif len(expected) == 1:
        start, stop = expected[0]
        assert channel.body == DATA[start:stop]
        assert header(channel, b"content-range") == b"bytes %d-%d/1000" % (start, stop - 1)
        assert header(channel, b"content-length") == b"%d" % (stop - start)
    else:
        content_type = header(channel, b"content-type") or b""
        assert content_type.startswith(b"multipart/byteranges; boundary=")
        parts = parse_multipart(channel.body, content_type)
        assert parts == [(b"bytes %d-%d/1000" % (a, b - 1), DATA[a:b]) for a, b in expected]
        assert header(channel, b"content-length") == b"%d" % len(channel.body)


# -- validators and conditional requests ----------------------------------------


def test_full_response_headers(file: Path) -> None:
    channel = get(file)
    st = os.stat(file)
    assert channel.start["status"] == 200
    assert header(channel, b"content-length") == b"1000"
    assert header(channel, b"accept-ranges") == b"bytes"
    assert header(channel, b"last-modified") == formatdate(st.st_mtime, usegmt=True).encode()
    etag = header(channel, b"etag") or b""
    assert re.fullmatch(rb'"[0-9a-f]+-3e8"', etag)
    assert channel.body == DATA


def test_etag_changes_with_content(file: Path) -> None:
    first = header(get(file), b"etag")
    file.write_bytes(DATA + b"x")
    assert header(get(file), b"etag") != first


def test_if_none_match_gives_304_without_body(file: Path) -> None:
    etag = (header(get(file), b"etag") or b"").decode()
    for value in (etag, f"W/{etag}", f'"nope", {etag}', "*"):
        channel = get(file, ("if-none-match", value))
        assert channel.start["status"] == 304, value
        assert channel.body == b""
        assert header(channel, b"etag") == etag.encode()
        assert header(channel, b"content-length") is None
    assert get(file, ("if-none-match", '"other"')).start["status"] == 200
    assert get(file, ("if-none-match", etag), method="HEAD").start["status"] == 304


def test_if_modified_since(file: Path) -> None:
    mtime = os.stat(file).st_mtime
    assert get(file, ("if-modified-since", formatdate(mtime, usegmt=True))).start["status"] == 304
    later = formatdate(mtime + 3600, usegmt=True)
    assert get(file, ("if-modified-since", later)).start["status"] == 304
    earlier = formatdate(mtime - 3600, usegmt=True)
    assert get(file, ("if-modified-since", earlier)).start["status"] == 200
    assert get(file, ("if-modified-since", "garbage")).start["status"] == 200


def test_if_none_match_takes_precedence_over_if_modified_since(file: Path) -> None:
    now = formatdate(os.stat(file).st_mtime + 10, usegmt=True)
    channel = get(file, ("if-none-match", '"other"'), ("if-modified-since", now))
    assert channel.start["status"] == 200  # RFC 9110 section 13.2.2 step 3 before 4


def test_if_match_and_if_unmodified_since_give_412(file: Path) -> None:
    etag = (header(get(file), b"etag") or b"").decode()
    assert get(file, ("if-match", '"other"')).start["status"] == 412
    assert get(file, ("if-match", etag)).start["status"] == 200
    assert get(file, ("if-match", f"W/{etag}")).start["status"] == 412  # strong comparison
    old = formatdate(os.stat(file).st_mtime - 3600, usegmt=True)
    channel = get(file, ("if-unmodified-since", old))
    assert channel.start["status"] == 412
    assert channel.body == b""


def test_conditionals_ignored_for_non_200(file: Path) -> None:
    response = FileResponse(file, status_code=404)
    channel = run(response, http_scope(headers=[("if-none-match", "*"), ("range", "bytes=0-1")]))
    assert channel.start["status"] == 404
    assert channel.body == DATA


def test_precondition_function_orders() -> None:
    etag = '"a"'
    assert evaluate_preconditions({}, "GET", etag, 100.0) is None
    assert evaluate_preconditions({"if-none-match": '"a"'}, "POST", etag, 100.0) == 412
    assert evaluate_preconditions({"if-match": "*"}, "GET", etag, 100.0) is None
    # If-Match present: If-Unmodified-Since is not evaluated.
    headers = {"if-match": '"a"', "if-unmodified-since": formatdate(0, usegmt=True)}
    assert evaluate_preconditions(headers, "GET", etag, 100.0) is None
    assert evaluate_preconditions({"if-modified-since": "x"}, "GET", etag, 1.0) is None


# -- If-Range ----------------------------------------------------------------------


def test_if_range(file: Path) -> None:
    etag = (header(get(file), b"etag") or b"").decode()
    mtime = os.stat(file).st_mtime
    rng = ("range", "bytes=0-1")
    assert get(file, rng, ("if-range", etag)).start["status"] == 206
    assert get(file, rng, ("if-range", '"stale"')).start["status"] == 200
    assert get(file, rng, ("if-range", f"W/{etag}")).start["status"] == 200
    assert get(file, rng, ("if-range", formatdate(mtime, usegmt=True))).start["status"] == 206
    stale = formatdate(mtime - 10, usegmt=True)
    assert get(file, rng, ("if-range", stale)).start["status"] == 200
    assert get(file, rng, ("if-range", "not a date")).start["status"] == 200


def test_if_range_function() -> None:
    assert if_range_allows(None, '"a"', 0.0)
    assert not if_range_allows('"a"', 'W/"a"', 0.0)


# -- methods, HEAD, ranges on GET and HEAD ---------------------------------------


def test_head_sends_the_headers_of_the_range_answer(file: Path) -> None:
    channel = get(file, ("range", "bytes=0-9"), method="HEAD")
    assert channel.start["status"] == 206
    assert header(channel, b"content-length") == b"10"
    assert header(channel, b"content-range") == b"bytes 0-9/1000"
    assert channel.body == b""
    multi = get(file, ("range", "bytes=0-9,20-29"), method="HEAD")
    whole = get(file, ("range", "bytes=0-9,20-29"))
    assert multi.start["status"] == whole.start["status"] == 206
    assert header(multi, b"content-length") == header(whole, b"content-length")
    assert header(multi, b"content-length") == b"%d" % len(whole.body)
    assert multi.body == b""
    for value, status in (("bytes=2000-", 416), ("bytes=9-0", 400)):
        refused = get(file, ("range", value), method="HEAD")
        assert refused.start["status"] == status
        assert refused.body == b""


def test_range_ignored_for_post(file: Path) -> None:
    assert get(file, ("range", "bytes=0-9"), method="POST").start["status"] == 200


# -- Content-Disposition ---------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "kind", "expected"),
    [
        ("report.pdf", "attachment", 'attachment; filename="report.pdf"'),
        ("résumé.pdf", "inline", "inline; filename*=utf-8''r%C3%A9sum%C3%A9.pdf"),
        ("a b.txt", "attachment", "attachment; filename*=utf-8''a%20b.txt"),
        ('x";y.txt', "attachment", "attachment; filename*=utf-8''x%22%3By.txt"),
    ],
)
def test_content_disposition(file: Path, filename: str, kind: str, expected: str) -> None:
    response = FileResponse(file, filename=filename, content_disposition_type=kind)
    assert response.headers["content-disposition"] == expected


# -- pathsend and the zephyr.sendfile extension --------------------------------------

PATHSEND = {"http.response.pathsend": {}}
BOTH = {"http.response.pathsend": {}, "zephyr.sendfile": {}}


def test_pathsend_used_for_whole_file(file: Path) -> None:
    channel = get(file, extensions=PATHSEND)
    assert [m["type"] for m in channel.sent] == ["http.response.start", "http.response.pathsend"]
    assert channel.sent[1]["path"] == str(file)
    assert os.path.isabs(channel.sent[1]["path"])


def test_pathsend_path_is_absolute(file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(file.parent)
    channel = run(FileResponse("data.bin"), http_scope(extensions=PATHSEND))
    assert channel.sent[1]["path"] == str(file)


def test_ranges_fall_back_to_body_without_sendfile(file: Path) -> None:
    channel = get(file, ("range", "bytes=0-9"), extensions=PATHSEND)
    assert {m["type"] for m in channel.sent[1:]} == {"http.response.body"}
    assert channel.body == DATA[:10]


def test_single_range_uses_sendfile_slice(file: Path) -> None:
    channel = get(file, ("range", "bytes=10-19"), extensions=BOTH)
    assert channel.sent[0]["status"] == 206
    assert channel.sent[1:] == [
        {
            "type": "zephyr.sendfile",
            "path": str(file),
            "offset": 10,
            "count": 10,
            "more_body": False,
        }
    ]


def test_multirange_interleaves_parts_and_slices(file: Path) -> None:
    channel = get(file, ("range", "bytes=0-1,10-11"), extensions=BOTH)
    kinds = [m["type"] for m in channel.sent[1:]]
    assert kinds == [
        "http.response.body",
        "zephyr.sendfile",
        "http.response.body",
        "zephyr.sendfile",
        "http.response.body",
    ]
    assert all(m["more_body"] for m in channel.sent[1:-1])
    assert channel.sent[-1]["more_body"] is False
    # Rebuild the body as the server would and check it parses and sums up.
    body = b""
    for m in channel.sent[1:]:
        if m["type"] == "zephyr.sendfile":
            body += DATA[m["offset"] : m["offset"] + m["count"]]
        else:
            body += m["body"]
    content_type = header(channel, b"content-type") or b""
    assert parse_multipart(body, content_type) == [
        (b"bytes 0-1/1000", DATA[0:2]),
        (b"bytes 10-11/1000", DATA[10:12]),
    ]
    assert header(channel, b"content-length") == b"%d" % len(body)


def test_head_never_pathsends(file: Path) -> None:
    channel = get(file, method="HEAD", extensions=BOTH)
    assert [m["type"] for m in channel.sent] == ["http.response.start", "http.response.body"]


# -- failure paths ------------------------------------------------------------------


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="does not exist"):
        get(tmp_path / "nope")
    with pytest.raises(RuntimeError, match="is not a file"):
        get(tmp_path)


def test_file_shrinking_while_read_raises(file: Path) -> None:
    response = FileResponse(file, stat_result=os.stat(file))
    file.write_bytes(b"short")
    with pytest.raises(RuntimeError, match="is shorter than expected"):
        run(response, http_scope())


def test_chunked_reads_are_bounded(file: Path) -> None:
    response = FileResponse(file)
    response.chunk_size = 64
    channel = run(response, http_scope())
    bodies = [m["body"] for m in channel.sent if m["type"] == "http.response.body"]
    assert max(len(b) for b in bodies) <= 64
    assert b"".join(bodies) == DATA


def test_background_runs_after_304(file: Path) -> None:
    ran: list[str] = []
    response = FileResponse(file, background=BackgroundTask(ran.append, "done"))
    run(response, http_scope(headers=[("if-none-match", "*")]))
    assert ran == ["done"]


def test_empty_file_with_range_is_200(tmp_path: Path) -> None:
    empty = tmp_path / "empty.bin"
    empty.write_bytes(b"")
    channel = get(empty, ("range", "bytes=0-0"))
    assert channel.start["status"] == 200
    assert channel.body == b""


# -- middleware that wraps send ------------------------------------------------------


def test_base_http_middleware_passes_pathsend_and_rechunks_sendfile(file: Path) -> None:
    async def passthrough(request: Any, call_next: Any) -> Any:
        return await call_next(request)

    app = BaseHTTPMiddleware(FileResponse(file), dispatch=passthrough)
    # zephyr's own sendfile message can't be re-sent: the file comes as body chunks.
    sendfile_only = {"zephyr.sendfile": {}}
    channel = run(app, http_scope(extensions=sendfile_only))
    assert {m["type"] for m in channel.sent[1:]} == {"http.response.body"}
    assert channel.body == DATA
    # ASGI pathsend is passed on as it is (Starlette's behaviour).
    both = run(app, http_scope(extensions=dict(BOTH)))
    assert [m["type"] for m in both.sent] == ["http.response.start", "http.response.pathsend"]


def test_gzip_leaves_files_and_ranges_to_the_server(file: Path) -> None:
    app = GZipMiddleware(FileResponse(file), minimum_size=10)
    gzip_ok = ("accept-encoding", "gzip")
    whole = run(app, http_scope(headers=[gzip_ok], extensions=dict(BOTH)))
    assert [m["type"] for m in whole.sent] == ["http.response.start", "http.response.pathsend"]
    assert header(whole, b"content-encoding") is None
    ranges = run(
        app, http_scope(headers=[gzip_ok, ("range", "bytes=0-1,5-6")], extensions=dict(BOTH))
    )
    assert ranges.start["status"] == 206
    assert header(ranges, b"content-encoding") is None
    assert [m["type"] for m in ranges.sent[1:]].count("zephyr.sendfile") == 2


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every file FileResponse opens for reading (to check it was closed)."""
    import zephyr._fileresponse

    files: list[Any] = []
    real_open = zephyr._fileresponse._open

    async def tracking_open(path: Any) -> Any:
        file = await real_open(path)
        files.append(file)
        return file

    monkeypatch.setattr(zephyr._fileresponse, "_open", tracking_open)
    return files


def _big_file(tmp_path: Path) -> Path:
    path = tmp_path / "big.bin"
    path.write_bytes(b"x" * (4 * FileResponse.chunk_size))
    return path


@pytest.mark.parametrize("spec_version", ["2.3", "2.4"])
def test_file_closed_when_send_fails(tmp_path: Path, opened: list[Any], spec_version: str) -> None:
    error = OSError("client gone")

    async def receive() -> Any:
        await asyncio.Event().wait()

    async def send(message: Any) -> None:
        if message["type"] == "http.response.body":
            raise error

    async def main() -> None:
        scope = http_scope("/", asgi={"spec_version": spec_version})
        with pytest.raises(OSError) as info:
            await FileResponse(_big_file(tmp_path))(scope, receive, send)
        assert info.value is error
        # Closed by the time the error arrives, not later by the garbage collector.
        assert len(opened) == 1 and opened[0].closed

    asyncio.run(main())


def test_file_closed_when_cancelled(tmp_path: Path, opened: list[Any]) -> None:
    ran: list[bool] = []

    async def cleanup() -> None:
        ran.append(True)

    async def main() -> None:
        stuck = asyncio.Event()

        async def send(message: Any) -> None:
            if message["type"] == "http.response.body":
                stuck.set()
                await asyncio.Event().wait()

        async def receive() -> Any:
            await asyncio.Event().wait()

        response = FileResponse(_big_file(tmp_path), background=BackgroundTask(cleanup))
        task = asyncio.ensure_future(response(http_scope("/"), receive, send))
        await stuck.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert len(opened) == 1 and opened[0].closed

    asyncio.run(main())
    assert ran == []  # cancelled from outside: no background task


def test_older_servers_disconnect_is_noticed_through_receive(
    tmp_path: Path, opened: list[Any]
) -> None:
    # A spec-2.3 server may never fail send() for a client that left: only
    # http.disconnect says so. The response stops, closes the file, runs background.
    ran: list[bool] = []

    async def cleanup() -> None:
        ran.append(opened[0].closed)

    async def main() -> None:
        gone = asyncio.Event()
        requested = False

        async def receive() -> Any:
            nonlocal requested
            if not requested:
                requested = True
                return {"type": "http.request", "body": b""}
            await gone.wait()
            return {"type": "http.disconnect"}

        async def send(message: Any) -> None:
            if message["type"] == "http.response.body":
                gone.set()
                await asyncio.Event().wait()  # this server never returns

        response = FileResponse(_big_file(tmp_path), background=BackgroundTask(cleanup))
        scope = http_scope("/", asgi={"spec_version": "2.3"})
        await asyncio.wait_for(response(scope, receive, send), 5)

    asyncio.run(main())
    assert ran == [True]


def test_lowercase_head_and_unknown_type(tmp_path: Path) -> None:
    path = tmp_path / "data.unknownext"
    path.write_bytes(b"payload")
    channel = Channel([])
    asyncio.run(FileResponse(path)(http_scope("/", method="head"), channel.receive, channel.send))
    headers = dict(channel.start["headers"])
    assert headers[b"content-type"] == b"application/octet-stream"  # not claimed to be text
    assert headers[b"content-length"] == b"7" and channel.body == b""
