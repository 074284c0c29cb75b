"""The connection side of a request cycle: what ``RequestResponseCycle`` may use.

A cycle reaches its connection only through these collaborators, built once
per connection by ``HttpProtocol``; the protocol reaches the cycle only
through the cycle's public methods. Neither writes the other's fields.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

# Run-time imports, not TYPE_CHECKING ones: compiled (mypyc), the dataclass's
# annotations are evaluated when the module is made, so these names must exist.
from zephyr.server._cycle import RequestResponseCycle
from zephyr.server._flow import FlowControl
from zephyr.server.state import ServerState
from zephyr.types import NativeServerApp, ServerApp

__all__ = ["CycleHooks"]


@dataclass(slots=True, kw_only=True)
class CycleHooks:
    """What a request cycle needs from its connection; built once per connection.

    Attributes:
        app: The ASGI 3 application (typed as the server calls it).
        native: The same application's native entry (``app.native_http``),
            called instead of ``app`` when not ``None``.
        loop: The connection's event loop (request tasks run on it).
        transport: The connection's transport.
        flow: The connection's write flow control.
        static_headers: Pre-encoded per-server header lines (``Server``, defaults).
        state: Process-wide server state (``should_exit``, the task set).
        access_log: Whether responses are logged (the cycle then notes its start time).
        complete: Called with the cycle once its last body byte is written.
        fail: Called with the cycle, a status and a reason when the app failed
            before it started a response: answers that and closes.
        close: Closes the connection under a response that cannot be finished.
        resume_reading: Called when the app has taken buffered body bytes.
    """

    app: ServerApp
    native: NativeServerApp | None
    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport
    flow: FlowControl
    static_headers: bytes
    state: ServerState
    access_log: bool
    complete: Callable[[RequestResponseCycle], None]
    fail: Callable[[RequestResponseCycle, int, str], None]
    close: Callable[[], None]
    resume_reading: Callable[[], None]
