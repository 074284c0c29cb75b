"""Fuzzing ``HttpProtocol`` through an in-memory transport: harness, strategies, long runs.

One case is a byte string and the points at which it is split into reads.
The harness feeds it to a fresh protocol twice, whole and split, lets the
event loop run the app until nothing moves, and checks the invariants:

* no exception escapes the protocol, nothing is logged at ERROR, no task
  fails unobserved;
* whole and split feeding give the same responses (a closing server error
  may name a different fault, see ``_comparable``);
* every response parses as HTTP/1.1 with h11 (as a client would read it);
* the transport is never written after it was closed or half-closed;
* reading that was paused resumes, or the connection closes.

``tests/server/test_fuzz_protocol.py`` runs a short bounded search in the
default suite and replays ``tests/server/fuzz_corpus/``; ``scripts/fuzz``
(this module's ``main``) runs a long search and saves what it finds there.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import h11
from hypothesis import strategies as st

from zephyr.server.config import Config
from zephyr.server.protocol import HttpProtocol
from zephyr.server.state import ServerState

CORPUS = Path(__file__).parent / "fuzz_corpus"


class Finding(AssertionError):
    """An invariant the server broke for one case."""


# -- the transport and the app ------------------------------------------------------


class FuzzTransport(asyncio.Transport):
    """An in-memory transport that records misuse instead of raising in the protocol."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False
        self.eof_written = False
        self.reading = True
        self.protocol: Any = None
        self.misuse: list[str] = []

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        extra = {"peername": ("127.0.0.1", 50000), "sockname": ("127.0.0.1", 8000)}
        return extra.get(name, default)

    def write(self, data: Any) -> None:
        if self.closed or self.eof_written:
            self.misuse.append("write after close" if self.closed else "write after write_eof")
        self.writes.append(bytes(data))

    def can_write_eof(self) -> bool:
        return True

    def write_eof(self) -> None:
        if self.closed:
            self.misuse.append("write_eof after close")
        self.eof_written = True

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def pause_reading(self) -> None:
        if not self.reading:
            self.misuse.append("pause_reading while paused")
        self.reading = False

    def resume_reading(self) -> None:
        if self.reading:
            self.misuse.append("resume_reading while reading")
        self.reading = True

    def is_reading(self) -> bool:
        return self.reading

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        pass

    def get_write_buffer_size(self) -> int:
        return 0

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self.protocol = protocol

    def get_protocol(self) -> asyncio.BaseProtocol:
        return self.protocol  # type: ignore[no-any-return]


async def app(scope: Any, receive: Any, send: Any) -> None:
    """Read the whole body, answer with what was seen; some paths stream or answer empty."""
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        body += message["body"]
        if not message["more_body"]:
            break
    path = scope["path"]
    headers = [(b"x-method", scope["method"].encode("latin-1"))]
    summary = b"%d %s" % (len(body), path.encode("utf-8", "replace")[:40])
    if path.startswith("/stream"):
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": summary, "more_body": True})
        await send({"type": "http.response.body", "body": b"!"})
        return
    status = {"/204": 204, "/205": 205, "/304": 304}.get(path, 200)
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": summary})


# -- one run ---------------------------------------------------------------------------


@dataclass
class Run:
    """What one feeding of a case produced."""

    output: bytes
    closed: bool
    errors: list[str] = field(default_factory=list)


class _ErrorLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record.getMessage())


_CONFIG = Config(app=app, access_log=False, max_body_size=4096)


async def _quiet(proto: HttpProtocol, transport: FuzzTransport, state: ServerState) -> None:
    """Run the loop until nothing is ready to run (the app waits for input, or is done)."""
    # The loop's ready queue is private to asyncio; a test harness may look:
    # when it is empty after a yield, no callback or task step is pending.
    ready = asyncio.get_running_loop()._ready  # type: ignore[attr-defined]
    for _ in range(1000):
        await asyncio.sleep(0)
        if not ready:
            return


