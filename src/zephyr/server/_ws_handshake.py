"""WebSocket opening handshake helpers (RFC 6455 §4.2) for the HTTP/1.1 protocol.

The HTTP protocol has already parsed the request head with httptools; these
helpers decide whether it asks for a WebSocket, check what the sans-I/O
``websockets`` protocol would not word clearly, and rebuild the head for it.
"""

from __future__ import annotations

import functools
import importlib.util

from zephyr.server._date import date_header
from zephyr.server._response_head import check_name, status_line

__all__ = [
    "HandshakeError",
    "build_http_response_head",
    "check_request",
    "header_tokens",
    "is_websocket_upgrade",
    "rebuild_request",
    "websocket_support",
    "websockets_available",
]


class HandshakeError(Exception):
    """A request that cannot become a WebSocket, with the HTTP answer to give.

    Args:
        status: HTTP status code (400, 426).
        reason: Plain-text body naming the problem.
        headers: Extra response header lines, already encoded.
    """

    def __init__(self, status: int, reason: str, headers: bytes = b"") -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.headers = headers


def header_tokens(headers: list[tuple[bytes, bytes]], name: bytes) -> set[bytes]:
    """Collect the comma-separated tokens of every ``name`` header, lower-cased.

    Args:
        headers: Request headers, names lower-cased.
        name: Lower-case header name, e.g. ``b"connection"``.

    Returns:
        The set of non-empty, stripped, lower-cased tokens (RFC 9110 §5.6.1 lists).
    """
    tokens: set[bytes] = set()
    for key, value in headers:
        if key == name:
            for token in value.split(b","):
                token = token.strip().lower()
                if token:
                    tokens.add(token)
    return tokens


def is_websocket_upgrade(headers: list[tuple[bytes, bytes]]) -> bool:
    """Tell whether a request asks to switch to WebSocket.

    True when ``Connection`` lists the ``upgrade`` token and ``Upgrade`` lists
    ``websocket`` (both compared as whole tokens, case-insensitively; so
    ``Connection: keep-alive, Upgrade`` counts and ``Upgrade: websocketx`` does not).

    Args:
        headers: Request headers, names lower-cased.

    Returns:
        Whether the request is a WebSocket upgrade request.
    """
    return b"upgrade" in header_tokens(headers, b"connection") and b"websocket" in header_tokens(
        headers, b"upgrade"
    )


def check_request(
    method: str,
    version: str,
    headers: list[tuple[bytes, bytes]],
    has_body: bool,
) -> None:
    """Reject handshake requests with a precise status before the app runs.

    The sans-I/O protocol checks the key, the ``Upgrade``/``Connection``
    headers and extensions; this covers the cases it words poorly or that
    differ across ``websockets`` versions.

    Args:
        method: Request method.
        version: HTTP version, ``"1.1"`` or ``"1.0"``.
        headers: Request headers, names lower-cased.
        has_body: Whether the request announced a body.

    Raises:
        HandshakeError: 400 for a non-GET method, HTTP/1.0, a body or a
            missing key; 426 (with ``Sec-WebSocket-Version: 13``) for a
            missing or unsupported protocol version (RFC 6455 §4.4).
    """
    if method != "GET":
        raise HandshakeError(400, f"Bad Request: a WebSocket handshake must use GET, not {method}")
    if version != "1.1":
        raise HandshakeError(400, "Bad Request: a WebSocket handshake needs HTTP/1.1")
    if has_body:
        raise HandshakeError(400, "Bad Request: a WebSocket handshake must not have a body")
    versions = [value for name, value in headers if name == b"sec-websocket-version"]
    if versions != [b"13"]:
        raise HandshakeError(
            426,
            "Upgrade Required: unsupported Sec-WebSocket-Version; this server speaks 13",
            b"sec-websocket-version: 13\r\n",
        )
    if not any(name == b"sec-websocket-key" for name, _ in headers):
        raise HandshakeError(400, "Bad Request: missing Sec-WebSocket-Key header")


_HANDSHAKE_HEADERS = frozenset(
    {
        b"host",
        b"connection",
        b"upgrade",
        b"sec-websocket-key",
        b"sec-websocket-version",
        b"sec-websocket-extensions",
        b"sec-websocket-protocol",
    }
)


def rebuild_request(headers: list[tuple[bytes, bytes]]) -> bytes:
    """Serialise the handshake part of a parsed request head for the sans-I/O protocol.

    Only the headers the handshake reads are passed on, and the target is
    ``/``: the sans-I/O parser has its own line and header-count limits
    (8 KiB, 128), and a long URL or a big cookie that zephyr's own limits
    accept must not fail the handshake. The app sees the full request.

    Args:
        headers: Request headers (names lower-cased; values as received).

    Returns:
        ``GET / HTTP/1.1`` CRLF, the handshake header lines, blank line.
    """
    lines = [b"GET / HTTP/1.1"]
    lines += [name + b": " + value for name, value in headers if name in _HANDSHAKE_HEADERS]
    lines.append(b"\r\n")
    return b"\r\n".join(lines)


@functools.cache
def websockets_available() -> bool:
    """Tell whether the ``websockets`` package (the sans-I/O protocol) is installed."""
    return importlib.util.find_spec("websockets") is not None


def websocket_support(setting: str) -> bool:
    """Resolve the ``ws`` setting to on/off.

    Args:
        setting: ``"auto"``, ``"websockets"`` or ``"none"``.

    Returns:
        True when upgrade requests should become WebSockets: ``"websockets"``
        always, ``"auto"`` when the package is installed.

    Raises:
        ImportError: ``"websockets"`` was asked for but is not installed.
    """
    if setting == "none":
        return False
    if setting == "websockets" and not websockets_available():
        raise ImportError(
            "ws='websockets' needs the 'websockets' package: pip install 'zephyr[standard]'"
        )
    return websockets_available()


def build_http_response_head(
    status: int, headers: list[tuple[bytes, bytes]], static_headers: bytes
) -> tuple[bytes, bool]:
    """Encode the head of an app's denial response (``websocket.http.response.start``).

    Args:
        status: HTTP status code from the app.
        headers: The app's ``(name, value)`` byte pairs.
        static_headers: Pre-encoded per-server header lines.

    Returns:
        ``(head, has_length)``: the head bytes (status line, app headers,
        ``connection: close``, ``Date``, static headers) without the final
        blank line, and whether the app set ``Content-Length``.

    Raises:
        RuntimeError: Invalid status, header name or value.
    """
    parts = [status_line(status)]
    has_length = False
    for name, value in headers:
        lower = check_name(name)
        if type(value) is not bytes or b"\r" in value or b"\n" in value:
            raise RuntimeError(f"Invalid HTTP header value {value!r} for {name!r}")
        if lower == b"content-length":
            has_length = True
        elif lower in (b"connection", b"transfer-encoding"):
            continue  # this server frames the response and closes the connection
        parts.append(lower + b": " + value + b"\r\n")
    parts += [b"connection: close\r\n", date_header(), static_headers]
    return b"".join(parts), has_length
