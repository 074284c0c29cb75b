"""HTTP range requests and conditional requests for static representations.

Pure functions, no I/O: parse a ``Range`` header against a known size
(RFC 9110 section 14), decide ``If-Range`` (section 13.1.5), and evaluate the
preconditions of section 13.2.2 against an entity tag and a modification time.
File responses and static files share them.
"""

from __future__ import annotations

import re
from email.utils import parsedate_to_datetime

__all__ = [
    "MAX_RANGES",
    "MAX_RANGE_SPECS",
    "MalformedRange",
    "evaluate_preconditions",
    "if_range_allows",
    "parse_range",
]

MAX_RANGES = 100
"""Most ranges read from one ``Range`` header (before overlapping and adjacent
ones are merged). A header asking for more is ignored: the full representation
is sent with 200 (RFC 9110 section 14.2 lets a server ignore Range; this keeps
a client from making one small file cost a huge multipart body)."""

MAX_RANGE_SPECS = 256
"""Most comma-separated range specs read from one header, skipped ones
included; more and the header is ignored (200) without sorting anything, so
parsing stays linear and small."""

# A number with more digits than this is past any file size: it is clamped,
# never converted (int() of a huge digit string costs quadratic time).
_MAX_DIGITS = 19
_HUGE = 1 << 63


class MalformedRange(ValueError):
    """A ``Range`` header that is answered 400; the message is the response body."""


def _number(text: str) -> int | None:
    """Parse a non-empty ASCII digit string; ``None`` if it is anything else."""
    if not text or not text.isascii() or not text.isdigit():
        return None
    if len(text) > _MAX_DIGITS:
        return _HUGE
    return int(text)


_UNSATISFIABLE = (0, 0)


def _one_spec(spec: str, size: int) -> tuple[int, int] | None:
    """Parse one range spec into ``(start, stop)`` (stop exclusive).

    Returns:
        The clamped range; an empty range for a well-formed but unsatisfiable
        spec; ``None`` for one that is skipped (no dash, no numbers, not digits).

    Raises:
        MalformedRange: The first position is past the last one.
    """
    first, dash, last = spec.partition("-")
    if not dash:
        return None
    first, last = first.strip(" \t"), last.strip(" \t")
    if not first:
        # suffix-range: the last N bytes (section 14.1.1).
        length = _number(last)
        if length is None:
            return None
        if length == 0:
            return _UNSATISFIABLE
        return (max(size - length, 0), size)
    start = _number(first)
    end = _number(last) if last else max(start or 0, size - 1)
    if start is None or end is None:
        return None
    if end < start:
        raise MalformedRange("Range header: start must be less than end")
    if start >= size:
        return _UNSATISFIABLE
    return (start, min(end, size - 1) + 1)


def parse_range(header: str, size: int) -> list[tuple[int, int]] | None:
    """Parse a ``Range`` header (RFC 9110 section 14.1.2) for a ``size``-byte file.

    Linear in the header length. Specs that are not ranges of numbers (no
    dash, no or non-digit positions) are skipped. Ranges come back sorted,
    with overlapping and adjacent ones merged (a client cannot make the server
    read a byte twice).

    Args:
        header: The ``Range`` field value, e.g. ``"bytes=0-99, -500"``.
        size: Length of the representation in bytes.

    Returns:
        ``None`` when the header is ignored and the whole file sent (200): more
        than ``MAX_RANGE_SPECS`` specs or ``MAX_RANGES`` ranges, or an empty
        file. ``[]`` when no range is satisfiable (416 with
        ``Content-Range: bytes */size``). Otherwise a list of
        ``(start, stop)`` byte offsets, ``stop`` exclusive.

    Raises:
        MalformedRange: A unit other than ``bytes``, no range at all, or a
            range whose start is past its end (answered 400).
    """
    unit, eq, ranges = header.partition("=")
    if not eq or unit.strip(" \t").lower() != "bytes":
        raise MalformedRange("Only support bytes range")
    if size <= 0:
        return None
    specs = ranges.split(",", MAX_RANGE_SPECS)
    if len(specs) > MAX_RANGE_SPECS:
        return None
    found: list[tuple[int, int]] = []
    requested = 0
    for raw in specs:
        parsed = _one_spec(raw.strip(" \t"), size)
        if parsed is None:
            continue
        requested += 1
        if parsed[0] < parsed[1]:
            found.append(parsed)
    if not requested:
        raise MalformedRange("Range header: range must be requested")
    if requested > MAX_RANGES:
        return None
    return _merge(found)


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    if len(ranges) <= 1:
        return ranges
    ranges.sort()
    merged = [ranges[0]]
    for start, stop in ranges[1:]:
        last_start, last_stop = merged[-1]
        if start <= last_stop:
            merged[-1] = (last_start, max(last_stop, stop))
        else:
            merged.append((start, stop))
    return merged


