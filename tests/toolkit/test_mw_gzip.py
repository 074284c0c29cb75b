"""GZipMiddleware: when to compress, streaming, headers, parity with Starlette."""

from __future__ import annotations

import asyncio
import gzip
import zlib
from typing import Any

import pytest
import starlette.middleware.gzip

from tests.toolkit._mw_peer import BIG, starlette_client, zephyr_client
from tests.toolkit.conftest import Channel, body_messages, http_scope
from zephyr.middleware.gzip import GZipMiddleware, accepts_gzip
from zephyr.types import Receive, Scope, Send


def client(**options: Any) -> Any:
    return zephyr_client(GZipMiddleware, **options)


def test_compresses_big_body_with_correct_length() -> None:
    response = client().get("/big", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["vary"] == "Accept-Encoding"
    assert response.text == BIG  # httpx decoded it
    assert int(response.headers["content-length"]) < 100


def test_content_length_matches_raw_bytes() -> None:
    async def run() -> Channel:
        channel = Channel(body_messages(b""))
        scope = http_scope("/", headers=[("accept-encoding", "gzip")])
        await GZipMiddleware(_bytes_app(b"y" * 5000))(scope, channel.receive, channel.send)
        return channel

    channel = asyncio.run(run())
    headers = dict(channel.start["headers"])
    assert int(headers[b"content-length"]) == len(channel.body)
    assert gzip.decompress(channel.body) == b"y" * 5000


def test_small_body_left_alone_without_vary() -> None:
    response = client().get("/plain", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in response.headers
    assert "vary" not in response.headers
    assert response.headers["content-length"] == "5"


@pytest.mark.parametrize("accept", ["identity", "br", "gzip;q=0", ""])
def test_client_not_accepting_gzip_gets_identity_plus_vary(accept: str) -> None:
    response = client().get("/big", headers={"Accept-Encoding": accept})
    assert "content-encoding" not in response.headers
    assert response.headers["content-length"] == "1000"
    assert response.headers["vary"] == "Accept-Encoding"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("gzip", True),
        ("GZIP", True),
        ("br, gzip;q=0.5", True),
        ("gzip;q=0", False),
        ("gzip; q=0.0", False),
        ("*", True),
        ("*;q=0", False),
        ("gzip;q=0, *", False),
        ("deflate", False),
        ("gzip;q=abc", False),
        ("", False),
    ],
)
def test_accepts_gzip(value: str, expected: bool) -> None:
    assert accepts_gzip(value) is expected


def test_already_encoded_response_untouched() -> None:
    response = client().get("/encoded", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "br"
    assert response.headers["content-length"] == "1000"
    assert "vary" not in response.headers


def test_event_stream_never_compressed() -> None:
    response = client(minimum_size=1).get("/events", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in response.headers
    assert response.text == "data: 1\n\n"


def _bytes_app(*chunks: bytes, media_type: bytes = b"text/plain") -> Any:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"content-type", media_type)]
        if len(chunks) == 1:
            headers.append((b"content-length", b"%d" % len(chunks[0])))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        for i, chunk in enumerate(chunks):
            more = i < len(chunks) - 1
            await send({"type": "http.response.body", "body": chunk, "more_body": more})

    return app


def test_streaming_compressed_incrementally() -> None:
    chunks = [b"first chunk;", b"second chunk;", b"third"]

    async def run() -> Channel:
        channel = Channel(body_messages(b""))
        scope = http_scope("/", headers=[("accept-encoding", "gzip")])
        await GZipMiddleware(_bytes_app(*chunks))(scope, channel.receive, channel.send)
        return channel

    channel = asyncio.run(run())
    headers = dict(channel.start["headers"])
    assert headers[b"content-encoding"] == b"gzip"
    assert b"content-length" not in headers
    bodies = [m for m in channel.sent if m["type"] == "http.response.body"]
    assert len(bodies) == len(chunks)
    # Each chunk decodes on its own as soon as it arrives (sync flush), before the end.
    decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
    for message, original in zip(bodies, chunks, strict=True):
        assert decoder.decompress(message["body"]) == original
    assert bodies[-1]["more_body"] is False
    assert decoder.eof


def test_non_http_scope_passes_through() -> None:
    seen: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["type"])

    asyncio.run(GZipMiddleware(app)({"type": "lifespan"}, Channel().receive, Channel().send))
    assert seen == ["lifespan"]


@pytest.mark.parametrize(("level", "xfl"), [(1, 4), (6, 0), (9, 2)])
def test_compresslevel_is_used(level: int, xfl: int) -> None:
    payload = bytes(range(256)) * 64

    async def run() -> bytes:
        channel = Channel(body_messages(b""))
        scope = http_scope("/", headers=[("accept-encoding", "gzip")])
        middleware = GZipMiddleware(_bytes_app(payload), compresslevel=level)
        await middleware(scope, channel.receive, channel.send)
        return channel.body

    body = asyncio.run(run())
    assert body[8] == xfl  # gzip XFL byte: 2 = slowest/best, 4 = fastest (RFC 1952)
    assert gzip.decompress(body) == payload


PATHS = ["/big", "/plain", "/encoded", "/events", "/stream"]
ACCEPTS = ["gzip", "identity", "deflate, gzip"]


@pytest.mark.parametrize("path", PATHS)
def test_same_headers_as_starlette(path: str) -> None:
    ours = client()
    theirs = starlette_client(starlette.middleware.gzip.GZipMiddleware)
    for accept in ACCEPTS:
        mine = ours.get(path, headers={"Accept-Encoding": accept})
        peer = theirs.get(path, headers={"Accept-Encoding": accept})
        assert mine.status_code == peer.status_code
        assert mine.content == peer.content
        for name in ("content-encoding", "vary", "content-length", "content-type"):
            assert mine.headers.get(name) == peer.headers.get(name), (path, accept, name)


