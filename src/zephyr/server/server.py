"""The zephyr server process: load the app, run lifespan, serve, shut down gracefully.

One :class:`Server` is one event loop serving one or more listening sockets.
Life cycle::

    load app -> bind -> lifespan startup -> create_server -> tick loop
    -> (signal / should_exit / limit_max_requests) -> stop accepting
    -> ask every connection to finish -> wait for in-flight requests
    (``timeout_graceful_shutdown``) -> force-close the rest -> lifespan shutdown
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import os
import signal
import socket
import threading
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from types import FrameType
from typing import Any

from zephyr.server import _gc, access
from zephyr.server._appinfo import docs_path, fastapi_note
from zephyr.server.config import Config
from zephyr.server.importer import format_load_error
from zephyr.server.lifespan import STARTUP_FAILURE, Lifespan
from zephyr.server.sockets import describe
from zephyr.server.state import ServerState
from zephyr.types import ASGIApp

logger = logging.getLogger("zephyr.error")

HANDLED_SIGNALS = (signal.SIGINT, signal.SIGTERM)
"""Signals that start a graceful shutdown (a second SIGINT forces it)."""

TICK_SECONDS = 0.1
"""Main-loop period: how fast ``should_exit`` and request limits are noticed."""


ACCEPT_GRACE_SECONDS = 0.1
"""Pause between closing the listeners and closing idle connections on shutdown."""


def new_event_loop() -> asyncio.AbstractEventLoop:
    """Return a uvloop event loop when uvloop is installed, else asyncio's default."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a dependency on POSIX
        return asyncio.new_event_loop()
    loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
    return loop


def _default_protocol_class() -> Callable[..., asyncio.Protocol]:
    # Imported lazily: tests may serve with a stand-in protocol class.
    module = importlib.import_module("zephyr.server.protocol")
    protocol_class: Callable[..., asyncio.Protocol] = module.HttpProtocol
    return protocol_class


