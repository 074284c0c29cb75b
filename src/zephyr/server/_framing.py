"""How a request body is framed (RFC 9112 §6), decided in one place.

The protocol hands these functions the framing fields it collected from a
request head; they accept the value, refuse it with :class:`Reject`, or say
how the body must be framed when llhttp cannot (an upgrade it stops at,
optional whitespace it does not take).
"""

from __future__ import annotations

from zephyr.server._target import OWS, Reject

__all__ = ["CHUNKED_HEAD", "check_content_length", "check_transfer_encoding", "framing_head"]

_MAX_LENGTH_DIGITS = 18  # fits in a 63-bit int; longer is an abuse, not a body
# A head that only frames a chunked body, for a parser that reframes one.
CHUNKED_HEAD = b"POST / HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n"


def check_content_length(value: bytes, seen: bytes | None) -> bytes:
    """Return a Content-Length value's digits.

    Args:
        value: The field value; optional whitespace around it is not part of it.
        seen: The value of an earlier Content-Length field of the request.

    Raises:
        Reject: 400 for a second field (even an equal one, RFC 9112 §6.3), or
            anything but 1 to 18 digits.
    """
    if seen is not None:
        raise Reject(400, "Bad Request: duplicate Content-Length")
    if not value.isdigit():
        value = value.strip(OWS)
    if not value.isdigit() or len(value) > _MAX_LENGTH_DIGITS:
        raise Reject(400, "Bad Request: invalid Content-Length")
    return value


def check_transfer_encoding(codings: bytes, has_length: bool, version: str) -> bool:
    """Check a request's Transfer-Encoding (all its fields, comma-joined).

    Returns:
        True when the body is chunked but llhttp will not frame it: optional
        whitespace with an HTAB after ``chunked``, which llhttp reads as an
        unknown coding (and, lenient, to the end of the connection).

    Raises:
        Reject: 400 with Content-Length too, in HTTP/1.0, or for any coding
            but ``chunked`` alone.
    """
    if has_length:
        raise Reject(400, "Bad Request: both Content-Length and Transfer-Encoding")
    if version == "1.0":
        raise Reject(400, "Bad Request: Transfer-Encoding in an HTTP/1.0 request")
    if codings.strip(OWS).lower() != b"chunked":
        raise Reject(400, "Bad Request: unsupported Transfer-Encoding")
    return codings.rstrip(b" ").lower() != b"chunked"


def framing_head(
    version: str, keep_alive: bool, content_length: bytes | None, chunked: bool
) -> bytes | None:
    """Build a head that frames a body the way the request's own head does.

    Fed to a fresh parser after llhttp stopped at an upgrade request's head,
    so the body that follows is read as that request's body.

    Returns:
        The head, or None when the request has no body (what follows its
        head is the next request).
    """
    if chunked:
        framing = b"transfer-encoding: chunked"
    elif content_length is None or content_length == b"0":
        return None
    else:
        framing = b"content-length: " + content_length
    # Same version and persistence as the request, so what follows the body
    # is parsed as it would have been after the request itself.
    persistence = b"" if keep_alive else b"\r\nconnection: close"
    return b"POST / HTTP/%b\r\n%b%b\r\n\r\n" % (version.encode("ascii"), framing, persistence)