async def feed(data: bytes, cuts: list[int]) -> Run:
    """Feed ``data`` split at ``cuts`` (sorted offsets) to a fresh protocol.

    Returns:
        The bytes written, whether the server closed, and what went wrong.
    """
    state = ServerState()
    proto = HttpProtocol(_CONFIG, app, state, {})
    transport = FuzzTransport()
    transport.protocol = proto
    proto.connection_made(transport)
    errors: list[str] = []
    start = 0
    for end in [*cuts, len(data)]:
        if end <= start:
            continue
        await _quiet(proto, transport, state)
        if transport.closed:
            break
        if not transport.reading:
            errors.append(f"reading paused for good before offset {start}")
            break
        try:
            transport.protocol.data_received(data[start:end])
        except Exception as exc:  # the invariant: nothing escapes
            errors.append(f"data_received raised {exc!r}")
            break
        start = end
    await _quiet(proto, transport, state)
    paused = not (transport.closed or transport.reading or transport.eof_written)
    if paused and not state.tasks:
        errors.append("reading paused for good at the end")
    closed = transport.closed or transport.eof_written
    # The client goes away; whatever still runs must wind down.
    transport.closed = True
    try:
        transport.protocol.connection_lost(None)
    except Exception as exc:
        errors.append(f"connection_lost raised {exc!r}")
    await _quiet(proto, transport, state)
    if state.tasks:
        errors.append(f"{len(state.tasks)} request task(s) still running after disconnect")
    errors += transport.misuse
    return Run(b"".join(transport.writes), closed, errors)


Parsed = list[tuple[int, list[tuple[bytes, bytes]], bytes]]


def _read_one(rest: bytes, closed: bool, method: str) -> tuple[Parsed, bytes, bool]:
    """Read one response (and any 1xx before it) the way a client that sent ``method`` would.

    Returns:
        The responses read, the bytes after them, and True when the answer
        says it was for a HEAD request but was read as a GET (read it again).
    """
    client = h11.Connection(h11.CLIENT)
    client.send(h11.Request(method=method, target="/", headers=[("Host", "x")]))
    client.send(h11.EndOfMessage())
    client.receive_data(rest)
    if closed:
        client.receive_data(b"")
    items: Parsed = []
    body = b""
    try:
        while True:
            event = client.next_event()
            if event is h11.NEED_DATA:
                if not closed and all(status < 200 for status, _, _ in items):
                    return items, b"", False  # a 100 Continue; the answer waits for the body
                raise Finding(f"truncated response: {rest[:200]!r}")
            if isinstance(event, h11.InformationalResponse):
                items.append((event.status_code, [], b""))
            elif isinstance(event, h11.Response):
                headers = [(k, v) for k, v in event.headers if k != b"date"]
                if method != "HEAD" and (b"x-method", b"HEAD") in headers:
                    return [], rest, True
                items.append((event.status_code, headers, b""))
            elif isinstance(event, h11.Data):
                body += event.data
            elif isinstance(event, h11.EndOfMessage):
                status, headers, _ = items[-1]
                items[-1] = (status, headers, body)
                return items, bytes(client.trailing_data[0]), False
            elif isinstance(event, h11.ConnectionClosed):
                raise Finding(f"connection closed mid-response: {rest[:200]!r}")
    except h11.ProtocolError as exc:
        raise Finding(f"response does not parse ({exc}): {rest[:200]!r}") from None


def parse_responses(output: bytes, closed: bool) -> Parsed:
    """Read ``output`` as a client would, with h11; raise ``Finding`` if it does not parse.

    Returns:
        ``(status, headers without date, body)`` per response, informational
        responses included.
    """
    responses: Parsed = []
    rest = output
    while rest:
        items, after, is_head = _read_one(rest, closed, "GET")
        if is_head:
            items, after, _ = _read_one(rest, closed, "HEAD")
        responses += items
        rest = after
    return responses


