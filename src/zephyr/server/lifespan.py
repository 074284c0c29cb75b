"""ASGI lifespan (spec 2.0): run the app's start-up and shutdown hooks around serving.

The app is called once with a ``lifespan`` scope and lives in a background
task for the whole server life; start-up and shutdown are two message
round-trips with it. Modes:

* ``"auto"`` -- an app that rejects the lifespan scope (raises before asking for
  the first event, sends a non-lifespan message, or returns at once) is taken
  as not supporting lifespan: logged, and serving goes on;
* ``"on"`` -- the same is an error and aborts start-up;
* ``"off"`` -- the app never sees a lifespan scope.

An exception raised *after* the app received ``lifespan.startup``, or a
``lifespan.startup.failed`` message, is a start-up failure in every mode.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Literal

from zephyr.types import (
    ASGIApp,
    LifespanReceiveEvent,
    LifespanScope,
    Message,
    as_server_app,
)

logger = logging.getLogger("zephyr.error")

STARTUP_FAILURE = 3
"""Process exit code after a failed application start-up (same as Uvicorn)."""


class LifespanError(RuntimeError):
    """The application broke the lifespan protocol (bad message order or type)."""


class Lifespan:
    """Drive one ASGI app through ``lifespan.startup`` and ``lifespan.shutdown``.

    Args:
        app: The ASGI 3 application.
        mode: ``"auto"``, ``"on"`` or ``"off"`` (see module doc).
        state: The dict given to the app as ``scope["state"]``; the server
            hands a shallow copy of it to every request.

    Attributes:
        startup_failed: True once start-up failed; the server must exit.
        shutdown_failed: True when the app reported or raised during shutdown.
        supported: False when the app turned out not to speak lifespan.
    """

    def __init__(
        self,
        app: ASGIApp,
        mode: Literal["auto", "on", "off"] = "auto",
        state: dict[str, Any] | None = None,
    ) -> None:
        self.app = app
        self.mode = mode
        self.state: dict[str, Any] = state if state is not None else {}
        self.startup_failed = False
        self.shutdown_failed = False
        self.supported = mode != "off"
        self._events: asyncio.Queue[LifespanReceiveEvent] = asyncio.Queue()
        self._startup_done = asyncio.Event()
        self._shutdown_done = asyncio.Event()
        self._received_startup = False
        self._task: asyncio.Task[None] | None = None

    async def startup(self) -> None:
        """Send ``lifespan.startup`` and wait for the app's answer.

        Returns when start-up completed, failed (``startup_failed`` set), or the
        app proved not to support lifespan. Never raises for app errors: they
        are logged on ``zephyr.error``.
        """
        if self.mode == "off":
            return
        logger.info("Waiting for application startup.")
        self._task = asyncio.get_running_loop().create_task(self._run())
        await self._events.put({"type": "lifespan.startup"})
        await self._startup_done.wait()
        if self.startup_failed:
            logger.error("Application startup failed. Exiting.")
        elif self.supported:
            logger.info("Application startup complete.")

    async def shutdown(self) -> None:
        """Send ``lifespan.shutdown`` and wait for the app to finish.

        No-op when lifespan is off, unsupported, or the app already returned.
        """
        if self._task is None or not self.supported or self._task.done():
            return
        logger.info("Waiting for application shutdown.")
        await self._events.put({"type": "lifespan.shutdown"})
        await self._shutdown_done.wait()
        if self.shutdown_failed:
            logger.error("Application shutdown failed. Exiting.")
        else:
            logger.info("Application shutdown complete.")

    async def _run(self) -> None:
        scope: LifespanScope = {
            "type": "lifespan",
            "asgi": {"version": "3.0", "spec_version": "2.0"},
            "state": self.state,
        }
        try:
            await as_server_app(self.app)(scope, self._receive, self._send)
        except Exception as exc:
            self._on_app_error(exc)
        else:
            if not self._startup_done.is_set():
                self._unsupported("the application returned without completing startup")
        finally:
            self._startup_done.set()
            self._shutdown_done.set()

    def _on_app_error(self, exc: BaseException) -> None:
        if self.startup_failed:  # the app re-raising after lifespan.startup.failed
            logger.error("Exception in 'lifespan' protocol", exc_info=exc)
        elif self._startup_done.is_set():
            if not self._shutdown_done.is_set():
                self.shutdown_failed = True
                logger.error("Exception in 'lifespan' protocol", exc_info=exc)
        elif self._received_startup and self.supported:
            self.startup_failed = True
            logger.error("Exception in 'lifespan' protocol", exc_info=exc)
        else:
            self._unsupported(f"{type(exc).__name__}: {exc}", exc)

    def _unsupported(self, reason: str, exc: BaseException | None = None) -> None:
        self.supported = False
        if self.mode == "on":
            self.startup_failed = True
            logger.error("ASGI 'lifespan' protocol failed (%s)", reason, exc_info=exc)
        else:
            logger.info("ASGI 'lifespan' protocol appears unsupported.")
            logger.debug("Lifespan rejected: %s", reason)

    async def _receive(self) -> LifespanReceiveEvent:
        message = await self._events.get()
        if message["type"] == "lifespan.startup":
            self._received_startup = True
        return message

    async def _send(self, message: Message) -> None:
        kind = message.get("type")
        if not isinstance(kind, str) or not kind.startswith("lifespan."):
            # A plain HTTP app answering the lifespan scope: it does not speak it.
            self._received_startup = False
            raise LifespanError(f"Unexpected ASGI message type in lifespan: {kind!r}")
        if kind in ("lifespan.startup.complete", "lifespan.startup.failed"):
            if self._startup_done.is_set():
                raise LifespanError(f"{kind!r} sent twice or after startup")
            if kind == "lifespan.startup.failed":
                self.startup_failed = True
                self._log_app_message(message)
            self._startup_done.set()
        elif kind in ("lifespan.shutdown.complete", "lifespan.shutdown.failed"):
            if not self._startup_done.is_set():
                raise LifespanError(f"{kind!r} sent before startup completed")
            if kind == "lifespan.shutdown.failed":
                self.shutdown_failed = True
                self._log_app_message(message)
            self._shutdown_done.set()
        else:
            raise LifespanError(f"Unknown lifespan message type: {kind!r}")

    @staticmethod
    def _log_app_message(message: Message) -> None:
        text = message.get("message") or ""
        if text:
            logger.error("%s", text)
