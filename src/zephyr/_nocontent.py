"""The one rule for responses that carry no content, and how such a response is framed.

RFC 9110 §15: a 1xx (§15.2), 204 (§15.3.5), 205 (§15.3.6) or 304 (§15.4.5)
response has no content, and neither has the answer to a ``HEAD`` request
(§9.3.2). Their framing differs (RFC 9112 §6.3, RFC 9110 §8.6):

* 1xx and 204 end at their head and must not carry Content-Length or
  Transfer-Encoding;
* 304 ends at its head; a Content-Length there describes the representation
  the client has cached, so it is kept (as it is for ``HEAD``);
* 205 is not one of the statuses that end at their head: without a length
  the client would read to the end of the connection, so it carries
  ``content-length: 0`` and no Transfer-Encoding.

The toolkit (``responses.py``), the API layer, the exception handlers,
OpenAPI and the server all ask here.
"""

from __future__ import annotations

from typing import Literal

__all__ = ["NO_CONTENT_STATUSES", "bodyless_framing", "has_content", "reframe_headers"]

# PERF: the 1xx range is in the set so the whole rule is one hash lookup.
NO_CONTENT_STATUSES = frozenset([*range(100, 200), 204, 205, 304])

Framing = Literal["keep", "none", "zero"]


def has_content(status: int) -> bool:
    """Tell whether a response with this status may carry content.

    Args:
        status: The HTTP status code.

    Returns:
        False for 1xx, 204, 205 and 304 (RFC 9110 §15), True otherwise.
    """
    return status not in NO_CONTENT_STATUSES


def bodyless_framing(status: int) -> Framing:
    """Say which framing headers a response of a no-content status keeps.

    Args:
        status: A status for which :func:`has_content` is False.

    Returns:
        ``"keep"`` for 304 (its Content-Length describes the cached
        representation), ``"zero"`` for 205 (Content-Length: 0, nothing
        else), ``"none"`` for 1xx and 204 (neither Content-Length nor
        Transfer-Encoding).
    """
    if status == 304:
        return "keep"
    if status == 205:
        return "zero"
    return "none"


def reframe_headers(headers: list[tuple[bytes, bytes]], status: int) -> None:
    """Make the framing headers of a no-content response follow its status, in place.

    Args:
        headers: ``(name, value)`` pairs, names lower-cased (``raw_headers``).
        status: The response status; a status with content changes nothing.
    """
    if has_content(status):
        return
    framing = bodyless_framing(status)
    if framing == "keep":
        return
    headers[:] = [
        pair for pair in headers if pair[0] != b"content-length" and pair[0] != b"transfer-encoding"
    ]
    if framing == "zero":
        headers.append((b"content-length", b"0"))
