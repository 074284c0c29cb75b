"""The ceiling: a bare uvloop + httptools protocol answering fixed bytes, no framework, no ASGI.

Run: ``python -m benchmarks.apps.raw_protocol --port 8000``. Serves
``/plaintext`` and ``/json`` (the JSON object is still encoded per request, a
TechEmpower rule), 404 otherwise; keep-alive and pipelining are honoured.
No Python web stack can be faster than this on the same core.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from email.utils import formatdate

import httptools
import uvloop

_date = b""
_date_second = 0


def _date_header() -> bytes:
    # PERF: the Date value changes once a second; formatting it per response costs ~2 us.
    global _date, _date_second
    now = int(time.time())
    if now != _date_second:
        _date_second = now
        _date = formatdate(now, usegmt=True).encode()
    return _date


def _response(ctype: bytes, body: bytes, status: bytes = b"200 OK") -> bytes:
    return b"".join(
        (
            b"HTTP/1.1 ", status, b"\r\nServer: raw\r\nDate: ", _date_header(),
            b"\r\nContent-Type: ", ctype, b"\r\nContent-Length: ", str(len(body)).encode(),
            b"\r\n\r\n", body,
        )
    )  # fmt: skip


class RawProtocol(asyncio.Protocol):
    """One connection: parse with httptools, answer each complete request in order."""

    def __init__(self) -> None:
        self.parser = httptools.HttpRequestParser(self)
        self.transport: asyncio.Transport | None = None
        self.url = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            assert self.transport is not None
            self.transport.write(_response(b"text/plain", b"Bad Request", b"400 Bad Request"))
            self.transport.close()

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_message_complete(self) -> None:
        path = self.url.split(b"?", 1)[0]
        self.url = b""
        if path == b"/plaintext":
            out = _response(b"text/plain", b"Hello, World!")
        elif path == b"/json":
            body = json.dumps({"message": "Hello, World!"}, separators=(",", ":")).encode()
            out = _response(b"application/json", body)
        else:
            out = _response(b"text/plain", b"Not Found", b"404 Not Found")
        assert self.transport is not None
        self.transport.write(out)
        if not self.parser.should_keep_alive():
            self.transport.close()


async def serve(host: str, port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(RawProtocol, host, port, backlog=16384)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    try:
        uvloop.run(serve(args.host, args.port))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
