"""Multipart uploads: hostile bodies, limits and their statuses, filenames, spooling."""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator
from typing import Any

import pytest

from zephyr import File, UploadFile, Zephyr
from zephyr.applications import BaseApp
from zephyr.datastructures import Headers
from zephyr.formparsers import MultiPartException, MultiPartParser, parse_content_disposition
from zephyr.requests import Request
from zephyr.responses import JSONResponse, PlainTextResponse
from zephyr.routing import Route
from zephyr.testclient import TestClient

B = "zb"
CT = f"multipart/form-data; boundary={B}"
LIMITS = {"max_files": 2, "max_fields": 3, "max_part_size": 1024, "max_part_header_size": 512}


def part(name: str, data: bytes, filename: str | None = None, extra: bytes = b"") -> bytes:
    disposition = f'form-data; name="{name}"'
    if filename is not None:
        disposition += f'; filename="{filename}"'
    return (
        f"--{B}\r\nContent-Disposition: {disposition}\r\n".encode()
        + extra
        + b"\r\n"
        + data
        + b"\r\n"
    )


def body(*parts: bytes) -> bytes:
    return b"".join(parts) + f"--{B}--\r\n".encode()


GOOD = body(part("a", b"1"), part("f", b"file-bytes", "f.txt", b"Content-Type: text/plain\r\n"))
CD = b"Content-Disposition: form-data; name="

# (id, content type, body, status, message fragment)
HOSTILE: list[tuple[str, str, bytes, int, str]] = [
    ("no-boundary", "multipart/form-data", GOOD, 400, "Missing boundary"),
    ("empty-boundary", "multipart/form-data; boundary=", GOOD, 400, "Missing boundary"),
    (
        "boundary-too-long",
        "multipart/form-data; boundary=" + "a" * 71,
        GOOD,
        400,
        "Invalid multipart data.",
    ),
    (
        "boundary-bad-char",
        "multipart/form-data; boundary=a{b",
        GOOD,
        400,
        "Invalid multipart data.",
    ),
    (
        "boundary-mismatch",
        "multipart/form-data; boundary=other",
        GOOD,
        400,
        "Malformed multipart body",
    ),
    ("truncated", CT, GOOD[:-8], 400, "truncated"),
    ("truncated-in-headers", CT, f"--{B}\r\nContent-Disp".encode(), 400, "truncated"),
    ("not-multipart", CT, b"hello=world", 400, "Malformed multipart body"),
    ("bare-lf", CT, GOOD.replace(b"\r\n", b"\n"), 400, "Malformed multipart body"),
    (
        "header-no-colon",
        CT,
        body(f"--{B}\r\nContent-Disposition form-data\r\n\r\nv\r\n".encode()),
        400,
        "Malformed multipart body",
    ),
    (
        "header-name-space",
        CT,
        body(f'--{B}\r\nContent Disposition: form-data; name="a"\r\n\r\nv\r\n'.encode()),
        400,
        "Malformed multipart body",
    ),
    (
        "header-cr-injection",
        CT,
        body(f'--{B}\r\nContent-Disposition: form-data; name="a"\rX-Evil: 1\r\n\r\nv\r\n'.encode()),
        400,
        "Malformed multipart body",
    ),
    (
        "no-disposition",
        CT,
        body(f"--{B}\r\nContent-Type: text/plain\r\n\r\nv\r\n".encode()),
        400,
        "Content-Disposition",
    ),
    (
        "disposition-no-name",
        CT,
        body(f'--{B}\r\nContent-Disposition: form-data; filename="x"\r\n\r\nv\r\n'.encode()),
        400,
        'field "name" must be provided',
    ),
    (
        "disposition-not-form-data",
        CT,
        body(f'--{B}\r\nContent-Disposition: attachment; name="a"\r\n\r\nv\r\n'.encode()),
        400,
        'not "form-data"',
    ),
    (
        "too-many-fields",
        CT,
        body(*(part(f"f{i}", b"v") for i in range(4))),
        400,
        "Maximum number of fields is 3",
    ),
    (
        "too-many-files",
        CT,
        body(*(part(f"u{i}", b"v", f"{i}.txt") for i in range(3))),
        400,
        "Maximum number of files is 2",
    ),
    (
        "field-too-large",
        CT,
        body(part("big", b"x" * 1025)),
        400,
        "Part exceeded maximum size of 1KB",
    ),
    (
        "header-too-large",
        CT,
        body(part("a", b"v", extra=b"X-Pad: " + b"p" * 600 + b"\r\n")),
        413,
        "max_part_header_size=512",
    ),
    (
        "headers-over-the-byte-limit",
        CT,
        body(part("a", b"v", extra=(b"X: " + b"y" * 100 + b"\r\n") * 6)),
        413,
        "max_part_header_size=512",
    ),
]


