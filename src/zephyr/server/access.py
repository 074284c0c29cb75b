"""The access log: one ``zephyr.access`` record per response, handled off the event loop.

PERF: ``Logger.info`` on the event loop cost a request about as much as the
request itself (a caller lookup walking frames, ``LogRecord.__init__``, then
formatting, a write and a flush, all per line). Here the event loop only
appends a tuple of the line's values to a deque, and wakes the writer thread
only when it sleeps; the writer waits a few milliseconds for lines to gather
(one wake-up and one write per batch: waking it per line would cost a thread
switch per request, as the event loop lets go of the GIL between callbacks).
It turns each tuple into a
``LogRecord`` copied from a template made once (same attributes as one made by
``Logger.makeRecord``) and hands it to ``Logger.handle``: the logger's
filters, its handlers and propagation to parent loggers run as stdlib
``logging`` runs them, so a ``--log-config`` / ``dictConfig`` handler gets
every record. zephyr's own stream handler writes a batch of lines and flushes
once per batch (:meth:`AccessLog._drain`).

The writer runs between :meth:`AccessLog.start` and :meth:`AccessLog.stop`
(the server's life, see ``server.py``); ``stop`` hands every queued line to
the handlers before it returns, so none is lost at exit. While handlers fall
behind, at most :data:`PENDING_MAX` lines wait; beyond that new lines are
dropped and their number is logged as a warning on ``zephyr.error``. Outside that
(protocol tests, an embedding that drives ``HttpProtocol`` itself) records go
to ``Logger.handle`` at once, on the caller's thread.

Whether lines are wanted at all is decided once per connection by the
protocol (``config.access_log`` and ``isEnabledFor(INFO)``): when off, a
request does no access-log work.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import threading
import time
from collections import deque
from collections.abc import Iterator, Mapping
from typing import Any, Protocol

__all__ = ["ACCESS_LOG", "AccessLog", "FinishedResponse", "running"]

# "200 OK", as Uvicorn's access lines show the status.
_STATUS_TEXT: dict[int, str] = {}
_HTTP_FORMAT = '%s - "%s %s HTTP/%s" %s'
# How long the writer lets lines gather once woken, s: a batch per wake-up.
_GATHER_SECONDS = 0.005
_BATCH_MAX = 1024
# Lines waiting for the writer, at most (about 200 bytes each): when handlers
# fall behind (a blocked pipe, a slow remote handler) new lines are dropped and
# counted rather than growing the queue without bound.
PENDING_MAX = 100_000


class FinishedResponse(Protocol):
    """What the access log reads of a finished exchange (the server's cycle)."""

    @property
    def scope(self) -> Mapping[str, Any]: ...  # method, path, query_string, http_version
    @property
    def status(self) -> int: ...
    @property
    def started_at(self) -> float: ...  # time.perf_counter() when the request started, s
    @property
    def bytes_sent(self) -> int: ...  # body bytes


def _status_text() -> dict[int, str]:
    import http

    return {int(s): f"{s.value} {s.phrase}" for s in http.HTTPStatus}


_STATUS_TEXT.update(_status_text())


def printable(text: str) -> str:
    """Escape non-printable characters so a log line cannot drive a terminal.

    Args:
        text: Any text taken from a request (method, path, query).

    Returns:
        ``text`` itself when printable, else with each non-printable
        character replaced by its ``repr`` escape (``\\x1b``, ``\\n``...).
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class AccessLog:
    """Queue and writer thread carrying ``zephyr.access`` records to their handlers.

    Args:
        logger: The logger records are handled by (``zephyr.access``).
    """

    def __init__(self, logger: logging.Logger) -> None:
        self.logger = logger
        # deque.append and popleft are atomic: the loop and the writer share
        # it without a lock.
        self.pending: deque[Any] = deque()
        # Lines refused while the queue was full: counted on the event loop,
        # reported (once per batch of drops) by the writer.
        self.dropped = 0
        self.reported = 0
        self.wake = threading.Event()
        # True while the writer waits (or is about to) for ``wake``: the event
        # loop sets ``wake`` only then.
        self.asleep = False
        self.stopping = False
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()  # start/stop from any thread
        self.template: dict[str, Any] | None = None
        # The thread that answers requests (the event loop's), named on records.
        self.origin: threading.Thread | None = None

    # -- life cycle ------------------------------------------------------------

    def start(self) -> None:
        """Start the writer thread (a no-op when it is running in this process)."""
        with self.lock:
            if self.thread is not None and self.thread.is_alive():
                return
            # A forked worker has a copy of its parent's lines and no thread:
            # both start afresh, and the template learns the worker's pid.
            self.pending = deque()
            self.dropped = self.reported = 0
            self.wake = threading.Event()
            self.asleep = False
            self.stopping = False
            self.template = None
            self.origin = threading.current_thread()
            thread = threading.Thread(target=self._run, name="zephyr-access-log", daemon=True)
            thread.start()
            self.thread = thread

    def stop(self) -> None:
        """Hand every queued line to the handlers, then stop the writer thread."""
        with self.lock:
            thread = self.thread
            self.thread = None
            if thread is None:
                return
            if thread.is_alive() and thread is not threading.current_thread():
                self.stopping = True
                self.wake.set()
                thread.join()
            # Whatever the writer left (or all of it, with no live writer).
            while self.pending:
                self._drain()
            self._report_dropped()

    # -- called on the event loop ------------------------------------------------

    def log_http(self, client_addr: str, response: FinishedResponse) -> None:
        """Log one HTTP response: ``127.0.0.1:5000 - "GET /?q=1 HTTP/1.1" 200 OK``.

        Args:
            client_addr: ``host:port`` of the peer ("" when unknown).
            response: The finished exchange; its scope's ``method``, ``path``,
                ``query_string`` and ``http_version``, its status, start time
                and body bytes sent are read now.
        """
        scope = response.scope
        # PERF: one clock read and one tuple on the event loop; the wall-clock
        # time, the record and the formatting are the writer thread's work.
        item = (
            time.perf_counter(),
            client_addr,
            scope["method"],
            scope["path"],
            scope["query_string"],
            scope["http_version"],
            response.status,
            response.started_at,
            response.bytes_sent,
        )
        if self.thread is None:
            self.logger.handle(self._http_record(item, time.time(), item[0]))
            return
        pending = self.pending
        if len(pending) < PENDING_MAX:
            pending.append(item)
        else:
            self.dropped += 1
        if self.asleep:
            # PERF: a plain flag read instead of Event.is_set() per line; the
            # writer raises it (then looks at the queue once more) before it waits.
            self.asleep = False
            self.wake.set()

    def log(self, msg: str, args: tuple[Any, ...], extra: dict[str, Any]) -> None:
        """Log any other access line (WebSocket handshakes) in order with HTTP ones.

        Args:
            msg: ``%``-style message.
            args: Its arguments.
            extra: Attributes set on the record, as ``Logger.info(extra=...)`` does.
        """
        logger = self.logger
        record = logger.makeRecord(
            logger.name, logging.INFO, __file__, 0, msg, args, None, "log", extra
        )
        if self.thread is None:
            logger.handle(record)
            return
        pending = self.pending
        if len(pending) < PENDING_MAX:
            pending.append(record)
        else:
            self.dropped += 1
        self.asleep = False
        self.wake.set()

    # -- the writer --------------------------------------------------------------

    def _http_record(
        self, item: tuple[Any, ...], wall_now: float, perf_now: float
    ) -> logging.LogRecord:
        """The ``LogRecord`` of one queued HTTP line.

        Args:
            item: The line's values, as :meth:`log_http` queued them.
            wall_now: ``time.time()`` read together with ``perf_now``: the
                line's creation time is ``wall_now`` less the time since
                ``item`` finished.
            perf_now: ``time.perf_counter()`` read together with ``wall_now``.
        """
        finished, client, _, _, _, version, status, started, size = item
        created = wall_now - (perf_now - finished)
        duration_ms = (finished - started) * 1000.0
        args = _http_args(item)
        method, path = args[1], args[2]
        template = self.template
        if template is None:
            template = self._make_template()
        fields = template.copy()
        # As LogRecord.__init__ computes them from the creation time.
        fields["created"] = created
        fields["msecs"] = int((created - int(created)) * 1000) + 0.0
        fields["relativeCreated"] = (
            template["relativeCreated"] + (created - template["created"]) * 1000.0
        )
        fields["args"] = args
        fields["client_addr"] = client
        fields["method"] = method
        fields["path"] = path
        fields["http_version"] = version
        fields["status_code"] = status
        fields["duration_ms"] = duration_ms
        fields["response_bytes"] = size
        # PERF: a dict copy and a __dict__ swap instead of LogRecord.__init__.
        record = logging.LogRecord.__new__(logging.LogRecord)
        record.__dict__ = fields
        return record

    def _make_template(self) -> dict[str, Any]:
        """A record made the stdlib way, whose fields every HTTP line shares."""
        logger = self.logger
        record = logger.makeRecord(
            logger.name, logging.INFO, __file__, 0, _HTTP_FORMAT, (), None, "log_http"
        )
        template = dict(record.__dict__)
        origin = self.origin
        if origin is not None:
            # Made on the writer thread: name the event loop's thread instead,
            # as a record made where the request was answered would.
            template["thread"] = origin.ident
            template["threadName"] = origin.name
        self.template = template
        return template

    def _run(self) -> None:
        wake, pending = self.wake, self.pending
        while True:
            self.asleep = True
            if not pending and not self.stopping:
                wake.wait()
            if not self.stopping:
                time.sleep(_GATHER_SECONDS)  # let this wake-up's batch gather
            # Cleared before draining: a line appended from here on sets it again.
            wake.clear()
            while pending:
                self._drain()
            self._report_dropped()
            if self.stopping:
                return

    def _report_dropped(self) -> None:
        """Say how many lines were dropped since the last report (writer thread only)."""
        dropped = self.dropped  # written by the event loop only; read once
        if dropped != self.reported:
            logging.getLogger("zephyr.error").warning(
                "Access log: %d lines dropped, its handlers fell behind "
                "(more than %d lines were waiting)",
                dropped - self.reported,
                PENDING_MAX,
            )
            self.reported = dropped

    def _drain(self) -> None:
        """Handle up to a batch of pending lines, flushing zephyr's streams once."""
        pending = self.pending
        batch: list[Any] = []
        with contextlib.suppress(IndexError):
            while len(batch) < _BATCH_MAX:
                batch.append(pending.popleft())
        if not batch:
            return
        direct = _direct_handlers(self.logger)
        if direct is not None and all(type(item) is tuple for item in batch):
            _write_lines(batch, direct)
            return
        handlers = _batching_handlers(self.logger)
        for handler in handlers:
            handler.defer_flush = True
        wall_now, perf_now = time.time(), time.perf_counter()
        try:
            handle = self.logger.handle
            for item in batch:
                try:
                    if type(item) is tuple:
                        item = self._http_record(item, wall_now, perf_now)
                    handle(item)
                except Exception:  # a handler that raises loses its line only
                    logging.getLogger("zephyr.error").exception("Access log handler failed")
        finally:
            for handler in handlers:
                handler.defer_flush = False
                handler.flush()


def _http_args(item: tuple[Any, ...]) -> tuple[Any, ...]:
    """The access line's ``%`` arguments: client, method, target, version, status."""
    _, client, method, path, query, version, status, _, _ = item
    if query:
        path = f"{path}?{query.decode('latin-1')}"
    # "200 OK" is one dict lookup (codes without a phrase print bare).
    return (client, printable(method), printable(path), version, _STATUS_TEXT.get(status) or status)


def _direct_handlers(logger: logging.Logger) -> list[Any] | None:
    """zephyr's own plain stream handlers, when they are all a record would reach.

    PERF: then the writer formats a batch of HTTP lines itself, exactly as
    those handlers' formatters would (``levelprefix message``, no colours),
    and writes it in one call: no record, no per-line handler call. Any
    filter, another kind of handler or formatter, colours or a handler level
    above INFO anywhere on the way returns None: records take
    ``Logger.handle``.
    """
    from zephyr.server.logging import AccessFormatter, ColourStreamHandler, DefaultFormatter

    found: list[Any] = []
    current: logging.Logger | None = logger
    while current is not None:
        if current.disabled:
            return found  # Logger.handle drops the record here
        if current.filters:
            return None
        for handler in current.handlers:
            formatter = handler.formatter
            if (
                type(handler) is not ColourStreamHandler
                or handler.filters
                or handler.level > logging.INFO
                or type(formatter) not in (AccessFormatter, DefaultFormatter)
                or not formatter.plain  # type: ignore[union-attr]
                or formatter.use_colors  # type: ignore[union-attr]
            ):
                return None
            found.append(handler)
        current = current.parent if current.propagate else None
    if not found:
        return None  # the last-resort handler's business
    return found


def _http_messages(batch: list[tuple[Any, ...]]) -> list[str]:
    """Each queued HTTP line's message: ``_HTTP_FORMAT % _http_args(item)``, item by item.

    PERF: the arguments worked out inline and joined by an f-string cost the
    writer about 40 % of a ``%`` format of :func:`_http_args`' tuple (a
    function call, a tuple and ``%`` parsing per line). The result is the
    same text; ``tests/server/test_access_log.py`` holds the two to it.
    """
    status_text = _STATUS_TEXT.get
    messages = []
    for _, client, method, path, query, version, status, _, _ in batch:
        if query:
            path = f"{path}?{query.decode('latin-1')}"
        if not (method.isprintable() and path.isprintable()):
            method, path = printable(method), printable(path)
        status = status_text(status) or status
        messages.append(f'{client} - "{method} {path} HTTP/{version}" {status}')
    return messages


def _write_lines(batch: list[tuple[Any, ...]], handlers: list[Any]) -> None:
    """Write a batch of HTTP lines through each of ``handlers``' streams, flushed once."""
    level = logging.makeLogRecord({"levelno": logging.INFO, "levelname": "INFO"})
    messages = _http_messages(batch)
    if not messages:
        return
    for handler in handlers:
        prefix = handler.formatter.level_prefix(level) + " "
        terminator = handler.terminator
        # PERF: one join for the batch instead of two concatenations per line.
        text = prefix + (terminator + prefix).join(messages) + terminator
        handler.acquire()
        try:
            handler.stream.write(text)
            handler.flush()
        except Exception:
            logging.getLogger("zephyr.error").exception("Access log handler failed")
        finally:
            handler.release()


def _batching_handlers(logger: logging.Logger) -> list[Any]:
    """zephyr stream handlers a record of ``logger`` may reach (they can defer flushes)."""
    from zephyr.server.logging import ColourStreamHandler

    found: list[Any] = []
    current: logging.Logger | None = logger
    while current is not None:
        found += [h for h in current.handlers if isinstance(h, ColourStreamHandler)]
        current = current.parent if current.propagate else None
    return found


ACCESS_LOG = AccessLog(logging.getLogger("zephyr.access"))
"""The process's access log (the protocols and WebSocket handshakes log through it)."""

atexit.register(ACCESS_LOG.stop)


@contextlib.contextmanager
def running() -> Iterator[AccessLog]:
    """Run :data:`ACCESS_LOG`'s writer thread for the duration of a ``with`` block.

    Yields:
        The access log; on exit every line queued so far has been handled.
    """
    ACCESS_LOG.start()
    try:
        yield ACCESS_LOG
    finally:
        ACCESS_LOG.stop()
