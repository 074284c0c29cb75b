"""Auto-reload (``--reload``): restart the server process when source files change.

The reloader binds the socket, then runs the server in a fresh child process
(``multiprocessing`` *spawn*, so every restart imports the app's code anew)
and watches ``reload_dirs`` with watchfiles. On a matching change it stops the
child gracefully (SIGTERM) and starts another on the same socket, so clients
never see a closed port. Spawn rather than fork: the watchfiles backend runs
native threads, and forking a threaded process is unsafe.
"""

from __future__ import annotations

import fnmatch
import logging
import multiprocessing
import os
import signal
import socket
import threading
from collections.abc import Iterable, Sequence
from multiprocessing.process import BaseProcess
from pathlib import Path
from types import FrameType

from zephyr.server.config import Config

logger = logging.getLogger("zephyr.error")

DEFAULT_INCLUDES = ("*.py",)
DEFAULT_EXCLUDES = (".*", ".py[cod]", ".sw.*", "~*")
IGNORED_DIRS = frozenset({"__pycache__", ".git", ".hg", ".venv", "node_modules", ".mypy_cache"})
STOP_TIMEOUT_SECONDS = 5.0
"""How long a replaced child gets to finish before it is killed."""


class ReloadFilter:
    """watchfiles filter: keep changes whose file name matches includes and no excludes.

    Args:
        includes: Glob patterns on the file name (default ``*.py``).
        excludes: Glob patterns on the file name that win over includes.
    """

    def __init__(self, includes: Iterable[str] = (), excludes: Iterable[str] = ()) -> None:
        self.includes = list(DEFAULT_INCLUDES) + [p for p in includes if p not in DEFAULT_INCLUDES]
        self.excludes = [p for p in (*DEFAULT_EXCLUDES, *excludes) if p not in self.includes]

    def __call__(self, change: object, path: str) -> bool:
        parts = Path(path).parts
        if any(part in IGNORED_DIRS for part in parts[:-1]):
            return False
        name = parts[-1] if parts else path
        if any(fnmatch.fnmatch(name, pattern) for pattern in self.excludes):
            return False
        return any(fnmatch.fnmatch(name, pattern) for pattern in self.includes)


class ChangeReload:
    """Supervise one server child process and restart it on file changes.

    Args:
        config: Server settings; ``app`` must be an import string or path.
        sockets: Listening sockets bound by the caller, passed to each child.

    Raises:
        ValueError: ``config.app`` is an object (a child process cannot
            re-import it).
    """

    def __init__(self, config: Config, sockets: Sequence[socket.socket]) -> None:
        if not isinstance(config.app, str):
            raise ValueError(
                "reload needs the application as an import string (e.g. 'main:app') or a "
                "path, not an app object: the reloader re-imports it in a fresh process."
            )
        self.config = config
        self.sockets = list(sockets)
        self.reload_dirs = [str(Path(d).resolve()) for d in config.reload_dirs] or [os.getcwd()]
        self.watch_filter = ReloadFilter(config.reload_includes, config.reload_excludes)
        self.should_exit = threading.Event()
        self.process: BaseProcess | None = None

    def run(self) -> int:
        """Start the child and restart it on changes until SIGINT/SIGTERM.

        Returns:
            Exit code 0.
        """
        import watchfiles

        logger.info("Will watch for changes in these directories: %s", self.reload_dirs)
        logger.info("Started reloader process [%d] using WatchFiles", os.getpid())
        previous = {
            sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            self.process = self._start_child()
            for changes in watchfiles.watch(
                *self.reload_dirs,
                watch_filter=self.watch_filter,
                stop_event=self.should_exit,
                debounce=300,
                step=50,
                rust_timeout=500,
                yield_on_timeout=True,
                raise_interrupt=False,
            ):
                if changes and not self.should_exit.is_set():
                    self._restart(sorted(path for _, path in changes))
        finally:
            self._stop_child()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        logger.info("Stopping reloader process [%d]", os.getpid())
        return 0

    def _on_signal(self, sig: int, frame: FrameType | None) -> None:
        self.should_exit.set()

    def _restart(self, paths: list[str]) -> None:
        shown = ", ".join(os.path.relpath(p) for p in paths[:5])
        logger.warning("WatchFiles detected changes in %s. Reloading...", shown)
        self._stop_child()
        self.process = self._start_child()

    def _start_child(self) -> BaseProcess:
        context = multiprocessing.get_context("spawn")
        process = context.Process(target=run_child, args=(self.config, self.sockets), daemon=False)
        process.start()
        return process

    def _stop_child(self) -> None:
        process, self.process = self.process, None
        if process is None or process.pid is None:
            return
        if process.is_alive():
            os.kill(process.pid, signal.SIGTERM)
        process.join(STOP_TIMEOUT_SECONDS + self.config.timeout_graceful_shutdown)
        if process.is_alive():
            process.kill()
            process.join()


def run_child(config: Config, sockets: Sequence[socket.socket]) -> None:
    """Entry point of a reload child process: configure logging, then serve.

    Args:
        config: The reloader's config (picklable: ``app`` is a string).
        sockets: The reloader's listening sockets.
    """
    from zephyr.server.server import Server

    config.configure_logging()
    server = Server(config)
    server.run(sockets=sockets)
    # A failed start leaves the reloader waiting for the next change.
    if server.exit_code:
        raise SystemExit(server.exit_code)