class Server:
    """Serve one ASGI app on one event loop until told to stop.

    Args:
        config: The server settings (:class:`~zephyr.server.config.Config`).
        protocol_class: Connection protocol factory, called as
            ``protocol_class(config=, app=, state=, app_state=, loop=)``.
            Default :class:`zephyr.server.protocol.HttpProtocol`.

    Attributes:
        started: True once the sockets accept connections.
        should_exit: Set to True (from any coroutine of the loop, or a signal)
            to start a graceful shutdown.
        force_exit: True after a second Ctrl+C: skip waiting.
        servers: The ``asyncio.Server`` objects; ``servers[0].sockets[0]
            .getsockname()`` gives the bound address (useful with ``port=0``).
        exit_code: 0 when all went well; 1 when the app could not be loaded or
            the socket bound; 3 (:data:`STARTUP_FAILURE`) when the app's
            lifespan start-up failed.
        state: The :class:`ServerState` shared with the protocols.
    """

    def __init__(
        self,
        config: Config,
        protocol_class: Callable[..., asyncio.Protocol] | None = None,
    ) -> None:
        self.config = config
        self.protocol_class = protocol_class
        self.state = ServerState()
        self.state.default_headers = [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in config.headers
        ]
        self.app_state: dict[str, Any] = {}
        self.started = False
        self.should_exit = False
        self.force_exit = False
        self.exit_code = 0
        self.servers: list[asyncio.Server] = []
        self._captured_signals: list[int] = []
        self._lifespan: Lifespan | None = None
        self._bound_uds: str | None = None

    def run(self, sockets: Sequence[socket.socket] | None = None) -> None:
        """Create the event loop (uvloop when available) and :meth:`serve` until done.

        Args:
            sockets: Already-listening sockets to serve on (workers, reload);
                None binds from the config.
        """
        with asyncio.Runner(loop_factory=new_event_loop) as runner:
            runner.run(self.serve(sockets, owns_process=True))

    async def serve(
        self, sockets: Sequence[socket.socket] | None = None, *, owns_process: bool = False
    ) -> None:
        """Run the whole server life cycle inside the running event loop.

        Installs SIGINT/SIGTERM handlers when called from the main thread
        (restoring the previous ones afterwards). Failures set :attr:`exit_code`
        and return instead of raising.

        Args:
            sockets: Already-listening sockets; None binds from the config.
            owns_process: The server is the process's reason to be (``run()``,
                a worker), so it may set process-wide policy: the collector's
                (``Config.gc_tuning``). False for an embedding in its own loop.
        """
        # Access lines are handled off the event loop while serving; on the
        # way out (shutdown, SIGTERM, a worker's exit) every queued line
        # reaches its handlers before serve() returns.
        with self._capture_signals(), access.running():
            await self._serve(sockets, owns_process)

    async def _serve(self, sockets: Sequence[socket.socket] | None, owns_process: bool) -> None:
        pid = os.getpid()
        logger.info("Started server process [%d]", pid)
        try:
            app = self.config.load()
        except Exception as exc:
            logger.error("Error loading ASGI app. %s", format_load_error(exc))
            logger.debug("Error loading ASGI app: the whole traceback", exc_info=exc)
            self.exit_code = 1
            return
        note = fastapi_note(app, self.config.compat)
        if note is not None:
            logger.info("%s", note)
        # Bound before the lifespan starts: a taken port ends the start-up
        # before the app has opened anything that would need shutting down.
        listeners = list(sockets) if sockets is not None else self._bind()
        if listeners is None:
            return
        self._lifespan = Lifespan(app, self.config.lifespan, self.app_state)
        await self._lifespan.startup()
        if self._lifespan.startup_failed:
            if sockets is None:
                self._close_own(listeners)
            self.exit_code = STARTUP_FAILURE
            return
        await self.startup(app, listeners)
        if owns_process and self.config.gc_tuning:
            _gc.tune()
        if self.exit_code == 0 and not self.should_exit:
            await self.main_loop()
        await self.shutdown(sockets)
        logger.info("Finished server process [%d]", pid)

    def _bind(self) -> list[socket.socket] | None:
        """Open the configured listener; on failure log it, set exit code 1, return None."""
        try:
            sock = self.config.bind_socket()
        except OSError as exc:
            logger.error("%s", exc)
            self.exit_code = 1
            return None
        if self.config.uds and self.config.fd is None:
            self._bound_uds = self.config.uds
        return [sock]

    def _close_own(self, listeners: Sequence[socket.socket]) -> None:
        """Close listeners this server bound and never served on."""
        for sock in listeners:
            sock.close()
        if self._bound_uds is not None:
            with contextlib.suppress(OSError):
                os.unlink(self._bound_uds)
            self._bound_uds = None

    async def startup(self, app: ASGIApp, sockets: Sequence[socket.socket] | None = None) -> None:
        """Open the listeners and start accepting connections.

        Args:
            app: The loaded (and wrapped) ASGI app.
            sockets: Already-listening sockets; None binds from the config.

        On a bind error, logs it, sets :attr:`exit_code` to 1 and returns.
        """
        loop = asyncio.get_running_loop()
        protocol_class = self.protocol_class or _default_protocol_class()
        factory = partial(
            protocol_class,
            config=self.config,
            app=app,
            state=self.state,
            app_state=self.app_state,
            loop=loop,
        )
        listeners = list(sockets) if sockets is not None else self._bind()
        if listeners is None:
            return
        try:
            ssl_context = self.config.create_ssl_context()
            for sock in listeners:
                server = await loop.create_server(
                    factory, sock=sock, ssl=ssl_context, backlog=self.config.backlog
                )
                self.servers.append(server)
        except OSError as exc:
            logger.error("%s", exc)
            self.exit_code = 1
            return
        self._log_addresses(app, listeners, ssl_context is not None)
        self.started = True

    def _log_addresses(
        self, app: ASGIApp, listeners: Sequence[socket.socket], is_ssl: bool
    ) -> None:
        """Say where the server listens and, for an app with docs, where they are."""
        docs = docs_path(app)
        for sock in listeners:
            scheme, address = describe(sock, is_ssl)
            if scheme == "unix":
                logger.info("Zephyr running on unix socket %s (Press CTRL+C to quit)", address)
                continue
            logger.info("Zephyr running on %s://%s (Press CTRL+C to quit)", scheme, address)
            if docs is not None:
                logger.info("Documentation at %s://%s%s", scheme, address, docs)
                docs = None  # once, for the first address

    async def main_loop(self) -> None:
        """Tick every :data:`TICK_SECONDS` until :attr:`should_exit` is set."""
        while not self._tick():
            await asyncio.sleep(TICK_SECONDS)

    def _tick(self) -> bool:
        if self.should_exit:
            return True
        limit = self.config.limit_max_requests
        if limit is not None and self.state.total_requests >= limit:
            logger.warning("Maximum request limit of %d exceeded. Terminating process.", limit)
            self.should_exit = True
            return True
        return False

    async def shutdown(self, sockets: Sequence[socket.socket] | None = None) -> None:
        """Stop accepting, drain in-flight requests, then run lifespan shutdown.

        Args:
            sockets: The sockets given to :meth:`serve`, closed here.
        """
        logger.info("Shutting down")
        self.state.should_exit = True
        for server in self.servers:
            server.close()
        for sock in sockets or ():
            sock.close()
        # A connection accepted just before the listener closed may not have
        # delivered its request yet and would look idle: give it a moment so it
        # is served instead of dropped (matters for rolling restarts).
        await asyncio.sleep(ACCEPT_GRACE_SECONDS)
        for connection in list(self.state.connections):
            connection.shutdown()
        try:
            await asyncio.wait_for(
                self._wait_for_connections(), timeout=self.config.timeout_graceful_shutdown
            )
        except TimeoutError:
            logger.error(
                "Cancel %d running task(s), timeout graceful shutdown exceeded",
                len(self.state.tasks),
            )
        self._force_close()
        if self._bound_uds is not None:  # only a socket file we created ourselves
            with contextlib.suppress(OSError):
                os.unlink(self._bound_uds)
        if self._lifespan is not None and not self.force_exit:
            await self._lifespan.shutdown()

    async def _wait_for_connections(self) -> None:
        if self.state.connections and not self.force_exit:
            logger.info("Waiting for connections to close. (CTRL+C to force quit)")
        while self.state.connections and not self.force_exit:
            await asyncio.sleep(TICK_SECONDS)
        if self.state.tasks and not self.force_exit:
            logger.info("Waiting for background tasks to complete. (CTRL+C to force quit)")
        while self.state.tasks and not self.force_exit:
            await asyncio.sleep(TICK_SECONDS)

    def _force_close(self) -> None:
        for task in list(self.state.tasks):
            task.cancel()
        for connection in list(self.state.connections):
            transport = getattr(connection, "transport", None)
            if transport is not None:
                transport.abort()

    # -- signals ---------------------------------------------------------------

    @contextlib.contextmanager
    def _capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        loop = asyncio.get_running_loop()
        previous = {sig: signal.getsignal(sig) for sig in HANDLED_SIGNALS}
        installed: list[signal.Signals] = []
        try:
            for sig in HANDLED_SIGNALS:
                try:
                    loop.add_signal_handler(sig, self.handle_exit, sig, None)
                    installed.append(sig)
                except (NotImplementedError, RuntimeError):  # non-Unix loops
                    signal.signal(sig, self.handle_exit)
            yield
        finally:
            for sig in installed:
                loop.remove_signal_handler(sig)
            for sig, handler in previous.items():
                if handler is not None:  # None: set outside Python, cannot restore
                    signal.signal(sig, handler)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        """Signal handler: first signal -> graceful shutdown; second SIGINT -> force.

        Args:
            sig: The signal number.
            frame: Unused (``signal.signal`` signature).
        """
        self._captured_signals.append(sig)
        if self.should_exit and sig == signal.SIGINT:
            self.force_exit = True
        else:
            self.should_exit = True
