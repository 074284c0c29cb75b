"""Check a stack's answers before it is measured: a fast wrong answer is a failure.

Each ``check_*`` function takes one :class:`Reply` and returns a list of
problems (empty when the reply is right), so the rules can be tested without
a server. The rules follow the TechEmpower requirements: ``Server`` and
``Date`` headers present, the right content type, JSON of the right shape with
values in range, query counts clamped to 1..500, the fortunes page exact after
adding the request-time row and sorting, with markup escaped and UTF-8 kept.
Only the standard library is used, so any Python runs the harness.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from benchmarks.database import ADDED_FORTUNE, FORTUNES

Problems = list[str]
#: ``ids -> {id: randomNumber}`` read straight from the database, for updates.
WorldLookup = Callable[[Sequence[int]], Mapping[int, int]]


@dataclass(frozen=True)
class Reply:
    """One HTTP response as the verifier sees it.

    Args:
        status: Status code.
        headers: Header names lower-cased; repeated headers joined with ``", "``.
        body: Raw body bytes (after de-chunking).
    """

    status: int
    headers: Mapping[str, str]
    body: bytes


def check_common(reply: Reply, content_type: str) -> Problems:
    """Status 200, ``Server`` and ``Date`` present, content type starting with ``content_type``."""
    problems = []
    if reply.status != 200:
        problems.append(f"status {reply.status}, expected 200")
    problems += [
        f"missing {n.title()} header" for n in ("server", "date") if not reply.headers.get(n)
    ]
    ctype = reply.headers.get("content-type", "")
    if not ctype.lower().startswith(content_type):
        problems.append(f"content-type {ctype!r}, expected {content_type}")
    return problems


def _json(reply: Reply, problems: Problems) -> Any:
    try:
        return json.loads(reply.body)
    except ValueError:
        problems.append(f"body is not JSON: {reply.body[:80]!r}")
        return None


def check_plaintext(reply: Reply) -> Problems:
    """``Hello, World!`` as text/plain."""
    problems = check_common(reply, "text/plain")
    if reply.body != b"Hello, World!":
        problems.append(f"body {reply.body[:80]!r}, expected b'Hello, World!'")
    return problems


def check_json(reply: Reply) -> Problems:
    """``{"message": "Hello, World!"}`` as application/json."""
    problems = check_common(reply, "application/json")
    value = _json(reply, problems)
    if value is not None and value != {"message": "Hello, World!"}:
        problems.append(f"JSON {value!r}, expected {{'message': 'Hello, World!'}}")
    return problems


def _world_problems(value: Any) -> Problems:
    """One World object: exactly ``id`` and ``randomNumber``, both ints in 1..10000."""
    if not isinstance(value, dict) or set(value) != {"id", "randomNumber"}:
        return [f"not a World object {{id, randomNumber}}: {value!r}"]
    problems = []
    for key in ("id", "randomNumber"):
        number = value[key]
        if type(number) is not int or not 1 <= number <= 10_000:
            problems.append(f"{key} {number!r} is not an int in 1..10000")
    return problems


def check_db(reply: Reply) -> Problems:
    """A single World object (not a list)."""
    problems = check_common(reply, "application/json")
    value = _json(reply, problems)
    if value is not None:
        problems += _world_problems(value)
    return problems


def check_queries(reply: Reply, count: int) -> Problems:
    """A list of exactly ``count`` World objects (``count`` already clamped to 1..500)."""
    problems = check_common(reply, "application/json")
    value = _json(reply, problems)
    if value is None:
        return problems
    if not isinstance(value, list):
        return [*problems, f"expected a JSON list, got {type(value).__name__}"]
    if len(value) != count:
        problems.append(f"{len(value)} objects, expected {count}")
    for item in value:
        item_problems = _world_problems(item)
        if item_problems:
            return problems + item_problems
    return problems


def check_updates(reply: Reply, count: int, lookup: WorldLookup | None) -> Problems:
    """Like :func:`check_queries`, and the returned numbers must now be in the database."""
    problems = check_queries(reply, count)
    if problems or lookup is None:
        return problems
    # An id drawn twice in one request may keep either of its two new numbers.
    returned: dict[int, set[int]] = {}
    for item in json.loads(reply.body):
        returned.setdefault(item["id"], set()).add(item["randomNumber"])
    stored = lookup(sorted(returned))
    wrong = [i for i, numbers in returned.items() if stored.get(i) not in numbers]
    if wrong:
        problems.append(f"updates not persisted for ids {wrong[:5]} (of {len(wrong)})")
    return problems


def expected_fortunes_html() -> str:
    """The fortunes page a correct handler renders, whitespace between tags removed."""
    rows = sorted([*FORTUNES, ADDED_FORTUNE], key=lambda row: row[1])
    cells = "".join(
        f"<tr><td>{fid}</td><td>{html.escape(message)}</td></tr>" for fid, message in rows
    )
    return (
        "<!DOCTYPE html><html><head><title>Fortunes</title></head><body><table>"
        f"<tr><th>id</th><th>message</th></tr>{cells}</table></body></html>"
    )


# Escapes that mean the same thing; templates differ in which one they pick.
_ENTITY_SPELLINGS = {"&#34;": "&quot;", "&#x22;": "&quot;", "&#39;": "&#x27;", "&apos;": "&#x27;"}
_BETWEEN_TAGS = re.compile(r">\s+<")


def normalize_html(text: str) -> str:
    """Drop whitespace between tags and unify equivalent spellings of escaped quotes."""
    text = _BETWEEN_TAGS.sub("><", text.strip())
    for spelling, canonical in _ENTITY_SPELLINGS.items():
        text = text.replace(spelling, canonical)
    return re.sub(r"^<!doctype html>", "<!DOCTYPE html>", text, flags=re.I)


def check_fortunes(reply: Reply) -> Problems:
    """The exact page (after normalising), as ``text/html; charset=utf-8``."""
    problems = check_common(reply, "text/html")
    if "charset=utf-8" not in reply.headers.get("content-type", "").lower().replace(" ", ""):
        problems.append("content-type does not declare charset=utf-8")
    try:
        text = reply.body.decode("utf-8")
    except UnicodeDecodeError:
        return [*problems, "body is not valid UTF-8"]
    if "<script>" in text:
        problems.append("the <script> fortune is not escaped")
    expected = expected_fortunes_html()
    got = normalize_html(text)
    if got != expected:
        at = next((i for i, (a, b) in enumerate(zip(got, expected, strict=False)) if a != b), None)
        at = min(len(got), len(expected)) if at is None else at
        problems.append(f"page differs at char {at}: got {got[at : at + 60]!r}")
    return problems


def check_item(reply: Reply, item_id: int, q: str | None, limit: int) -> Problems:
    """``GET /items/{id}?q=..&limit=..`` echoes the validated parameters."""
    problems = check_common(reply, "application/json")
    value = _json(reply, problems)
    expected = {"item_id": item_id, "q": q, "limit": limit}
    if value is not None and value != expected:
        problems.append(f"JSON {value!r}, expected {expected!r}")
    return problems


def check_rejected(reply: Reply) -> Problems:
    """Invalid input must be refused with a 4xx (FastAPI says 422, Litestar 400)."""
    return [] if 400 <= reply.status < 500 else [f"status {reply.status}, expected a 4xx"]


def check_model_echo(reply: Reply, sent: Mapping[str, Any]) -> Problems:
    """``POST /items`` returns the validated model: defaults filled, types coerced."""
    problems = check_common(reply, "application/json")
    value = _json(reply, problems)
    expected = {"tags": [], **sent, "price": float(sent["price"])}
    if value is not None and value != expected:
        problems.append(f"JSON {value!r}, expected {expected!r}")
    return problems


def check_value(reply: Reply, value: int) -> Problems:
    """The dependency routes answer ``{"value": value}``."""
    problems = check_common(reply, "application/json")
    got = _json(reply, problems)
    if got is not None and got != {"value": value}:
        problems.append(f"JSON {got!r}, expected {{'value': {value}}}")
    return problems
