"""WebSocket connections through HttpProtocol on a fake transport, fed whole and byte by byte."""

from __future__ import annotations

import asyncio
import zlib
from typing import Any

import pytest
from websockets.frames import Frame, Opcode

from zephyr.server.proxy_headers import ProxyHeadersMiddleware
from zephyr.server.state import ServerState
from zephyr.server.websocket import WebSocketProtocol

from .conftest import parse_responses
from .ws_harness import Peer, echo_app, run


@pytest.fixture(params=["whole", "bytewise"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


# -- handshake and scope -----------------------------------------------------------


def test_handshake_scope_and_echo(mode: str) -> None:
    async def main() -> None:
        log: list[Any] = []
        peer = Peer(echo_app(log), mode)
        peer.handshake()
        await peer.wait_for(lambda: peer.response is not None)
        assert peer.response is not None and peer.response.status_code == 101
        assert peer.response.headers["Server"] == "zephyr"
        scope = log[0]
        assert scope["type"] == "websocket"
        assert scope["asgi"] == {"version": "3.0", "spec_version": "2.4"}
        assert scope["scheme"] == "ws"
        assert scope["path"] == "/chat" and scope["raw_path"] == b"/chat"
        assert scope["query_string"] == b"room=1"
        assert scope["http_version"] == "1.1"
        assert scope["client"] == ("127.0.0.1", 50000)
        assert scope["server"] == ("127.0.0.1", 8000)
        assert scope["subprotocols"] == []
        assert scope["extensions"] == {"websocket.http.response": {}}
        assert scope["state"] == {"k": "v"}
        assert "method" not in scope
        assert (b"sec-websocket-version", b"13") in scope["headers"]
        peer.send_text("héllo")
        peer.send_bytes(b"\x00\xff")
        await peer.wait_for(lambda: len(peer.messages()) == 2)
        assert peer.messages() == ["héllo", b"\x00\xff"]
        # The HTTP protocol is gone from the books; the WebSocket one counts.
        assert isinstance(peer.server, WebSocketProtocol)
        assert peer.state.connections == {peer.server}
        peer.close(1001, "going away")
        await peer.wait_for(lambda: peer.transport.closed)
        assert peer.close_frame() is not None and peer.close_frame().code == 1001
        await peer.wait_for(lambda: log[-1]["type"] == "websocket.disconnect")
        assert log[-1] == {"type": "websocket.disconnect", "code": 1001, "reason": "going away"}
        await peer.wait_for(lambda: not peer.state.tasks and not peer.state.connections)

    run(main())


def test_fragmented_messages_are_assembled(mode: str) -> None:
    async def main() -> None:
        log: list[Any] = []
        peer = Peer(echo_app(log), mode)
        peer.handshake()
        await peer.wait_for(lambda: peer.response is not None)
        text = "zéphyr ☃ wind".encode()
        # Split inside a multi-byte character: the decoder must carry it over.
        peer.client.send_text(text[:2], fin=False)
        peer.client.send_continuation(text[2:9], fin=False)
        peer.client.send_ping(b"p")  # control frames may sit between fragments
        peer.client.send_continuation(text[9:], fin=True)
        peer.client.send_binary(b"ab", fin=False)
        peer.client.send_continuation(b"cd", fin=True)
        peer.send_client_data()
        await peer.wait_for(lambda: len(peer.messages()) == 2)
        assert peer.messages() == ["zéphyr ☃ wind", b"abcd"]
        assert any(f.opcode is Opcode.PONG and f.data == b"p" for f in peer.frames)

    run(main())


def test_subprotocol_and_extra_headers(mode: str) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        assert scope["subprotocols"] == ["v2.chat", "v1.chat"]
        await receive()
        await send(
            {
                "type": "websocket.accept",
                "subprotocol": "v1.chat",
                "headers": [(b"x-room", b"1"), (b"set-cookie", b"a=b")],
            }
        )
        await receive()

    async def main() -> None:
        peer = Peer(app, mode, subprotocols=["v2.chat", "v1.chat"])
        peer.handshake()
        await peer.wait_for(lambda: peer.response is not None)
        assert peer.response is not None
        assert peer.response.headers["Sec-WebSocket-Protocol"] == "v1.chat"
        assert peer.response.headers["X-Room"] == "1"
        assert peer.response.headers["Set-Cookie"] == "a=b"
        assert peer.client.subprotocol == "v1.chat"

    run(main())


def test_permessage_deflate_negotiated_and_disabled(mode: str) -> None:
    async def main() -> None:
        peer = Peer(echo_app(), mode, deflate=True)
        peer.handshake()
        await peer.wait_for(lambda: peer.response is not None)
        assert peer.response is not None
        assert "permessage-deflate" in peer.response.headers["Sec-WebSocket-Extensions"]
        peer.send_text("a" * 5000)
        await peer.wait_for(lambda: peer.messages() == ["a" * 5000])
        assert len(peer.transport.data) < 2000  # the echo went out compressed

        off = Peer(echo_app(), mode, deflate=True, ws_per_message_deflate=False)
        off.handshake()
        await off.wait_for(lambda: off.response is not None)
        assert off.response is not None
        assert "Sec-WebSocket-Extensions" not in off.response.headers

    run(main())


def test_early_frames_after_the_head_wait_for_accept(mode: str) -> None:
    accept = asyncio.Event()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await accept.wait()
        await send({"type": "websocket.accept"})
        message = await receive()
        await send({"type": "websocket.send", "text": "got " + message["text"]})
        await receive()

    async def main() -> None:
        peer = Peer(app, mode)
        # Build the frame the client will send right after its request.
        request = peer.client.connect()
        peer.client.send_request(request)
        head = b"".join(peer.client.data_to_send())
        frame = Frame(Opcode.TEXT, b"early").serialize(mask=True, extensions=[])
        peer.feed(head + frame)
        await peer.settle()
        assert not peer.transport.reading  # nothing more is read before the app decides
        accept.set()
        await peer.wait_for(lambda: peer.messages() == ["got early"])
        assert peer.transport.reading

    run(main())


# -- handshake errors and non-WebSocket upgrades ------------------------------------

_BASE = [
    b"Host: x",
    b"Upgrade: websocket",
    b"Connection: Upgrade",
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    b"Sec-WebSocket-Version: 13",
]


def _request(lines: list[bytes], start: bytes = b"GET /ws HTTP/1.1") -> bytes:
    return b"\r\n".join([start, *lines, b"", b""])


@pytest.mark.parametrize(
    ("lines", "start", "status", "text"),
    [
        ([line for line in _BASE if b"Key" not in line], b"GET /ws HTTP/1.1", 400, b"Key"),
        (
            [*_BASE[:3], b"Sec-WebSocket-Key: short", _BASE[4]],
            b"GET /ws HTTP/1.1",
            400,
            b"Sec-WebSocket-Key",
        ),
        ([*_BASE[:4], b"Sec-WebSocket-Version: 8"], b"GET /ws HTTP/1.1", 426, b"13"),
        ([*_BASE, b"Content-Length: 0"], b"POST /ws HTTP/1.1", 400, b"GET"),
        ([*_BASE, b"Content-Length: 3"], b"GET /ws HTTP/1.1", 400, b"body"),
    ],
    ids=["missing-key", "bad-key", "bad-version", "post", "body"],
)
def test_bad_handshakes_get_4xx_without_the_app(
    mode: str, lines: list[bytes], start: bytes, status: int, text: bytes
) -> None:
    called: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        called.append(scope)

    async def main() -> None:
        peer = Peer(app, mode)
        body = b"abc" if b"Content-Length: 3" in lines else b""
        peer.feed(_request(lines, start) + body)
        await peer.settle()
        [response] = parse_responses(peer.transport.data)
        assert response.status == status
        assert text in response.body
        if status == 426:
            assert response.header(b"sec-websocket-version") == b"13"
        assert peer.transport.closed
        assert not called

    run(main())


def test_connection_header_tokens_not_substrings(mode: str) -> None:
    async def main() -> None:
        peer = Peer(echo_app(), mode)
        lines = [line for line in _BASE if not line.startswith(b"Connection")]
        peer.feed(_request([*lines, b"Connection: keep-alive, Upgrade"]))
        await peer.settle()
        assert peer.transport.data.startswith(b"HTTP/1.1 101 ")

    run(main())


async def _http_app(scope: Any, receive: Any, send: Any) -> None:
    assert scope["type"] == "http"
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": scope["path"].encode()})


@pytest.mark.parametrize(
    ("upgrade", "ws"),
    [(b"h2c", "auto"), (b"websocketx", "auto"), (b"websocket", "none")],
)
def test_other_upgrades_are_plain_http(mode: str, upgrade: bytes, ws: str) -> None:
    async def main() -> None:
        peer = Peer(_http_app, mode, ws=ws)
        first = _request(
            [b"Host: x", b"Connection: Upgrade", b"Upgrade: " + upgrade], b"GET /a HTTP/1.1"
        )
        second = _request([b"Host: x"], b"GET /b HTTP/1.1")
        peer.feed(first + second)
        await peer.settle()
        responses = parse_responses(peer.transport.data)
        assert [(r.status, r.body) for r in responses] == [(200, b"/a"), (200, b"/b")]
        assert not peer.transport.closed

    run(main())


def test_upgrade_pipelined_behind_a_request_is_refused_in_order(mode: str) -> None:
    async def slow_app(scope: Any, receive: Any, send: Any) -> None:
        # Still answering when the upgrade arrives, also when fed byte by byte
        # (a request task started eagerly would otherwise be done by then).
        await asyncio.sleep(0)
        await _http_app(scope, receive, send)

    async def main() -> None:
        peer = Peer(slow_app, mode)
        peer.feed(_request([b"Host: x"], b"GET /a HTTP/1.1") + _request(_BASE))
        await peer.settle()
        responses = parse_responses(peer.transport.data)
        assert [r.status for r in responses] == [200, 400]
        assert b"pipelined" in responses[1].body
        assert peer.transport.closed

    run(main())


# -- denial and failures before accept -------------------------------------------


def test_close_before_accept_is_403(mode: str) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.close", "code": 1008})

    async def main() -> None:
        peer = Peer(app, mode)
        peer.handshake()
        await peer.settle()
        [response] = parse_responses(peer.transport.data)
        assert response.status == 403
        assert peer.transport.closed
        await peer.wait_for(lambda: not peer.state.tasks)

    run(main())


@pytest.mark.parametrize("with_length", [True, False])
def test_denial_response_extension(mode: str, with_length: bool) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        headers = [(b"content-type", b"text/plain"), (b"x-why", b"nope")]
        if with_length:
            headers.append((b"content-length", b"9"))
        await send({"type": "websocket.http.response.start", "status": 401, "headers": headers})
        await send({"type": "websocket.http.response.body", "body": b"not ", "more_body": True})
        await send({"type": "websocket.http.response.body", "body": b"here!"})
        message = await receive()
        assert message["type"] == "websocket.disconnect"

    async def main() -> None:
        peer = Peer(app, mode)
        peer.handshake()
        await peer.wait_for(lambda: peer.transport.closed)
        [response] = parse_responses(peer.transport.data)
        assert response.status == 401
        assert response.body == b"not here!"
        assert response.header(b"x-why") == b"nope"
        assert response.header(b"connection") == b"close"
        await peer.wait_for(lambda: not peer.state.tasks)

    run(main())


@pytest.mark.parametrize("crash", [True, False])
def test_app_failing_before_accept_is_500(
    mode: str, crash: bool, caplog: pytest.LogCaptureFixture
) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        if crash:
            raise ValueError("boom")

    async def main() -> None:
        peer = Peer(app, mode)
        peer.handshake()
        await peer.wait_for(lambda: peer.transport.closed)
        [response] = parse_responses(peer.transport.data)
        assert response.status == 500

    run(main())
    expected = "Exception in ASGI application" if crash else "without accepting"
    assert expected in caplog.text


@pytest.mark.parametrize(("crash", "code"), [(True, 1011), (False, 1000)])
def test_app_ending_after_accept_closes(mode: str, crash: bool, code: int) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.send", "text": "bye"})
        if crash:
            raise RuntimeError("boom")

    async def main() -> None:
        peer = Peer(app, mode)
        peer.handshake()
        await peer.wait_for(lambda: peer.close_frame() is not None)
        assert peer.messages() == ["bye"]
        assert peer.client.close_rcvd is not None and peer.client.close_rcvd.code == code
        await peer.wait_for(lambda: peer.transport.closed)  # our close echo completes it

    run(main())


# -- closing ---------------------------------------------------------------------


def test_server_initiated_close(mode: str) -> None:
    events: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.close", "code": 4000, "reason": "done"})
        await send({"type": "websocket.close"})  # a second close is ignored
        with pytest.raises(OSError):
            await send({"type": "websocket.send", "text": "late"})
        events.append(await receive())

    async def main() -> None:
        peer = Peer(app, mode)
        peer.handshake()
        await peer.wait_for(lambda: peer.close_frame() is not None)
        assert peer.client.close_rcvd is not None
        assert (peer.client.close_rcvd.code, peer.client.close_rcvd.reason) == (4000, "done")
        await peer.wait_for(lambda: peer.transport.closed)
        await peer.wait_for(lambda: bool(events))
        assert events[0]["type"] == "websocket.disconnect" and events[0]["code"] == 4000

    run(main())


def test_send_after_client_vanished_raises_oserror(mode: str) -> None:
    results: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        results.append(await receive())
        try:
            await send({"type": "websocket.send", "text": "anyone?"})
        except OSError as exc:
            results.append(exc)

    async def main() -> None:
        peer = Peer(app, mode)
        peer.handshake()
        await peer.wait_for(lambda: peer.response is not None)
        peer.transport.close()  # TCP gone without a close frame
        await peer.wait_for(lambda: len(results) == 2)
        assert results[0] == {"type": "websocket.disconnect", "code": 1006, "reason": ""}
        assert isinstance(results[1], OSError)

    run(main())


def test_shutdown_closes_with_1012(mode: str) -> None:
    log: list[Any] = []

    async def main() -> None:
        state = ServerState()
        peer = Peer(echo_app(log), mode, state=state)
        peer.handshake()
        await peer.wait_for(lambda: peer.response is not None)
        for connection in list(state.connections):
            connection.shutdown()
        await peer.wait_for(lambda: peer.close_frame() is not None)
        assert peer.client.close_rcvd is not None and peer.client.close_rcvd.code == 1012
        await peer.wait_for(lambda: peer.transport.closed)
        await peer.wait_for(lambda: not state.connections and not state.tasks)
        assert log[-1]["type"] == "websocket.disconnect" and log[-1]["code"] == 1012

    run(main())


def test_unanswered_close_times_out(mode: str) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.close"})

    async def main() -> None:
        peer = Peer(app, mode, ws_ping_timeout=0.2)
        peer.handshake()
        # Not pumped: the client never reads the close, so never answers it.
        await _poll(lambda: isinstance(peer.server, WebSocketProtocol))
        await _poll(lambda: peer.server.conn.close_sent is not None)
        assert not peer.transport.closed  # the client may still answer
        # It never does: the server gives up after ws_ping_timeout.
        await _poll(lambda: peer.transport.aborted)

    run(main())


async def _poll(predicate: Any, timeout: float = 5.0) -> None:
    """Wait for ``predicate`` without letting the client read (it must stay silent)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.005)


# -- limits ----------------------------------------------------------------------


@pytest.mark.parametrize("deflate", [False, True])
def test_oversize_message_closes_1009(mode: str, deflate: bool) -> None:
    log: list[Any] = []

    async def main() -> None:
        peer = Peer(echo_app(log), mode, deflate=deflate, ws_max_size=10_000)
        peer.handshake()
        await peer.wait_for(lambda: peer.response is not None)
        peer.send_bytes(b"x" * 10_000)  # exactly at the limit: fine
        await peer.wait_for(lambda: len(peer.messages()) == 1)
        # Compressed, 200 kB of zeros is a few hundred bytes on the wire: the
        # limit must hold on the inflated size.
        payload = b"\x00" * 200_000 if deflate else b"y" * 10_001
        peer.send_bytes(payload)
        await peer.wait_for(lambda: peer.close_frame() is not None)
        assert peer.client.close_rcvd is not None and peer.client.close_rcvd.code == 1009
        await peer.wait_for(lambda: peer.transport.closed)
        await peer.wait_for(lambda: log[-1]["type"] == "websocket.disconnect")
        assert log[-1]["code"] == 1009

    run(main())


def test_compressed_frame_is_small_on_the_wire() -> None:
    # Guard for the test above: the deflated payload really is tiny.
    compressor = zlib.compressobj(wbits=-15)
    assert len(compressor.compress(b"\x00" * 200_000) + compressor.flush()) < 1000


def test_invalid_utf8_closes_1007(mode: str) -> None:
    async def main() -> None:
        peer = Peer(echo_app(), mode)
        peer.handshake()
        await peer.wait_for(lambda: peer.response is not None)
        peer.client.send_text(b"ok \xce", fin=False)  # incomplete so far: fine
        peer.client.send_continuation(b"\xff", fin=True)  # now invalid
        peer.send_client_data()
        await peer.wait_for(lambda: peer.close_frame() is not None)
        assert peer.client.close_rcvd is not None and peer.client.close_rcvd.code == 1007

    run(main())


def test_backpressure_pauses_reading_until_the_app_reads(mode: str) -> None:
    go = asyncio.Event()
    got: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        await go.wait()
        while len(got) < 5:
            got.append(await receive())

    async def main() -> None:
        peer = Peer(app, mode, ws_max_queue=3)
        peer.handshake()
        await peer.wait_for(lambda: peer.response is not None)
        for i in range(5):
            peer.send_text(str(i))
        await peer.settle()
        assert not peer.transport.reading
        assert peer.transport.pauses == 1
        go.set()
        await peer.wait_for(lambda: len(got) == 5)
        assert peer.transport.reading
        assert [m["text"] for m in got] == ["0", "1", "2", "3", "4"]

    run(main())


def test_send_waits_for_the_write_buffer_to_drain(mode: str) -> None:
    sent: list[int] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        for i in range(3):
            await send({"type": "websocket.send", "bytes": b"z" * 10})
            sent.append(i)
        await receive()

    async def main() -> None:
        peer = Peer(app, mode)
        peer.server.pause_writing()  # the HTTP protocol's flow control carries over
        peer.handshake()
        await peer.settle()
        assert sent == []  # first send is written, then waits
        peer.server.resume_writing()
        await peer.wait_for(lambda: sent == [0, 1, 2])

    run(main())


# -- keep-alive ------------------------------------------------------------------


def test_ping_timeout_closes_1011(mode: str) -> None:
    log: list[Any] = []

    async def main() -> None:
        peer = Peer(echo_app(log), mode, ws_ping_interval=0.02, ws_ping_timeout=0.05)
        peer.handshake()
        # Never pump: the client does not see (or answer) the pings.
        await _poll(lambda: peer.transport.closed)
        assert b"keepalive ping timeout" in peer.transport.data
        await peer.wait_for(lambda: log[-1]["type"] == "websocket.disconnect")
        assert log[-1]["code"] == 1011

    run(main())


def test_answered_pings_keep_the_connection(mode: str) -> None:
    async def main() -> None:
        peer = Peer(echo_app(), mode, ws_ping_interval=0.02, ws_ping_timeout=0.25)
        peer.handshake()
        # 25 answered pings span at least 0.5 s: twice the pong timeout.
        # (wait_for pumps: the client protocol answers each ping with a pong.)
        await peer.wait_for(lambda: sum(f.opcode is Opcode.PING for f in peer.frames) >= 25)
        assert not peer.transport.closed

    run(main())


# -- proxies ---------------------------------------------------------------------


def test_trusted_proxy_headers_apply_to_websocket_scope(mode: str) -> None:
    log: list[Any] = []
    app = echo_app(log)

    async def main() -> None:
        peer = Peer(app, mode, server_app=ProxyHeadersMiddleware(app, "127.0.0.1"))
        request = peer.client.connect()
        request.headers["X-Forwarded-Proto"] = "https"
        request.headers["X-Forwarded-For"] = "203.0.113.7"
        peer.client.send_request(request)
        peer.feed(b"".join(peer.client.data_to_send()))
        await peer.wait_for(lambda: bool(log))
        assert log[0]["scheme"] == "wss"
        assert log[0]["client"] == ("203.0.113.7", 0)

    run(main())


# -- robustness ------------------------------------------------------------------


def test_big_cookie_and_long_url_do_not_fail_the_handshake(mode: str) -> None:
    log: list[Any] = []

    async def main() -> None:
        peer = Peer(echo_app(log), mode)
        cookie = b"Cookie: session=" + b"c" * 12_000
        target = b"GET /ws?q=" + b"q" * 8000 + b" HTTP/1.1"
        peer.feed(_request([*_BASE, cookie], target))
        await peer.settle()
        assert peer.transport.data.startswith(b"HTTP/1.1 101 ")
        assert log[0]["query_string"] == b"q=" + b"q" * 8000

    run(main())


def test_invalid_close_code_from_app_is_a_runtime_error(mode: str) -> None:
    errors: list[Exception] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        try:
            await send({"type": "websocket.close", "code": 1005})
        except RuntimeError as exc:
            errors.append(exc)
        await send({"type": "websocket.close", "code": 1000})

    async def main() -> None:
        peer = Peer(app, mode)
        peer.handshake()
        await peer.wait_for(lambda: peer.close_frame() is not None)
        assert "1005" in str(errors[0])
        assert peer.client.close_rcvd is not None and peer.client.close_rcvd.code == 1000

    run(main())


@pytest.mark.parametrize("size", [0, 125, 126, 65535, 65536, 200_000])
def test_echo_sizes_across_frame_length_encodings(size: int) -> None:
    payload = bytes(range(256)) * (size // 256) + b"x" * (size % 256)

    async def one(deflate: bool) -> None:
        peer = Peer(echo_app(), "whole", deflate=deflate)
        peer.handshake()
        await peer.wait_for(lambda: peer.response is not None)
        peer.send_bytes(payload)
        peer.send_text("t" * size)
        await peer.wait_for(lambda: len(peer.messages()) == 2)
        assert peer.messages() == [payload, "t" * size]

    async def main() -> None:
        await one(deflate=False)
        await one(deflate=True)

    run(main())


def test_small_frames_skip_the_parser_and_mix_with_the_rest(mode: str) -> None:
    async def main() -> None:
        log: list[Any] = []
        peer = Peer(echo_app(log), mode)
        peer.handshake()
        await peer.wait_for(lambda: peer.response is not None)
        server = peer.server
        assert isinstance(server, WebSocketProtocol)
        parsed: list[int] = []
        receive_data = server.conn.receive_data

        def counting(data: bytes) -> None:
            parsed.append(len(data))
            receive_data(data)

        server.conn.receive_data = counting  # type: ignore[method-assign]
        peer.client.send_text(b"one")
        peer.send_client_data()
        await peer.wait_for(lambda: len(peer.messages()) == 1)
        if mode == "whole":
            assert parsed == []  # a whole small frame never reaches the parser
        # One chunk: small frames around a ping, a 200-byte frame, a fragmented
        # message and binary data; order and pong must survive the hand-offs.
        peer.client.send_text(b"two")
        peer.client.send_ping(b"p")
        peer.client.send_binary(b"x" * 200)
        peer.client.send_text(b"fr", fin=False)
        peer.client.send_continuation(b"ag", fin=True)
        peer.client.send_binary(b"\x00\xff")
        peer.client.send_text("zéphyr".encode())
        peer.send_client_data()
        await peer.wait_for(lambda: len(peer.messages()) == 6)
        assert peer.messages() == ["one", "two", b"x" * 200, "frag", b"\x00\xff", "zéphyr"]
        assert any(f.opcode is Opcode.PONG and f.data == b"p" for f in peer.frames)

    run(main())
