"""WebSocket opening handshake helpers (RFC 6455 §4.2) for the HTTP/1.1 protocol.

The HTTP protocol has already parsed the request head with httptools; these
helpers decide whether it asks for a WebSocket, check what the sans-I/O
``websockets`` protocol would not word clearly, and rebuild the head for it.
"""

from __future__ import annotations

from zephyr.server._cycle import _check_name, status_line
from zephyr.server._date import date_header

__all__ = [
    "HandshakeError",
    "build_http_response_head",
    "check_request",
    "header_tokens",
    "is_websocket_upgrade",
    "rebuild_request",
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


def rebuild_request(url: bytes, headers: list[tuple[bytes, bytes]]) -> bytes:
    """Serialise a parsed GET request head again, for the sans-I/O protocol.

    Args:
        url: The raw request target.
        headers: Request headers (names lower-cased; values as received).

    Returns:
        ``GET <url> HTTP/1.1`` CRLF, header lines, blank line.
    """
    lines = [b"GET " + url + b" HTTP/1.1"]
    lines += [name + b": " + value for name, value in headers]
    lines.append(b"\r\n")
    return b"\r\n".join(lines)


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
        lower = _check_name(name)
        if type(value) is not bytes or b"\r" in value or b"\n" in value:
            raise RuntimeError(f"Invalid HTTP header value {value!r} for {name!r}")
        if lower == b"content-length":
            has_length = True
        elif lower in (b"connection", b"transfer-encoding"):
            continue  # this server frames the response and closes the connection
        parts.append(lower + b": " + value + b"\r\n")
    parts += [b"connection: close\r\n", date_header(), static_headers]
    return b"".join(parts), has_length
