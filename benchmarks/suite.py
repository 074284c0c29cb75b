"""What the suite measures: one :class:`LoadTest` per wrk run, with its verifier.

Groups:

* ``techempower``: plaintext (plain and 16-deep pipelined), json, db, queries,
  fortunes, updates -- TechEmpower's rules, PostgreSQL behind the last four.
* ``api``: the validated endpoints of the peer baseline (path + query params,
  POST of a Pydantic body) and a three-level dependency chain next to the same
  route without dependencies.
* ``io``: an endpoint that awaits 100 ms of simulated I/O, at 1,000 and
  10,000 concurrent keep-alive connections.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import verify
from benchmarks.verify import Problems, Reply, WorldLookup

WRK_SCRIPTS = Path(__file__).resolve().parent / "wrk"
ITEM = {"name": "widget", "price": 9.99, "tags": ["a", "b"]}
#: ``?queries=`` value loaded by the queries and updates tests.
QUERIES = 20


class Client:
    """A small keep-alive HTTP/1.1 client for verification (standard library only).

    Args:
        port: Server port on 127.0.0.1.
        timeout: Seconds per request (default 30: a server may still be draining a load).
    """

    def __init__(self, port: int, timeout: float = 30.0) -> None:
        self.port = port
        self.timeout = timeout
        self.lookup: WorldLookup | None = None
        self._conn: http.client.HTTPConnection | None = None

    def request(
        self, method: str, path: str, body: bytes | None = None, ctype: str | None = None
    ) -> Reply:
        """Send one request; reconnect once if the kept-alive connection was closed."""
        headers = {"content-type": ctype} if ctype else {}
        for attempt in (1, 2):
            if self._conn is None:
                self._conn = http.client.HTTPConnection("127.0.0.1", self.port, self.timeout)
            try:
                self._conn.request(method, path, body=body, headers=headers)
                response = self._conn.getresponse()
                data = response.read()
            except (ConnectionError, http.client.HTTPException):
                self.close()
                if attempt == 2:
                    raise
                continue
            found: dict[str, str] = {}
            for name, value in response.getheaders():
                key = name.lower()
                found[key] = f"{found[key]}, {value}" if key in found else value
            if response.will_close:
                self.close()
            return Reply(response.status, found, data)
        raise AssertionError("unreachable")

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


@dataclass(frozen=True)
class LoadTest:
    """One measured wrk run and the checks that must pass before it.

    Args:
        name: Label in the report (``plaintext``, ``db``, ``io-10k``...).
        group: ``techempower``, ``api`` or ``io``.
        path: URL path wrk loads.
        check: ``client -> problems``; empty means the stack may be measured.
        script: Lua script under ``benchmarks/wrk/`` (pipelining, POST bodies).
        connections: Concurrent wrk connections (default 64).
        timeout: wrk's per-request timeout in seconds (default 2).
        needs_db: Whether the test reads PostgreSQL.
        timed: Whether wrk's latency figures mean anything (not when pipelining:
            wrk does not time requests one by one then).
        min_seconds: Shortest measured run that means anything (opening 10,000
            connections alone takes seconds); overrides a shorter ``--seconds``.
    """

    name: str
    group: str
    path: str
    check: Callable[[Client], Problems]
    script: str | None = None
    connections: int = 64
    timeout: float = 2.0
    needs_db: bool = False
    timed: bool = True
    min_seconds: float = 0.0


def _all(*checks: Callable[[], Problems]) -> Problems:
    return [problem for check in checks for problem in check()]


def _plaintext(c: Client) -> Problems:
    return verify.check_plaintext(c.get("/plaintext"))


def _json(c: Client) -> Problems:
    # Two requests: the object must be made per request, not cached after the first.
    return verify.check_json(c.get("/json")) + verify.check_json(c.get("/json"))


def _db(c: Client) -> Problems:
    return verify.check_db(c.get("/db"))


# ``?queries=`` value sent -> number of objects a correct handler returns.
_CLAMP = {"": 1, "foo": 1, "0": 1, "1": 1, str(QUERIES): QUERIES, "501": 500}


def _queries(c: Client) -> Problems:
    return [
        f"?queries={raw!r}: {problem}"
        for raw, count in _CLAMP.items()
        for problem in verify.check_queries(c.get(f"/queries?queries={raw}"), count)
    ]


def _updates(c: Client) -> Problems:
    return [
        f"?queries={raw!r}: {problem}"
        for raw, count in _CLAMP.items()
        for problem in verify.check_updates(c.get(f"/updates?queries={raw}"), count, c.lookup)
    ]


def _fortunes(c: Client) -> Problems:
    return verify.check_fortunes(c.get("/fortunes"))


def _params(c: Client) -> Problems:
    return _all(
        lambda: verify.check_item(c.get("/items/42?q=abc&limit=5"), 42, "abc", 5),
        lambda: verify.check_item(c.get("/items/7"), 7, None, 10),
        lambda: verify.check_rejected(c.get("/items/abc")),
        lambda: verify.check_rejected(c.get("/items/1?limit=x")),
    )


def _post(c: Client) -> Problems:
    def send(payload: Mapping[str, Any] | bytes) -> Reply:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        return c.request("POST", "/items", body, "application/json")

    return _all(
        lambda: verify.check_model_echo(send(ITEM), ITEM),
        lambda: verify.check_model_echo(send({"name": "x", "price": 3}), {"name": "x", "price": 3}),
        lambda: verify.check_rejected(send({"name": "x"})),
        lambda: verify.check_rejected(send({"name": "x", "price": "cheap"})),
        lambda: verify.check_rejected(send(b'{"name": ')),
    )


def _deps(c: Client) -> Problems:
    return verify.check_value(c.get("/deps"), 3) + verify.check_value(c.get("/deps?x=5"), 7)


def _nodeps(c: Client) -> Problems:
    return verify.check_value(c.get("/nodeps"), 3) + verify.check_value(c.get("/nodeps?x=5"), 7)


def _io(c: Client) -> Problems:
    return verify.check_value(c.get("/io"), 100)


TESTS: tuple[LoadTest, ...] = (
    LoadTest("plaintext", "techempower", "/plaintext", _plaintext),
    LoadTest(
        "pipelined", "techempower", "/plaintext", _plaintext, "pipeline.lua", 256, timed=False
    ),
    LoadTest("json", "techempower", "/json", _json),
    LoadTest("db", "techempower", "/db", _db, needs_db=True),
    LoadTest("queries", "techempower", f"/queries?queries={QUERIES}", _queries, needs_db=True),
    LoadTest("fortunes", "techempower", "/fortunes", _fortunes, needs_db=True),
    LoadTest("updates", "techempower", f"/updates?queries={QUERIES}", _updates, needs_db=True),
    LoadTest("params", "api", "/items/42?q=abc&limit=5", _params),
    LoadTest("post", "api", "/items", _post, "post.lua"),
    LoadTest("deps", "api", "/deps", _deps),
    LoadTest("nodeps", "api", "/nodeps", _nodeps),
    LoadTest("io-1k", "io", "/io", _io, connections=1_000, timeout=10.0, min_seconds=3),
    LoadTest("io-10k", "io", "/io", _io, connections=10_000, timeout=10.0, min_seconds=8),
)
TEST_NAMES = tuple(t.name for t in TESTS)
GROUPS = ("techempower", "api", "io")


def select(only: Sequence[str] | None) -> list[LoadTest]:
    """Tests named in ``only`` (test or group names); all when ``only`` is empty.

    Raises:
        SystemExit: A name is neither a test nor a group.
    """
    if not only:
        return list(TESTS)
    unknown = [n for n in only if n not in TEST_NAMES and n not in GROUPS and n != "startup"]
    if unknown:
        raise SystemExit(f"unknown test(s) {unknown}; choose from {TEST_NAMES + GROUPS}")
    return [t for t in TESTS if t.name in only or t.group in only]
