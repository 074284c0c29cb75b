"""Cookie handling: parse a request ``Cookie`` header, build ``Set-Cookie`` values.

Parsing does not use ``http.cookies.SimpleCookie``: its regex is slow on hostile
input and it drops the whole header on one bad pair. Here one linear pass splits
on ``;`` and the first ``=`` (RFC 6265 section 5.4 as browsers send it), and a later
duplicate name overrides an earlier one, as Starlette does.
"""

from __future__ import annotations

import re
import sys
from datetime import datetime
from email.utils import format_datetime
from http.cookies import Morsel
from typing import Literal

__all__ = ["build_set_cookie", "parse_cookie_header"]

MAX_COOKIE_PAIRS = 4096
"""Most pairs read from one ``Cookie`` header; the rest are ignored (bounds work)."""

_ESCAPE = re.compile(r"\\(?:([0-3][0-7][0-7])|(.))")


def _unescape(match: re.Match[str]) -> str:
    octal, char = match.groups()
    return chr(int(octal, 8)) if octal else char


def _unquote(value: str) -> str:
    """Strip one pair of double quotes and resolve backslash escapes inside them."""
    if len(value) < 2 or value[0] != '"' or value[-1] != '"':
        return value
    inner = value[1:-1]
    if "\\" not in inner:
        return inner
    return _ESCAPE.sub(_unescape, inner)


def parse_cookie_header(header: str) -> dict[str, str]:
    """Parse a ``Cookie`` request header into ``{name: value}``.

    Args:
        header: The header value, e.g. ``'a=1; b="x y"'``.

    Returns:
        Names and values, whitespace-stripped and unquoted. A chunk without
        ``=`` is stored under the name ``""``; a repeated name keeps the last
        value; empty chunks are skipped. At most ``MAX_COOKIE_PAIRS`` chunks are read.
    """
    cookies: dict[str, str] = {}
    chunks = header.split(";", MAX_COOKIE_PAIRS)
    if len(chunks) > MAX_COOKIE_PAIRS:
        del chunks[MAX_COOKIE_PAIRS:]
    # PERF: str.split + partition are C-speed and linear in the header length;
    # unquoting is only attempted for values that start with a quote.
    for chunk in chunks:
        name, sep, value = chunk.partition("=")
        if sep:
            name = name.strip()
            value = value.strip()
        else:
            name, value = "", name.strip()
        if value[:1] == '"':
            value = _unquote(value)
        elif not name and not value:
            continue
        cookies[name] = value
    return cookies


def build_set_cookie(
    key: str,
    value: str = "",
    max_age: int | None = None,
    expires: datetime | str | int | None = None,
    path: str | None = "/",
    domain: str | None = None,
    secure: bool = False,
    httponly: bool = False,
    samesite: Literal["lax", "strict", "none"] | None = "lax",
    partitioned: bool = False,
) -> str:
    """Build one ``Set-Cookie`` header value (RFC 6265 section 4.1).

    Args:
        key: Cookie name.
        value: Cookie value (quoted/escaped when needed). Default ``""``.
        max_age: ``Max-Age`` in seconds, or ``None``.
        expires: ``Expires`` as seconds from now (int), an aware ``datetime``, or a
            preformatted HTTP date string; ``None`` omits it.
        path: ``Path`` (default ``"/"``); ``None`` omits it.
        domain: ``Domain``, or ``None``.
        secure: Add ``Secure``.
        httponly: Add ``HttpOnly``.
        samesite: ``"lax"`` (default), ``"strict"``, ``"none"`` (any case) or ``None``.
        partitioned: Add ``Partitioned`` (CHIPS); Python 3.14+ only.

    Returns:
        The header value, e.g. ``"a=b; Path=/; SameSite=lax"``.

    Raises:
        AssertionError: ``samesite`` is not one of the allowed values.
        ValueError: ``partitioned`` before Python 3.14 (as Starlette).
    """
    morsel: Morsel[str] = Morsel()
    morsel.set(key, value, _quote_value(value))
    if max_age is not None:
        morsel["max-age"] = max_age
    if expires is not None:
        if isinstance(expires, datetime):
            morsel["expires"] = format_datetime(expires, usegmt=True)
        else:
            morsel["expires"] = expires
    if path is not None:
        morsel["path"] = path
    if domain is not None:
        morsel["domain"] = domain
    if secure:
        morsel["secure"] = True
    if httponly:
        morsel["httponly"] = True
    if samesite is not None:
        assert samesite.lower() in ("strict", "lax", "none"), (
            "samesite must be either 'strict', 'lax' or 'none'"
        )
        morsel["samesite"] = samesite
    if partitioned:
        # Starlette's contract: the attribute comes from ``Morsel``, which
        # only knows it from Python 3.14 on; before that it is refused.
        if sys.version_info < (3, 14):
            raise ValueError("Partitioned cookies are only supported in Python 3.14 and above.")
        morsel["partitioned"] = True  # pragma: no cover  (Python 3.14+)
    return morsel.OutputString()


def _quote_value(value: str) -> str:
    # Reuse the stdlib's RFC 6265-safe quoting for outgoing values.
    from http.cookies import _quote

    quoted: str = _quote(value)
    return quoted