def _parse_date(value: str) -> float | None:
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed.tzinfo is None:
        return None
    return parsed.timestamp()


# One list element of If-Match / If-None-Match: an entity tag (its quoted part
# may hold commas, section 8.8.3) or, leniently, a bare token such as "*".
_ETAG_ITEM = re.compile(r'[ \t]*((?:W/)?"[^"]*"|[^,]*)[ \t]*(?:,|$)')


def _etags(value: str) -> list[str]:
    tags = []
    for match in _ETAG_ITEM.finditer(value):
        tag = match.group(1).strip(" \t")
        if tag:
            tags.append(tag)
    return tags


def _weak_match(candidates: list[str], etag: str) -> bool:
    bare = etag.removeprefix("W/")
    return any(tag == "*" or tag.removeprefix("W/") == bare for tag in candidates)


def _strong_match(candidates: list[str], etag: str) -> bool:
    if etag.startswith("W/"):
        return any(tag == "*" for tag in candidates)
    return any(tag == "*" or tag == etag for tag in candidates)


def evaluate_preconditions(
    headers: dict[str, str], method: str, etag: str, mtime: float
) -> int | None:
    """Evaluate conditional request headers in the order of RFC 9110 section 13.2.2.

    ``If-Match`` (strong comparison), else ``If-Unmodified-Since``; then
    ``If-None-Match`` (weak comparison), else ``If-Modified-Since`` (GET and
    HEAD only). Unparseable dates are ignored, as the RFC requires.

    Args:
        headers: Request headers with lower-case names (last value wins).
        method: The request method.
        etag: The representation's entity tag, quoted (``'"abc"'``).
        mtime: Its last modification time, seconds since the epoch.

    Returns:
        ``412`` (Precondition Failed), ``304`` (Not Modified, GET/HEAD), or
        ``None`` to go on with the request.
    """
    mtime = int(mtime)  # HTTP dates have one-second resolution
    if_match = headers.get("if-match")
    if if_match is not None:
        if not _strong_match(_etags(if_match), etag):
            return 412
    else:
        since = headers.get("if-unmodified-since")
        when = _parse_date(since) if since is not None else None
        if when is not None and mtime > when:
            return 412
    safe = method in ("GET", "HEAD")
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None:
        if _weak_match(_etags(if_none_match), etag):
            return 304 if safe else 412
        return None
    since = headers.get("if-modified-since")
    if safe and since is not None:
        when = _parse_date(since)
        if when is not None and mtime <= when:
            return 304
    return None


def if_range_allows(value: str | None, etag: str, mtime: float) -> bool:
    """Decide whether a ``Range`` may be honoured under ``If-Range`` (RFC 9110 section 13.1.5).

    Args:
        value: The ``If-Range`` value, or ``None`` when absent.
        etag: The current entity tag (strong comparison; weak tags never match).
        mtime: The current modification time, seconds since the epoch.

    Returns:
        True when there is no ``If-Range`` or it matches exactly; False means
        send the whole representation with 200.
    """
    if value is None:
        return True
    value = value.strip(" \t")
    if value.startswith(('"', "W/")):
        return not etag.startswith("W/") and value == etag
    when = _parse_date(value)
    return when is not None and int(mtime) == when
