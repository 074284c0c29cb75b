"""Run zephyr's HTTP protocol on a real socket (127.0.0.1, ephemeral port) for one test."""

from __future__ import annotations

import asyncio
import functools
import ssl
from collections.abc import Awaitable, Callable
from typing import Any

from zephyr.server.config import Config
from zephyr.server.protocol import HttpProtocol
from zephyr.server.state import ServerState


def serve(
    app: Any,
    test: Callable[[int, ServerState], Awaitable[None]],
    *,
    loop_factory: Callable[[], asyncio.AbstractEventLoop] | None = None,
    ssl_context: ssl.SSLContext | None = None,
    timeout: float = 20.0,
    **config: Any,
) -> None:
    """Serve ``app`` and await ``test(port, state)`` against it, then shut down.

    Args:
        app: The ASGI app.
        test: The client side; gets the bound port and the server state.
        loop_factory: Event loop to run on (default asyncio's).
        ssl_context: Serve TLS with this context.
        timeout: Seconds ``test`` may take before it fails.
        config: More :class:`Config` settings (limits, timeouts).
    """

    async def main() -> None:
        loop = asyncio.get_running_loop()
        state = ServerState()
        settings = Config(app=app, access_log=False, **config)
        factory = functools.partial(
            HttpProtocol, config=settings, app=app, state=state, app_state={}
        )
        server = await loop.create_server(factory, "127.0.0.1", 0, ssl=ssl_context)
        port = server.sockets[0].getsockname()[1]
        try:
            await asyncio.wait_for(test(port, state), timeout=timeout)
        finally:
            for proto in list(state.connections):
                proto.shutdown()
            server.close()
            await server.wait_closed()

    with asyncio.Runner(loop_factory=loop_factory) as runner:
        runner.run(main())