def test_strong_etag_weakened_only_when_compressed() -> None:
    async def run(accept: str, etag: bytes) -> dict[bytes, bytes]:
        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            headers = [(b"etag", etag), (b"content-length", b"1000")]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": b"e" * 1000})

        channel = Channel(body_messages(b""))
        scope = http_scope("/", headers=[("accept-encoding", accept)])
        await GZipMiddleware(app)(scope, channel.receive, channel.send)
        return dict(channel.start["headers"])

    assert asyncio.run(run("gzip", b'"abc"'))[b"etag"] == b'W/"abc"'
    assert asyncio.run(run("gzip", b'W/"abc"'))[b"etag"] == b'W/"abc"'
    assert asyncio.run(run("identity", b'"abc"'))[b"etag"] == b'"abc"'


def test_body_by_extension_message_passes_identity() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        start = {"type": "http.response.start", "status": 200, "headers": []}
        await send(start)
        await send({"type": "http.response.pathsend", "path": "/tmp/x"})

    async def run() -> Channel:
        channel = Channel(body_messages(b""))
        scope = http_scope("/", headers=[("accept-encoding", "gzip")])
        await GZipMiddleware(app)(scope, channel.receive, channel.send)
        return channel

    sent = asyncio.run(run()).sent
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.pathsend"]
    assert sent[0]["headers"] == []


async def _typed_app(scope: Scope, receive: Receive, send: Send) -> None:
    content_type = dict(scope["headers"]).get(b"x-type", b"text/plain")
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-type", content_type)]}
    )
    await send({"type": "http.response.body", "body": b"z" * 4000})


@pytest.mark.parametrize(
    ("content_type", "compressed"),
    [
        ("image/png", False),
        ("video/mp4", False),  # a whole type excluded
        ("application/grpc+proto", False),  # a flavour of an excluded type
        ("Text/Event-Stream; charset=utf-8", False),  # case and parameters ignored
        ("image/svg+xml", True),  # text, compresses well
        ("application/json", True),
    ],
)
def test_default_excluded_content_types(content_type: str, compressed: bool) -> None:
    from zephyr.testclient import TestClient

    response = TestClient(GZipMiddleware(_typed_app)).get(
        "/", headers={"accept-encoding": "gzip", "x-type": content_type}
    )
    assert response.content == b"z" * 4000
    assert ("content-encoding" in response.headers) is compressed
    # An excluded type never varies by Accept-Encoding: caches need not split it.
    assert ("vary" in response.headers) is compressed


def test_exclusion_list_can_be_replaced_or_cleared() -> None:
    from zephyr.testclient import TestClient

    mine = TestClient(GZipMiddleware(_typed_app, exclude_content_types=("Application/JSON; q=1",)))
    headers = {"accept-encoding": "gzip", "x-type": "application/json"}
    assert "content-encoding" not in mine.get("/", headers=headers).headers
    none = TestClient(GZipMiddleware(_typed_app, exclude_content_types=()))
    events = none.get("/", headers={"accept-encoding": "gzip", "x-type": "text/event-stream"})
    assert events.headers["content-encoding"] == "gzip"


def test_gzip_responder_compresses_without_negotiating() -> None:
    from zephyr.middleware.gzip import GZipResponder
    from zephyr.testclient import TestClient

    client = TestClient(GZipResponder(_typed_app, 100))
    raw = client.get("/", headers={"accept-encoding": "identity"})
    assert raw.headers["content-encoding"] == "gzip"  # the responder does not look at the client
    skip = TestClient(GZipResponder(_typed_app, 100, exclude_content_types=("text/*",)))
    assert "content-encoding" not in skip.get("/").headers


def test_large_chunks_compress_in_a_worker_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from zephyr.testclient import TestClient

    seen: list[str] = []
    real_compressobj = zlib.compressobj

    class Spy:
        def __init__(self, *args: Any) -> None:
            self.inner = real_compressobj(*args)

        def compress(self, data: bytes) -> bytes:
            seen.append(threading.current_thread().name)
            return self.inner.compress(data)

        def flush(self, mode: int = zlib.Z_FINISH) -> bytes:
            return self.inner.flush(mode)

    loop_thread: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        loop_thread.append(threading.current_thread().name)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"a" * 2000, "more_body": True})
        await send({"type": "http.response.body", "body": b"b" * 10})

    monkeypatch.setattr(zlib, "compressobj", Spy)
    response = TestClient(GZipMiddleware(app, thread_minimum_size=1000)).get(
        "/", headers={"accept-encoding": "gzip"}
    )
    assert response.content == b"a" * 2000 + b"b" * 10
    assert seen[0] != loop_thread[0]  # the 2000-byte chunk left the event loop
    assert seen[1] == loop_thread[0]  # the small tail did not


def test_responder_and_middleware_take_the_same_settings() -> None:
    from zephyr.middleware.gzip import GZipMiddleware, GZipResponder

    async def app(scope: Any, receive: Any, send: Any) -> None:  # pragma: no cover
        pass

    options: dict[str, Any] = {
        "minimum_size": 10,
        "compresslevel": 3,
        "thread_minimum_size": 1024,
        "exclude_content_types": ("text/csv",),
    }
    for cls in (GZipMiddleware, GZipResponder):
        configured = cls(app, **options)
        assert configured.minimum_size == 10 and configured.compresslevel == 3
        assert configured.thread_minimum_size == 1024
        assert "text/csv" in configured.excluded and "text/plain" not in configured.excluded
        assert cls(app).minimum_size == 500
