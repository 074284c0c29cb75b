"""``zephyr.run()``: serve an app from Python code, the way ``uvicorn.run()`` does."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from typing import Any

from zephyr.server.config import Config

logger = logging.getLogger("zephyr.error")


def run(app: Any, **kwargs: Any) -> None:
    """Serve ``app`` until interrupted, picking the right process model.

    ``reload=True`` runs the reload supervisor (``app`` must be an import
    string or path); ``workers > 1`` runs the pre-fork supervisor; otherwise
    a single :class:`~zephyr.server.server.Server` runs in this process.

    Args:
        app: ASGI 3 app object, ``"module:attr"`` import string, or a
            ``.py``/directory path for discovery.
        **kwargs: Any :class:`~zephyr.server.config.Config` field, e.g.
            ``host="0.0.0.0"``, ``port=8000``, ``workers=4``, ``reload=True``.

    Raises:
        SystemExit: Code 1 when the app cannot be loaded, the socket cannot be
            bound, or the options conflict; code 3 when the application's
            lifespan start-up failed.
        TypeError: An unknown keyword argument.
    """
    config = Config(app=app, **kwargs)
    code = serve_config(config)
    if code:
        sys.exit(code)


def serve_config(config: Config) -> int:
    """Configure logging, then run the reloader, the worker supervisor or one server.

    Args:
        config: Complete server settings.

    Returns:
        Process exit code (0 ok, 1 load/bind/option error, 3 start-up failure).
    """
    config.configure_logging()
    if config.reload and not isinstance(config.app, str):
        logger.error(
            "You must pass the application as an import string or path to enable 'reload'."
        )
        return 1
    if config.reload or config.workers > 1:
        from zephyr.server.importer import ImportFromStringError, check_target

        # Before any supervisor starts: a child that can never find the app
        # would leave the reloader waiting for a change, with no clear error.
        try:
            check_target(config.app, config.app_dir)
        except ImportFromStringError as exc:
            logger.error("Error loading ASGI app. %s", exc)
            return 1
        return _run_supervised(config)

    from zephyr.server.server import Server

    server = Server(config)
    try:
        server.run()
    except KeyboardInterrupt:  # Ctrl+C before the handlers were installed
        pass
    return server.exit_code


def _run_supervised(config: Config) -> int:
    try:
        sock = config.bind_socket()
    except OSError as exc:
        logger.error("%s", exc)
        return 1
    try:
        if config.reload:
            from zephyr.server.reload import ChangeReload

            return ChangeReload(config, [sock]).run()
        from zephyr.server.supervisor import Supervisor

        return Supervisor(config, [sock]).run()
    finally:
        sock.close()
        if config.uds:
            with contextlib.suppress(OSError):
                os.unlink(config.uds)
