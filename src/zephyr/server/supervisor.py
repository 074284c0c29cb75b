"""Pre-fork worker supervisor (``--workers N``).

The supervisor binds the listening socket once, then forks N workers that each
run a :class:`~zephyr.server.server.Server` on that shared socket; the kernel
spreads new connections between them.

Why ``os.fork`` and not ``multiprocessing`` spawn: a forked worker starts in
milliseconds, shares the parent's imported modules copy-on-write, and inherits
the socket with no pickling. The supervisor itself never imports the app nor
runs an event loop or threads, so forking is safe. The app is imported *in
each worker*, so a rolling restart (SIGHUP) picks up new code when the app is
given as an import string or path.

Signals to the supervisor:

* SIGTERM / SIGINT -- SIGTERM every worker (graceful), wait, exit 0;
* SIGHUP -- rolling restart: start a new worker, wait until it is ready,
  gracefully stop one old worker; repeat for each worker;
* a worker dying unexpectedly is replaced (with a short back-off).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import select
import signal
import socket
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from zephyr.server.config import Config

logger = logging.getLogger("zephyr.error")

SUPERVISOR_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD)
RESTART_BACKOFF_SECONDS = 0.5
"""Pause before replacing a worker that died, so a crash loop cannot spin the CPU."""


@dataclass
class Worker:
    """One forked worker as seen by the supervisor.

    Attributes:
        pid: Process id.
        ready_fd: Read end of the pipe the worker writes one byte to once it
            accepts connections (closed after use, then -1).
        ready: True once that byte arrived.
        stopping: True once the supervisor asked it to stop (death expected).
        exit_code: Set once reaped.
    """

    pid: int
    ready_fd: int
    ready: bool = False
    stopping: bool = False
    exit_code: int | None = None
    started_at: float = field(default_factory=time.monotonic)


class Supervisor:
    """Run and babysit ``config.workers`` forked server processes.

    Args:
        config: Server settings; ``workers`` is the process count.
        sockets: Listening sockets, bound by the caller, shared by all workers.
    """

    def __init__(self, config: Config, sockets: Sequence[socket.socket]) -> None:
        self.config = config
        self.sockets = list(sockets)
        self.workers: list[Worker] = []
        self.should_exit = False
        self.exit_code = 0
        self._signals: list[int] = []
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)

    # -- life cycle ------------------------------------------------------------

    def run(self) -> int:
        """Start the workers and supervise them until told to stop.

        Returns:
            The process exit code: 0 after a signalled shutdown; the failing
            worker's code (e.g. 3) when a worker could not start initially.
        """
        logger.info("Started parent process [%d]", os.getpid())
        previous = self._install_signals()
        try:
            if self._start_initial():
                self._supervise()
            self._stop_all()
        finally:
            self._restore_signals(previous)
            os.close(self._wake_r)
            os.close(self._wake_w)
        logger.info("Stopping parent process [%d]", os.getpid())
        return self.exit_code

    def _start_initial(self) -> bool:
        for _ in range(self.config.workers):
            self.workers.append(self._spawn())
        for worker in list(self.workers):
            if not self._wait_ready(worker):
                if self.should_exit:  # stopped by a signal while starting: not a failure
                    return False
                code = worker.exit_code if worker.exit_code else 1
                logger.error("Worker [%d] failed to start (exit code %d)", worker.pid, code)
                self.exit_code = code
                return False
        return True

    def _supervise(self) -> None:
        while not self.should_exit:
            self._wait_for_event(timeout=1.0)
            for sig in self._drain_signals():
                if sig in (signal.SIGINT, signal.SIGTERM):
                    self.should_exit = True
                elif sig == signal.SIGHUP and not self.should_exit:
                    self._rolling_restart()
            if not self.should_exit:
                self._replace_dead()

    def _replace_dead(self) -> None:
        for worker in list(self.workers):
            if self._reap(worker) and not worker.stopping:
                logger.warning(
                    "Child process [%d] died unexpectedly (exit code %s)",
                    worker.pid,
                    worker.exit_code,
                )
                self.workers.remove(worker)
                if time.monotonic() - worker.started_at < RESTART_BACKOFF_SECONDS:
                    time.sleep(RESTART_BACKOFF_SECONDS)
                replacement = self._spawn()
                # Nobody waits for its readiness: drop the pipe (the write fails quietly).
                os.close(replacement.ready_fd)
                replacement.ready_fd = -1
                self.workers.append(replacement)

    def _rolling_restart(self) -> None:
        logger.info("Received SIGHUP: restarting workers one by one")
        for old in list(self.workers):
            if self.should_exit:
                return
            new = self._spawn()
            self.workers.append(new)
            if not self._wait_ready(new):
                logger.error("New worker [%d] did not become ready; keeping [%d]", new.pid, old.pid)
                self.workers.remove(new)
                continue
            self._stop(old)
            self._join([old], timeout=self.config.timeout_graceful_shutdown + 5)
            self.workers.remove(old)

    def _stop_all(self) -> None:
        for worker in self.workers:
            self._stop(worker)
        self._join(self.workers, timeout=self.config.timeout_graceful_shutdown + 5)
        self.workers.clear()

    # -- one worker ------------------------------------------------------------

    def _spawn(self) -> Worker:
        ready_r, ready_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # child: never returns
            os.close(ready_r)
            self._child_main(ready_w)
        os.close(ready_w)
        return Worker(pid=pid, ready_fd=ready_r)

    def _child_main(self, ready_fd: int) -> None:
        code = 1
        try:
            self._reset_child_state()
            code = run_worker(self.config, self.sockets, ready_fd)
        except BaseException:
            logger.exception("Worker [%d] crashed", os.getpid())
        finally:
            with contextlib.suppress(Exception):
                sys.stdout.flush()
                sys.stderr.flush()
            os._exit(code)

    def _reset_child_state(self) -> None:
        signal.set_wakeup_fd(-1)
        for sig in SUPERVISOR_SIGNALS:
            signal.signal(sig, signal.SIG_DFL)
        os.close(self._wake_r)
        os.close(self._wake_w)
        for other in self.workers:
            if other.ready_fd >= 0:
                os.close(other.ready_fd)

    def _wait_ready(self, worker: Worker) -> bool:
        deadline = time.monotonic() + self.config.timeout_worker_healthcheck
        while time.monotonic() < deadline and not self.should_exit:
            readable, _, _ = select.select([worker.ready_fd, self._wake_r], [], [], 0.5)
            if worker.ready_fd in readable:
                worker.ready = os.read(worker.ready_fd, 1) == b"1"
                os.close(worker.ready_fd)
                worker.ready_fd = -1
                if not worker.ready:
                    self._join([worker], timeout=5)
                return worker.ready
            self._collect_signals_while_waiting()
            if self._reap(worker):
                return False
        self._stop(worker)
        self._join([worker], timeout=5)
        return False

    def _collect_signals_while_waiting(self) -> None:
        # Keep SIGHUP for later; a stop request ends every wait at once.
        for sig in self._drain_signals():
            if sig in (signal.SIGINT, signal.SIGTERM):
                self.should_exit = True
            elif sig == signal.SIGHUP:
                self._signals.append(sig)

    def _stop(self, worker: Worker) -> None:
        worker.stopping = True
        if worker.exit_code is None:
            logger.info("Waiting for child process [%d]", worker.pid)
            with contextlib.suppress(ProcessLookupError):
                os.kill(worker.pid, signal.SIGTERM)

    def _join(self, workers: Sequence[Worker], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        pending = [w for w in workers if not self._reap(w)]
        while pending and time.monotonic() < deadline:
            time.sleep(0.05)
            pending = [w for w in pending if not self._reap(w)]
        for worker in pending:
            logger.warning("Killing child process [%d] (graceful stop timed out)", worker.pid)
            with contextlib.suppress(ProcessLookupError):
                os.kill(worker.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(worker.pid, 0)
            worker.exit_code = -signal.SIGKILL
        for worker in workers:
            if worker.ready_fd >= 0:
                os.close(worker.ready_fd)
                worker.ready_fd = -1

    @staticmethod
    def _reap(worker: Worker) -> bool:
        if worker.exit_code is not None:
            return True
        try:
            pid, status = os.waitpid(worker.pid, os.WNOHANG)
        except ChildProcessError:
            worker.exit_code = 1
            return True
        if pid == 0:
            return False
        worker.exit_code = os.waitstatus_to_exitcode(status)
        return True

    # -- signals ---------------------------------------------------------------

    def _install_signals(self) -> dict[int, object]:
        previous: dict[int, object] = {}
        for sig in SUPERVISOR_SIGNALS:
            previous[sig] = signal.signal(sig, self._on_signal)
        signal.set_wakeup_fd(self._wake_w, warn_on_full_buffer=False)
        return previous

    def _restore_signals(self, previous: dict[int, object]) -> None:
        signal.set_wakeup_fd(-1)
        for sig, handler in previous.items():
            if callable(handler) or isinstance(handler, int):
                signal.signal(sig, handler)

    def _on_signal(self, sig: int, frame: object) -> None:
        if sig != signal.SIGCHLD:
            self._signals.append(sig)

    def _drain_signals(self) -> list[int]:
        signals, self._signals = self._signals, []
        return signals

    def _wait_for_event(self, timeout: float) -> None:
        if self._signals:
            return
        readable, _, _ = select.select([self._wake_r], [], [], timeout)
        if readable:
            with contextlib.suppress(BlockingIOError):
                os.read(self._wake_r, 1024)


def run_worker(config: Config, sockets: Sequence[socket.socket], ready_fd: int) -> int:
    """Body of one worker process: serve on ``sockets``, report readiness on ``ready_fd``.

    Args:
        config: Server settings.
        sockets: The shared listening sockets.
        ready_fd: Pipe write end; ``b"1"`` is written once serving, ``b"0"``
            if start-up failed; closed afterwards.

    Returns:
        The server's exit code (0, 1, or 3 for a lifespan start-up failure).
    """
    from zephyr.server.server import Server, new_event_loop

    server = Server(config)

    async def serve_and_report() -> None:
        task = asyncio.ensure_future(server.serve(sockets, owns_process=True))
        while not server.started and not task.done():
            await asyncio.wait({task}, timeout=0.02)
        _report_ready(ready_fd, server.started)
        await task

    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        runner.run(serve_and_report())
    return server.exit_code


def _report_ready(ready_fd: int, ready: bool) -> None:
    with contextlib.suppress(OSError):
        os.write(ready_fd, b"1" if ready else b"0")
        os.close(ready_fd)
