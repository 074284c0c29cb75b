"""State shared by every connection of one server process."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any


@dataclass(eq=False)
class ServerState:
    """Book-keeping the server and its protocol instances share.

    Attributes:
        connections: Live connection protocols (``HttpProtocol`` instances);
            the server walks it on shutdown to close idle ones.
        tasks: In-flight ASGI request tasks; graceful shutdown waits on them.
        total_requests: Requests started since the process began (for
            ``limit_max_requests``).
        default_headers: Extra ``(name, value)`` response headers, lower-case
            bytes, sent on every response.
        should_exit: Set once shutdown starts: protocols stop keeping
            connections alive.
    """

    connections: set[Any] = field(default_factory=set)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    total_requests: int = 0
    default_headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    should_exit: bool = False
