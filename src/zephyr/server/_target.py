"""Request-target and Host rules (RFC 9112 §3.2, RFC 9110 §4.2, §7.2), as pure functions.

The protocol parses a request with httptools and asks here whether its Host
value is valid and how a target that is not a plain origin-form path splits.
A broken rule raises :class:`Reject`, which the protocol answers with its
status and a closed connection.
"""

from __future__ import annotations

import re

import httptools

__all__ = ["OWS", "VALID_HOSTS", "Reject", "authority_form", "check_host", "split_target"]

OWS = b" \t"  # RFC 9110 §5.6.3 optional whitespace, not part of a field value

# RFC 9110 §7.2 / RFC 3986 §3.2.2: Host = uri-host [ ":" port ], where uri-host
# is an IP-literal ("[" IPv6 / IPvFuture "]"), an IPv4 address or a reg-name.
_HOST = re.compile(
    rb"(?:\[[0-9A-Za-z:.!$&'()*+,;=_~\-]+\]|(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})*)"
    rb"(?::[0-9]*)?"
)
_AUTHORITY_END = re.compile(rb"[/?#]")
# PERF: Host values seen valid are remembered, so the check costs one set
# lookup per request; emptied when full so a client cannot grow it for good.
VALID_HOSTS: set[bytes] = set()
_VALID_HOSTS_MAX = 1024


class Reject(Exception):
    """Raised from parser callbacks to answer with an error status and close.

    Args:
        status: The HTTP status to answer with (400, 413, 431, 501...).
        reason: The plain-text body naming the problem.
    """

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def check_host(value: bytes) -> None:
    """Check a Host value and remember it as valid (``VALID_HOSTS``).

    Args:
        value: The field value; optional whitespace around it is allowed.

    Raises:
        Reject: 400 unless ``value`` is ``uri-host [ ":" port ]`` (RFC 9110 §7.2).
    """
    if _HOST.fullmatch(value.strip(OWS)) is None:
        raise Reject(400, "Bad Request: invalid Host header")
    if len(VALID_HOSTS) >= _VALID_HOSTS_MAX:
        VALID_HOSTS.clear()
    VALID_HOSTS.add(value)


def authority_form(url: bytes) -> bytes:
    """Return a CONNECT target, checked to be ``uri-host ":" port`` (RFC 9112 §3.2.3).

    Raises:
        Reject: 400 for any other form.
    """
    host, sep, port = url.rpartition(b":")
    if not sep or not host or not port.isdigit() or _HOST.fullmatch(url) is None:
        raise Reject(400, "Bad Request: CONNECT needs an authority-form target (host:port)")
    return url


def split_target(url: bytes, method: str) -> tuple[bytes, bytes, bytes | None]:
    """Split a target that is not a plain origin-form path (RFC 9112 §3.2).

    Args:
        url: The request target as received.
        method: The request method.

    Returns:
        ``(raw_path, query, authority)``. Asterisk-form is only for OPTIONS;
        a CONNECT target (checked by :func:`authority_form`) has an empty
        path; an absolute-form target's authority is returned, to replace
        the Host header (RFC 9112 §3.2.2), else ``authority`` is None.

    Raises:
        Reject: 400 for a form the method may not use, a userinfo part, a
            scheme other than http(s), or an unparsable target.
    """
    if url == b"*":
        if method != "OPTIONS":
            raise Reject(400, "Bad Request: the asterisk-form target is only for OPTIONS")
        return url, b"", None
    if method == "CONNECT":
        return b"", b"", None
    try:
        parsed = httptools.parse_url(url)
    except httptools.HttpParserInvalidURLError:
        raise Reject(400, "Bad Request: invalid request target") from None
    path, query = parsed.path or b"/", parsed.query or b""
    if url[:1] == b"/":  # origin-form with a fragment
        return path, query, None
    authority_part = _AUTHORITY_END.split(url.partition(b"://")[2], 1)[0]
    if parsed.userinfo is not None or 64 in authority_part:  # 64 = "@"
        raise Reject(400, "Bad Request: userinfo in the request target")
    if (parsed.schema or b"").lower() not in (b"http", b"https") or not parsed.host:
        raise Reject(400, "Bad Request: invalid absolute-form request target")
    host = parsed.host
    if b":" in host:  # an IPv6 literal loses its brackets in the parser
        host = b"[" + host + b"]"
    authority = host if parsed.port is None else b"%b:%d" % (host, parsed.port)
    check_host(authority)
    return path, query, authority