def _comparable(responses: Parsed) -> Parsed:
    """Drop the reason text of a closing server error, which may legitimately differ.

    In a request with two faults, which one llhttp reports first can depend
    on where a read ends (it delivers a header span at a read's end, not
    before an error in the same read); the status must still agree.
    """
    # Whether a 100 Continue goes out depends on the app asking for the body
    # before a bad byte arrives in the same read: informational answers are
    # checked for parsing, not compared.
    responses = [item for item in responses if item[0] >= 200]
    if responses:
        status, headers, _body = responses[-1]
        if (
            status >= 400
            and (b"connection", b"close") in headers
            and (b"x-method", b"GET") not in headers
        ):
            kept = [(k, v) for k, v in headers if k != b"content-length"]
            responses = [*responses[:-1], (status, kept, b"")]
    return responses


def check(loop: asyncio.AbstractEventLoop, data: bytes, cuts: list[int]) -> None:
    """Check every invariant for one case; raise ``Finding`` on the first broken one."""
    log = _ErrorLog()
    logger = logging.getLogger("zephyr")
    logger.addHandler(log)
    failures: list[str] = []
    loop.set_exception_handler(lambda _loop, context: failures.append(str(context)))
    try:
        whole = loop.run_until_complete(feed(data, []))
        split = loop.run_until_complete(feed(data, cuts))
    finally:
        logger.removeHandler(log)
    problems = whole.errors + split.errors + log.records + failures
    if problems:
        raise Finding("; ".join(problems))
    whole_responses = _comparable(parse_responses(whole.output, whole.closed))
    split_responses = _comparable(parse_responses(split.output, split.closed))
    if whole_responses != split_responses:
        raise Finding(f"whole and split feeding differ: {whole_responses} != {split_responses}")


# -- strategies ------------------------------------------------------------------------

_METHODS = [b"GET", b"HEAD", b"POST", b"PUT", b"OPTIONS", b"CONNECT", b"DELETE", b"G\x00T", b""]
_TARGETS = [
    b"/", b"/a?b=c", b"/stream", b"/204", b"/205", b"/304", b"*", b"http://a.example/p",
    b"http://u@a.example/", b"a.example:443", b"/%zz", b"/\xff", b"//x", b"/a#f", b"",
]  # fmt: skip
_VERSIONS = [b"HTTP/1.1", b"HTTP/1.0", b"HTTP/2.0", b"HTTP/1.1 ", b"http/1.1", b""]
_FIELDS = [
    b"Host: a", b"Host: a", b"Host: a", b"Host: [::1]:80", b"Host: a b", b"Host:",
    b"Content-Length: 3", b"Content-Length: 0", b"Content-Length: 3 \t", b"Content-Length: -1",
    b"Content-Length: 99999",
    b"Transfer-Encoding: chunked", b"Transfer-Encoding: chunked\t", b"Transfer-Encoding: gzip",
    b"Connection: close", b"Connection: keep-alive", b"Connection: upgrade", b"Upgrade: h2c",
    b"Upgrade: websocket", b"Expect: 100-continue", b"X-Forwarded-For: 1.2.3.4", b"X: \x01",
    b"Bad Header: x", b"X-Long: " + b"v" * 200,
]  # fmt: skip
_BODIES = [b"", b"abc", b"3\r\nabc\r\n0\r\n\r\n", b"1\r\na\r\n0\r\nT: v\r\n\r\n", b"zz\r\n",
           b"GET /x HTTP/1.1\r\nHost: a\r\n\r\n", b"5\r\nab"]  # fmt: skip


@st.composite
def near_valid_request(draw: st.DrawFn) -> bytes:
    """One request built from plausible and hostile parts."""
    line = b" ".join(
        [draw(st.sampled_from(_METHODS)), draw(st.sampled_from(_TARGETS)),
         draw(st.sampled_from(_VERSIONS))]
    )  # fmt: skip
    fields = draw(st.lists(st.sampled_from(_FIELDS), max_size=5))
    head = line + b"\r\n" + b"".join(f + b"\r\n" for f in fields) + b"\r\n"
    return head + draw(st.sampled_from(_BODIES))


