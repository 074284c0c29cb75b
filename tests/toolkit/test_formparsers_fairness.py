"""Form parsers give the event loop back while a large chunk of tiny parts is parsed.

python-multipart runs all callbacks of one ``write()`` synchronously; without
slicing, one 1 MiB chunk of 3-byte fields held the loop for its whole parse
and every other client of the process waited. These tests run a ticker task
beside the parse and count how often it ran, and check that slicing changes
no result: the same fields, the same limit errors, at any chunk size.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import time
from collections.abc import AsyncIterator

import pytest

from tests.toolkit.test_formparsers import chunks, mp_headers, multipart_body
from zephyr import formparsers
from zephyr.datastructures import FormData, Headers
from zephyr.formparsers import FormParser, MultiPartException, MultiPartParser

TINY_PARTS = multipart_body([(f"f{i}", b"v", None, None) for i in range(20_000)])
TINY_URLENCODED = "&".join(f"f{i}=v" for i in range(40_000)).encode()


async def one_chunk(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def parse_beside_ticker(parser: MultiPartParser | FormParser) -> tuple[FormData, int, float]:
    """Parse, counting the ticks of a task that wants the loop at every turn.

    Returns:
        The form, the ticks during the parse, and the longest gap between two
        ticks in this thread's CPU seconds: how long the parse held the loop
        at once (CPU time, so that the OS descheduling a loaded machine's
        process does not count).
    """
    ticks: list[float] = []

    async def ticker() -> None:
        while True:
            ticks.append(time.thread_time())
            await asyncio.sleep(0)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    # A full collection walks every object of the test process (thousands of
    # earlier tests' worth): its pause is not the parser's, so none runs here.
    gc.disable()
    try:
        form = await parser.parse()
    finally:
        gc.enable()
        task.cancel()
    gaps = [later - earlier for earlier, later in itertools.pairwise(ticks)]
    return form, len(ticks), max(gaps, default=0.0)


def test_multipart_chunk_of_tiny_parts_yields_to_the_loop() -> None:
    parser = MultiPartParser(mp_headers(), one_chunk(TINY_PARTS), max_fields=100_000)
    form, ticks, longest = asyncio.run(parse_beside_ticker(parser))
    assert len(form) == 20_000 and form["f19999"] == "v"
    assert ticks > 5, "the parse of one large chunk never gave the loop back"
    # Generous for a shared machine; unsliced, this parse holds the loop for its
    # whole duration (hundreds of milliseconds here).
    assert longest < 0.05, longest


def test_urlencoded_chunk_of_tiny_fields_yields_to_the_loop() -> None:
    headers = Headers({"content-type": "application/x-www-form-urlencoded"})
    parser = FormParser(headers, one_chunk(TINY_URLENCODED))
    form, ticks, longest = asyncio.run(parse_beside_ticker(parser))
    assert len(form) == 40_000 and form["f39999"] == "v"
    assert ticks > 5 and longest < 0.05, (ticks, longest)


def test_small_chunks_are_fed_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """A chunk up to the slice size is one ``write()``: no slicing, no yield."""
    writes: list[int] = []

    class Recorder:
        def write(self, data: bytes) -> None:
            writes.append(len(data))

    chunk = b"x" * formparsers._SLICE_BYTES
    asyncio.run(formparsers._write_fairly(Recorder(), chunk))
    assert writes == [len(chunk)]
    asyncio.run(formparsers._write_fairly(Recorder(), chunk + b"y"))
    assert writes[1:] == [formparsers._SLICE_BYTES, 1]


@pytest.mark.parametrize("chunk_size", [1 << 12, 1 << 16, 1 << 22])
def test_limit_error_is_the_same_at_any_chunk_size(chunk_size: int) -> None:
    parser = MultiPartParser(mp_headers(), chunks(TINY_PARTS, chunk_size))
    with pytest.raises(MultiPartException) as info:
        asyncio.run(parser.parse())
    assert info.value.message == "Too many fields. Maximum number of fields is 1000."


@pytest.mark.parametrize("chunk_size", [1, 4095, 4097, 1 << 20])
def test_sliced_parse_gives_the_same_fields(chunk_size: int) -> None:
    body = multipart_body([("a", b"x" * 10_000, None, None), ("f", b"y" * 9_000, "f.bin", None)])
    parser = MultiPartParser(mp_headers(), chunks(body, chunk_size))
    form = asyncio.run(parser.parse())
    assert form["a"] == "x" * 10_000
    upload = form["f"]
    assert not isinstance(upload, str)
    assert asyncio.run(upload.read()) == b"y" * 9_000