async def form_endpoint(request: Request) -> JSONResponse:
    async with request.form(max_files=2, max_fields=3, max_part_size=1024) as form:
        summary: dict[str, Any] = {}
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                summary[key] = {"filename": value.filename, "data": (await value.read()).decode()}
            else:
                summary[key] = value
    return JSONResponse(summary)


async def health(request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


@pytest.fixture(scope="module")
def client() -> TestClient:
    # max_part_header_size is a parser option; lower it for the whole app under test.
    app = BaseApp(
        routes=[Route("/form", form_endpoint, methods=["POST"]), Route("/health", health)]
    )
    return TestClient(app)


@pytest.fixture(autouse=True)
def small_header_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    original = MultiPartParser.__init__

    def init(self: MultiPartParser, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_part_header_size", LIMITS["max_part_header_size"])
        original(self, *args, **kwargs)

    monkeypatch.setattr(MultiPartParser, "__init__", init)


@pytest.mark.parametrize(
    ("case", "content_type", "data", "status", "message"), HOSTILE, ids=[h[0] for h in HOSTILE]
)
def test_hostile_bodies_over_http(
    client: TestClient, case: str, content_type: str, data: bytes, status: int, message: str
) -> None:
    response = client.post("/form", content=data, headers={"Content-Type": content_type})
    assert response.status_code == status, response.text
    assert message in response.text
    # The app is still healthy: other requests and a valid upload work.
    assert client.get("/health").text == "ok"
    good = client.post("/form", content=GOOD, headers={"Content-Type": CT})
    assert good.json() == {"a": "1", "f": {"filename": "f.txt", "data": "file-bytes"}}


async def _chunks(data: bytes, size: int) -> AsyncIterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]
    yield b""


@pytest.mark.parametrize("chunk_size", [1, 1 << 20], ids=["byte-by-byte", "whole"])
@pytest.mark.parametrize(
    ("case", "content_type", "data", "status", "message"), HOSTILE, ids=[h[0] for h in HOSTILE]
)
def test_hostile_bodies_in_parser(
    case: str, content_type: str, data: bytes, status: int, message: str, chunk_size: int
) -> None:
    opened: list[UploadFile] = []
    original = UploadFile.__init__

    def track(self: UploadFile, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        opened.append(self)

    parser = MultiPartParser(
        Headers({"content-type": content_type}),
        _chunks(data, chunk_size),
        max_files=2,
        max_fields=3,
        max_part_size=1024,
    )
    UploadFile.__init__ = track  # type: ignore[method-assign]
    try:
        with pytest.raises(MultiPartException) as info:
            asyncio.run(parser.parse())
    finally:
        UploadFile.__init__ = original  # type: ignore[method-assign]
    assert info.value.status_code == status
    assert message in info.value.message
    assert all(upload.file.closed for upload in opened)  # nothing left open


def test_api_layer_maps_limits_and_malformed_bodies() -> None:
    app = Zephyr()

    @app.post("/upload")
    async def upload(file: UploadFile = File()) -> dict[str, Any]:
        return {"name": file.filename, "size": len(await file.read())}

    client = TestClient(app)
    ok = client.post("/upload", files={"file": ("a.bin", b"abc")})
    assert ok.json() == {"name": "a.bin", "size": 3}
    truncated = client.post("/upload", content=GOOD[:-8], headers={"Content-Type": CT})
    assert truncated.status_code == 400
    assert "truncated" in truncated.json()["detail"]
    assert client.post("/upload", files={"file": ("b.bin", b"x")}).status_code == 200


@pytest.mark.parametrize(
    ("filename", "sent"),
    [
        ("../../etc/passwd", "../../etc/passwd"),
        ("C:\\\\Windows\\\\evil.exe", "C:\\Windows\\evil.exe"),
        ("/abs/path.txt", "/abs/path.txt"),
        ('we\\"ird.txt', 'we"ird.txt'),
        ("", ""),
    ],
)
def test_filename_exposed_as_sent_never_as_path(filename: str, sent: str) -> None:
    data = body(part("f", b"z" * (2 << 20), filename))  # 2 MiB: spooled to disk
    parser = MultiPartParser(Headers({"content-type": CT}), _chunks(data, 65536))
    form = asyncio.run(parser.parse())
    upload = form["f"]
    assert isinstance(upload, UploadFile)
    assert upload.filename == sent
    assert upload.size == 2 << 20
    disk_name = str(getattr(upload.file, "name", ""))
    assert os.path.dirname(disk_name) == tempfile.gettempdir() or disk_name.isdigit()
    assert "passwd" not in disk_name and "evil" not in disk_name
    asyncio.run(upload.close())


def test_filename_star_is_decoded() -> None:
    kind, options = parse_content_disposition(
        b'form-data; name="f"; filename="fallback.txt"; filename*=UTF-8\'\'%E2%82%AC%20rates.txt'
    )
    assert kind == "form-data"
    assert options["filename*"] == "€ rates.txt"
    assert options["filename"] == "fallback.txt"
    data = (
        f'--{B}\r\nContent-Disposition: form-data; name="f"; filename="x"; '
        f"filename*=UTF-8''%E2%82%AC.txt\r\n\r\nv\r\n--{B}--\r\n"
    ).encode()
    form = asyncio.run(MultiPartParser(Headers({"content-type": CT}), _chunks(data, 7)).parse())
    assert form["f"].filename == "€.txt"  # type: ignore[union-attr]


def test_spool_rollover_and_disk_writes_run_off_the_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    import zephyr.datastructures as ds

    calls: list[str] = []
    real = ds.run_in_threadpool

    async def recording(func: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(getattr(func, "__name__", "?"))
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(ds, "run_in_threadpool", recording)

    async def run() -> tuple[UploadFile, list[str]]:
        upload = UploadFile(ds.new_spooled_file(1024), size=0, filename="x")
        await upload.write(b"a" * 1000)  # stays in memory: no thread hop
        before = list(calls)
        await upload.write(b"b" * 100)  # rolls over: the copy to disk happens in a thread
        await upload.write(b"c" * 10)  # on disk
        await upload.seek(0)
        assert await upload.read() == b"a" * 1000 + b"b" * 100 + b"c" * 10
        return upload, before

    upload, before = asyncio.run(run())
    assert before == []
    assert calls[:2] == ["write", "write"]
    assert upload.file._rolled  # type: ignore[attr-defined]
    assert upload.size == 1110


def test_small_files_stay_in_memory() -> None:
    form = asyncio.run(MultiPartParser(Headers({"content-type": CT}), _chunks(GOOD, 3)).parse())
    upload = form["f"]
    assert isinstance(upload, UploadFile)
    assert not upload.file._rolled  # type: ignore[attr-defined]
    assert upload.content_type == "text/plain"


def test_api_layer_closes_uploads_after_the_response() -> None:
    app = Zephyr()
    seen: list[UploadFile] = []

    @app.post("/upload")
    async def upload(file: UploadFile = File()) -> dict[str, bool]:
        seen.append(file)
        return {"closed": file.file.closed}

    response = TestClient(app).post("/upload", files={"file": ("a.bin", b"x" * (2 << 20))})
    assert response.json() == {"closed": False}
    assert seen[0].file.closed


@pytest.mark.parametrize("count", [3, 4])
def test_urlencoded_field_count_limit(client: TestClient, count: int) -> None:
    data = "&".join(f"f{i}={i}" for i in range(count))
    response = client.post(
        "/form", content=data, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    if count <= 3:
        assert response.json() == {f"f{i}": str(i) for i in range(count)}
    else:
        assert response.status_code == 400
        assert "Maximum number of fields is 3" in response.text
    assert client.get("/health").text == "ok"


def test_urlencoded_default_limit_in_api_layer() -> None:
    from zephyr import Form

    app = Zephyr()

    @app.post("/login")
    async def login(username: str = Form()) -> dict[str, str]:
        return {"username": username}

    client = TestClient(app)
    assert client.post("/login", data={"username": "u"}).json() == {"username": "u"}
    flood = "username=u&" + "&".join(f"x{i}=1" for i in range(1000))
    response = client.post(
        "/login", content=flood, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 400
    assert "Maximum number of fields is 1000" in response.text


def test_empty_body_is_an_empty_form(client: TestClient) -> None:
    # Nothing sent at all is a form with nothing filled in, not a truncated one.
    response = client.post("/form", content=b"", headers={"Content-Type": CT})
    assert response.status_code == 200, response.text
    assert response.json() == {}


@pytest.mark.parametrize(
    ("charset", "raw", "text"),
    [("klingon", "é".encode(), "é"), ("klingon", b"\xe9", "é"), ("latin-1", b"\xe9", "é")],
)
def test_unknown_charset_reads_as_utf8_then_latin1(charset: str, raw: bytes, text: str) -> None:
    import codecs

    searched: list[str] = []

    def search(name: str) -> None:
        searched.append(name)

    content = body(part("a", raw), part("b", raw))
    codecs.register(search)  # type: ignore[arg-type]
    try:
        parser = MultiPartParser(
            Headers({"content-type": f"{CT}; charset={charset}"}), _chunks(content, 1 << 20)
        )
        form = asyncio.run(parser.parse())
    finally:
        codecs.unregister(search)  # type: ignore[arg-type]
    assert form["a"] == form["b"] == text
    assert searched.count(charset) <= 1  # the charset is resolved once per body


@pytest.mark.parametrize(("extra", "ok"), [(7, True), (8, False)])
def test_part_header_count_is_limited(extra: int, ok: bool) -> None:
    headers = b"".join(f"X-N{i}: v\r\n".encode() for i in range(extra))
    content = body(
        f'--{B}\r\nContent-Disposition: form-data; name="a"\r\n'.encode() + headers + b"\r\n1\r\n"
    )
    parser = MultiPartParser(Headers({"content-type": CT}), _chunks(content, 1 << 20))
    if ok:
        assert asyncio.run(parser.parse())["a"] == "1"
        return
    with pytest.raises(MultiPartException) as info:
        asyncio.run(parser.parse())
    assert (info.value.status_code, info.value.message) == (400, "Invalid multipart data.")


def test_a_failing_disk_closes_the_upload_file(monkeypatch: pytest.MonkeyPatch) -> None:
    import zephyr.formparsers

    closed: list[bool] = []

    class FullDisk(tempfile.SpooledTemporaryFile):  # type: ignore[type-arg]
        def write(self, data: Any) -> int:
            raise OSError("disk full")

        def close(self) -> None:
            closed.append(True)
            super().close()

    monkeypatch.setattr(zephyr.formparsers, "SpooledTemporaryFile", FullDisk)
    content = body(part("f", b"data", "f.txt"))
    parser = MultiPartParser(Headers({"content-type": CT}), _chunks(content, 1 << 20))
    with pytest.raises(OSError, match="disk full"):
        asyncio.run(parser.parse())
    assert closed
