"""The syntax of a ``Host`` header (RFC 9110 §7.2, RFC 3986 §3.2.2): one home for every check.

``URL(scope=...)``, ``TrustedHostMiddleware`` and ``HTTPSRedirectMiddleware``
all read the client's ``Host``; a value that is not ``host[:port]`` (userinfo,
a path, a space, a bad IP literal) must never reach a URL's authority, where
it would point links and redirects elsewhere.
"""

from __future__ import annotations

import ipaddress
import re

__all__ = ["bracket_ipv6", "split_host"]

# reg-name or IPv4address: unreserved / pct-encoded / sub-delims (RFC 3986 §3.2.2).
_REG_NAME = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=%]+")
# IPvFuture inside brackets: "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" ).
_IPV_FUTURE = re.compile(r"v[0-9A-Fa-f]+\.[A-Za-z0-9\-._~!$&'()*+,;=:]+")
_PORT = re.compile(r"[0-9]+")


def split_host(value: str) -> tuple[str, str] | None:
    """Split a ``Host`` value into host and port text, or reject it.

    Args:
        value: The header value, e.g. ``"example.com:8000"`` or ``"[::1]"``.

    Returns:
        ``(host, port)``: the host as written (IP literals keep their
        brackets) and the port digits (``""`` when absent; not range-checked).
        ``None`` when the value is not ``host[:port]``.
    """
    if value.startswith("["):
        literal, bracket, rest = value[1:].partition("]")
        if not bracket or not _ip_literal(literal):
            return None
        host = f"[{literal}]"
    else:
        host = value.partition(":")[0]
        if not _REG_NAME.fullmatch(host):
            return None
        rest = value[len(host) :]
    if not rest:
        return host, ""
    if rest[0] != ":" or not _PORT.fullmatch(rest[1:]):
        return None
    return host, rest[1:]


def _ip_literal(text: str) -> bool:
    if _IPV_FUTURE.fullmatch(text):
        return True
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return "%" not in text  # a zone id is not allowed in a URI host


def bracket_ipv6(host: str) -> str:
    """Return ``host`` in brackets when it is a bare IPv6 address (``"::1"`` → ``"[::1]"``)."""
    if ":" not in host or host.startswith("["):
        return host
    try:
        ipaddress.IPv6Address(host)
    except ValueError:
        return host
    return f"[{host}]"
