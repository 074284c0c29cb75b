"""Drive the Autobahn TestSuite cases (through ``kosoku``) against zephyr's server.

zephyr serves a raw ASGI echo app on an ephemeral 127.0.0.1 port; kosoku's
fuzzing client runs the selected cases against it and judges every exchange
and closing handshake.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Sequence
from typing import Any

from zephyr.server.config import Config
from zephyr.server.server import Server

PASSING = frozenset({"OK", "NON-STRICT", "INFORMATIONAL"})


async def echo(scope: Any, receive: Any, send: Any) -> None:
    """Echo every message back with its own type (text stays text)."""
    await receive()
    await send({"type": "websocket.accept"})
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        try:
            await send({**message, "type": "websocket.send"})
        except OSError:  # the fuzzer closed while an echo was due
            return


async def run_cases(
    cases: Sequence[str], exclude: Sequence[str] = (), concurrency: int = 2
) -> list[Any]:
    """Serve the echo app and run the given Autobahn cases against it.

    Args:
        cases: Case ids or globs, e.g. ``["1.*", "9.1.1"]``.
        exclude: Case ids or globs to leave out.
        concurrency: Cases run in parallel.

    Returns:
        kosoku ``CaseResult`` objects, in case order.
    """
    from kosoku import FailureError, run_fuzzingclient

    config = Config(
        app=echo,
        host="127.0.0.1",
        port=0,
        access_log=False,
        lifespan="off",
        log_level="warning",
        ws_max_size=64 * 1024 * 1024,  # the 9.* cases send up to 16 MiB
    )
    server = Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        results: list[Any] = await run_fuzzingclient(
            f"ws://127.0.0.1:{port}",
            cases=list(cases),
            exclude_cases=list(exclude),
            concurrency=concurrency,
        )
    except FailureError as exc:
        results = list(exc.results)
    finally:
        server.should_exit = True
        await task
    return results


def passed(result: Any) -> bool:
    """Whether both verdicts of a case are acceptable (OK, NON-STRICT, INFORMATIONAL)."""
    return result.behavior.value in PASSING and result.behavior_close.value in PASSING


def summary(results: Sequence[Any]) -> dict[str, collections.Counter[str]]:
    """Count verdicts per top-level section: ``{"1": Counter({"OK": 16}), ...}``."""
    sections: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for result in results:
        section = result.case_id.split(".")[0]
        verdict = result.behavior.value
        if result.behavior_close.value not in PASSING:
            verdict = f"{verdict}/close {result.behavior_close.value}"
        sections[section][verdict] += 1
    return dict(sections)
