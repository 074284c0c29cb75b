"""Fixtures for driving ``HttpProtocol`` through a fake transport (no sockets)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from zephyr.server.config import Config
from zephyr.server.protocol import HttpProtocol
from zephyr.server.state import ServerState

App = Callable[[Any, Any, Any], Awaitable[None]]


def run(coro: Awaitable[None], timeout: float = 10) -> None:
    """Run one test coroutine on a fresh loop, failing it after ``timeout`` seconds."""

    async def bounded() -> None:
        await asyncio.wait_for(coro, timeout=timeout)

    asyncio.run(bounded())


async def read_body(receive: Callable[[], Awaitable[dict[str, Any]]]) -> bytes:
    """Read a request body to its end through ASGI ``receive``."""
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            return body


class FakeTransport(asyncio.Transport):
    """Records what the protocol does to its transport."""

    def __init__(self, peer: Any = ("127.0.0.1", 50000), sock: Any = ("127.0.0.1", 8000)) -> None:
        super().__init__()
        self.extra = {"peername": peer, "sockname": sock, "sslcontext": None}
        self.writes: list[bytes] = []
        self.closed = False
        self.eof_written = False
        self.protocol: asyncio.BaseProtocol | None = None
        self.reading = True
        self.pauses = 0
        self.resumes = 0
        self.limits: tuple[int | None, int | None] = (None, None)

    @property
    def data(self) -> bytes:
        return b"".join(self.writes)

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self.extra.get(name, default)

    def write(self, data: bytes | bytearray | memoryview) -> None:
        assert not self.closed, "write after close"
        assert not self.eof_written, "write after write_eof"
        self.writes.append(bytes(data))

    def can_write_eof(self) -> bool:
        return True

    def write_eof(self) -> None:
        assert not self.closed, "write_eof after close"
        self.eof_written = True

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self.protocol = protocol

    def get_protocol(self) -> asyncio.BaseProtocol:
        assert self.protocol is not None
        return self.protocol

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def pause_reading(self) -> None:
        assert self.reading, "pause_reading twice"
        self.reading = False
        self.pauses += 1

    def resume_reading(self) -> None:
        assert not self.reading, "resume_reading while reading"
        self.reading = True
        self.resumes += 1

    def is_reading(self) -> bool:
        return self.reading

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        self.limits = (high, low)

    def get_write_buffer_size(self) -> int:
        return 0


@dataclass
class Conn:
    """One protocol instance wired to a fake transport."""

    proto: HttpProtocol
    transport: FakeTransport
    state: ServerState
    feed_mode: str
    scopes: list[dict[str, Any]] = field(default_factory=list)

    def feed(self, data: bytes) -> None:
        """Feed bytes whole or one byte at a time (per the test's feed mode).

        Bytes go to the transport's current protocol: after a lingering
        close that is the ``Linger`` draining the connection.
        """
        if self.feed_mode == "whole":
            self.receiver().data_received(data)
            return
        for i in range(len(data)):
            if self.transport.closed:
                return
            self.receiver().data_received(data[i : i + 1])

    def receiver(self) -> Any:
        return self.transport.protocol or self.proto

    async def settle(self, rounds: int = 20) -> None:
        for _ in range(rounds):
            await asyncio.sleep(0)

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 2.0) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            if loop.time() > deadline:
                raise AssertionError("condition not reached in time")
            await asyncio.sleep(0.001)

    async def wait_closed(self, timeout: float = 2.0) -> None:
        await self.wait_for(lambda: self.transport.closed, timeout)

    def responses(self, head_methods: tuple[int, ...] = ()) -> list[Response]:
        return parse_responses(self.transport.data, head_methods)

    def lose(self) -> None:
        self.transport.closed = True
        self.receiver().connection_lost(None)


@dataclass
class Response:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    chunked: bool = False

    def header(self, name: bytes) -> bytes | None:
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None

    def header_count(self, name: bytes) -> int:
        return sum(1 for key, _ in self.headers if key.lower() == name)


def parse_responses(data: bytes, head_indexes: tuple[int, ...] = ()) -> list[Response]:
    """Split raw server output into responses (strict: trailing garbage fails)."""
    out: list[Response] = []
    while data:
        while data.startswith(b"HTTP/1.1 100 Continue\r\n\r\n"):
            data = data[len(b"HTTP/1.1 100 Continue\r\n\r\n") :]
        head, sep, rest = data.partition(b"\r\n\r\n")
        assert sep, f"incomplete head: {data[:200]!r}"
        lines = head.split(b"\r\n")
        assert lines[0].startswith(b"HTTP/1.1 "), lines[0]
        status = int(lines[0].split(b" ")[1])
        headers = []
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            headers.append((name, value.strip()))
        resp = Response(status, headers, b"")
        if len(out) in head_indexes or status in (204, 304):
            data = rest
        elif resp.header(b"transfer-encoding") == b"chunked":
            resp.chunked = True
            body = b""
            while True:
                size_line, _, rest = rest.partition(b"\r\n")
                size = int(size_line, 16)
                if size == 0:
                    assert rest.startswith(b"\r\n"), rest[:50]
                    rest = rest[2:]
                    break
                body += rest[:size]
                assert rest[size : size + 2] == b"\r\n"
                rest = rest[size + 2 :]
            resp.body = body
            data = rest
        elif resp.header(b"content-length") is not None:
            size = int(resp.header(b"content-length") or b"0")
            resp.body = rest[:size]
            assert len(resp.body) == size, "body shorter than content-length"
            data = rest[size:]
        else:  # close-delimited
            resp.body = rest
            data = b""
        out.append(resp)
    return out


@pytest.fixture(params=["whole", "bytewise"])
def feed_mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


MakeConn = Callable[..., Conn]


@pytest.fixture
def make_conn(feed_mode: str) -> MakeConn:
    """Build a connected protocol; call inside a running loop."""

    def make(
        app: App,
        state: ServerState | None = None,
        app_state: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
        **config: Any,
    ) -> Conn:
        config.setdefault("access_log", False)
        # Lingering close has its own tests; elsewhere "answered and closed"
        # is checked without waiting out the drain.
        config.setdefault("timeout_linger", 0)
        cfg = Config(app=app, **config)
        st = state if state is not None else ServerState()
        proto = HttpProtocol(cfg, app, st, app_state if app_state is not None else {})
        tr = FakeTransport()
        tr.extra.update(extra or {})
        tr.protocol = proto
        proto.connection_made(tr)
        return Conn(proto, tr, st, feed_mode)

    return make
