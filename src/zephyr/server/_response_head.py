"""Encoding a response head: status lines, header names, content-length lines.

Shared by the HTTP cycle (``_cycle.py``), the server's own error answers and
the WebSocket handshake (``_ws_handshake.py``). The caches here are bounded
and keyed by what an app sends, so repeated responses skip validation.
"""

from __future__ import annotations

import http
import re
from typing import Any

from zephyr.server._date import date_header

__all__ = [
    "CLOSE",
    "FRAMING_NAMES",
    "HEADER_LINES",
    "NAME_CACHE",
    "check_name",
    "content_length",
    "error_response",
    "parse_length",
    "remember_line",
    "status_line",
]

CLOSE = b"connection: close\r\n"

# PERF: status lines are encoded once at import, not per response.
STATUS_LINES: dict[int, bytes] = {
    int(s): b"HTTP/1.1 %d %s\r\n" % (s.value, s.phrase.encode("ascii")) for s in http.HTTPStatus
}

# RFC 9110 §5.6.2 token characters.
_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# PERF: validated header names are remembered (raw -> lower-case) so the usual
# handful of names an app sends costs one dict lookup each; bounded so a
# hostile app cannot grow it without limit.
NAME_CACHE: dict[bytes, bytes] = {}
NAME_CACHE_MAX = 1024
FRAMING_NAMES = frozenset({b"content-length", b"transfer-encoding", b"connection"})
# (name, value) -> (encoded header line, content-length or -1) for validated
# pairs; transfer-encoding and connection pairs always take the full path.
HEADER_LINES: dict[tuple[bytes, bytes], tuple[bytes, int]] = {}
HEADER_LINES_MAX = 1024


def remember_line(pair: tuple[bytes, bytes], line: bytes, length: int) -> None:
    """Remember a validated header pair's encoded line (see ``HEADER_LINES``).

    Args:
        pair: The ``(name, value)`` tuple as the app sent it.
        line: Its encoded ``name: value\\r\\n`` line.
        length: Its content-length value, or -1 for any other header.
    """
    # Emptied when full, so one-off values (request ids, cookies) cannot keep
    # the pairs an app sends on every response out for good.
    if len(HEADER_LINES) >= HEADER_LINES_MAX:
        HEADER_LINES.clear()
    HEADER_LINES[pair] = (line, length)


def status_line(status: Any) -> bytes:
    """Return the encoded ``HTTP/1.1 <code> <reason>\\r\\n`` status line.

    Args:
        status: The status code, 100-999, as the app sent it (Any: checked here,
            so that a compiled build raises this RuntimeError, not a TypeError).

    Returns:
        The status line as bytes; unknown codes get an empty reason phrase.

    Raises:
        RuntimeError: When ``status`` is not an int in 100-999.
    """
    line = STATUS_LINES.get(status)
    if line is not None:
        return line
    if type(status) is not int or not 100 <= status <= 999:
        raise RuntimeError(f"Invalid HTTP status code {status!r} in 'http.response.start'")
    return b"HTTP/1.1 %d \r\n" % status


def error_response(status: int, reason: str, static_headers: bytes) -> bytes:
    """Build a complete server-generated error response that closes the connection.

    Args:
        status: HTTP status code (400, 408, 413, 414, 431, 500, 503, ...).
        reason: Short plain-text body naming the problem (ASCII).
        static_headers: Pre-encoded per-server header lines (``Server``, defaults).

    Returns:
        The response bytes: status line, ``content-type: text/plain;
        charset=utf-8``, ``content-length``, ``connection: close``, ``Date`` and
        the static headers, then the body.
    """
    body = reason.encode("utf-8", "replace")
    return b"".join(
        (
            status_line(status),
            b"content-type: text/plain; charset=utf-8\r\ncontent-length: %d\r\n" % len(body),
            CLOSE,
            date_header(),
            static_headers,
            b"\r\n",
            body,
        )
    )


def check_name(name: Any) -> bytes:
    """Validate a response header name and return it lower-cased.

    Args:
        name: The name as the app sent it.

    Returns:
        The lower-cased name (remembered in ``NAME_CACHE`` while it has room).

    Raises:
        RuntimeError: When the name is not bytes or not an RFC 9110 token.
    """
    if type(name) is not bytes or _TOKEN.fullmatch(name) is None:
        raise RuntimeError(f"Invalid HTTP header name {name!r}: must be a token (RFC 9110 §5.1)")
    lower = name.lower()
    if len(NAME_CACHE) < NAME_CACHE_MAX:
        NAME_CACHE[name] = lower
    return lower


_CL_CACHE: dict[int, bytes] = {}


def content_length(size: int) -> bytes:
    """Return ``content-length: <size>\\r\\n\\r\\n`` (ends the head).

    Args:
        size: The body size in bytes.

    Returns:
        The encoded line followed by the blank line that ends the head.
    """
    line = _CL_CACHE.get(size)
    if line is None:
        line = b"content-length: %d\r\n\r\n" % size
        # PERF: small bodies repeat their sizes; formatting is skipped for them.
        if size < 4096:
            _CL_CACHE[size] = line
    return line


def parse_length(value: Any) -> int:
    """Parse an app's ``content-length`` header value.

    Args:
        value: The header value.

    Returns:
        The length, a non-negative int.

    Raises:
        RuntimeError: When the value is not a non-negative integer.
    """
    try:
        length = int(value)
    except (TypeError, ValueError):
        length = -1
    if length < 0:
        raise RuntimeError(f"Invalid content-length header value {value!r}")
    return length
