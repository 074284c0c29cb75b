"""Property-based fuzzing of ``HttpProtocol`` (see ``tests/server/fuzzing.py``).

A short bounded search runs in the default suite (the ``zephyr-ci`` profile,
``HYPOTHESIS_PROFILE`` picks another); ``scripts/fuzz`` runs long searches.
Every minimised finding kept in ``fuzz_corpus/`` is replayed here.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from .fuzzing import CORPUS, cases, check, load

settings.register_profile(
    "zephyr-ci",
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "zephyr-long", parent=settings.get_profile("zephyr-ci"), max_examples=20_000
)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "zephyr-ci")


@pytest.fixture(scope="module")
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    event_loop = asyncio.new_event_loop()
    yield event_loop
    event_loop.close()


@pytest.mark.timeout(120)
@settings(settings.get_profile(PROFILE))
@given(case=cases())
def test_protocol_invariants(
    loop: asyncio.AbstractEventLoop, case: tuple[bytes, list[int]]
) -> None:
    data, cuts = case
    check(loop, data, cuts)


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.json")), ids=lambda p: Path(p).stem)
def test_corpus_replays(loop: asyncio.AbstractEventLoop, path: Path) -> None:
    data, cuts = load(path)
    check(loop, data, cuts)


@pytest.mark.parametrize(
    "data",
    [
        b"GET / HTTP/1.1\r\nHost: a\r\n\r\nHEAD /stream HTTP/1.1\r\nHost: a\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\t\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
        b"GET /205 HTTP/1.1\r\nHost: a\r\n\r\nGET /stream HTTP/1.0\r\n\r\n",
    ],
)
def test_harness_reads_valid_exchanges(loop: asyncio.AbstractEventLoop, data: bytes) -> None:
    """The harness itself: valid exchanges pass every invariant, split byte by byte."""
    check(loop, data, list(range(1, len(data))))