@st.composite
def mutated(draw: st.DrawFn, base: st.SearchStrategy[bytes]) -> bytes:
    """A few byte-level edits (replace, insert, delete) to ``base``'s output."""
    data = bytearray(draw(base))
    for _ in range(draw(st.integers(0, 3))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        edit = draw(st.sampled_from(["replace", "insert", "delete"]))
        byte = draw(st.sampled_from([0, 9, 10, 13, 32, 58, 0x7F, 0xFF, 48]))
        if edit == "replace":
            data[at] = byte
        elif edit == "insert":
            data.insert(at, byte)
        else:
            del data[at]
    return bytes(data)


requests_stream = st.lists(near_valid_request(), min_size=1, max_size=3).map(b"".join)
inputs = st.one_of(st.binary(max_size=200), requests_stream, mutated(requests_stream))


@st.composite
def cases(draw: st.DrawFn) -> tuple[bytes, list[int]]:
    """An input and the sorted offsets at which it is split into reads."""
    data = draw(inputs)
    if draw(st.booleans()) and len(data) < 400:
        return data, list(range(1, len(data)))  # byte by byte
    cuts = draw(st.lists(st.integers(1, max(1, len(data) - 1)), max_size=8, unique=True))
    return data, sorted(cuts)


# -- corpus -------------------------------------------------------------------------------


def save(data: bytes, cuts: list[int], note: str, folder: Path = CORPUS) -> Path:
    """Write a (minimised) finding to the corpus folder; return its path."""
    folder.mkdir(exist_ok=True)
    digest = hashlib.sha1(data + repr(cuts).encode()).hexdigest()[:12]
    name = f"finding-{digest}.json"
    path = folder / name
    record = {"note": note[:500], "data": data.decode("latin-1"), "cuts": cuts}
    path.write_text(json.dumps(record, indent=1) + "\n")
    return path


def load(path: Path) -> tuple[bytes, list[int]]:
    """Read one corpus case: its bytes and split points."""
    record = json.loads(path.read_text())
    return record["data"].encode("latin-1"), [int(c) for c in record["cuts"]]


# -- long runs (scripts/fuzz) ------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Run the fuzzer for a while; save a minimised finding to the corpus."""
    from hypothesis import HealthCheck, given, seed, settings

    parser = argparse.ArgumentParser(prog="scripts/fuzz", description=main.__doc__)
    parser.add_argument("--seconds", type=float, default=300.0, help="stop after this long")
    parser.add_argument("--seed", type=int, default=0, help="first round's seed")
    parser.add_argument("--round", type=int, default=500, help="inputs per Hypothesis round")
    args = parser.parse_args(argv)
    loop = asyncio.new_event_loop()
    counted = {"inputs": 0}

    @settings(
        max_examples=args.round,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(cases())
    def search(case: tuple[bytes, list[int]]) -> None:
        counted["inputs"] += 1
        data, cuts = case
        try:
            check(loop, data, cuts)
        except Finding as exc:
            exc.case = (data, cuts)  # type: ignore[attr-defined]
            raise

    # Rounds of a bounded size with fresh seeds, so a time limit needs no
    # exception thrown through Hypothesis.
    started = time.monotonic()
    status = 0
    rounds = 0
    while time.monotonic() - started < args.seconds:
        try:
            seed(args.seed + rounds)(search)()
        except (Finding, ExceptionGroup) as exc:
            found = list(exc.exceptions) if isinstance(exc, ExceptionGroup) else [exc]
            for finding in found:
                data, cuts = getattr(finding, "case", (b"", []))
                print(f"finding: {finding}\nsaved to {save(data, cuts, str(finding))}")
            status = 1
            break
        rounds += 1
    elapsed = time.monotonic() - started
    rate = counted["inputs"] / elapsed if elapsed else 0.0
    print(
        f"inputs: {counted['inputs']} in {rounds} rounds, {elapsed:.1f} s, "
        f"{rate:.0f} inputs/s, findings: {status}"
    )
    return status


if __name__ == "__main__":
    raise SystemExit(main())
