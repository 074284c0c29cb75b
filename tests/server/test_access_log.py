"""The access log's writer thread: records reach every handler, in order, none lost."""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from zephyr.server import access
from zephyr.server.logging import ColourStreamHandler, configure_logging

from .conftest import MakeConn
from .test_protocol import GET, hello, run


class Collect(logging.Handler):
    """A user's handler: keeps each record and the thread that handled it."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []
        self.threads: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.threads.append(threading.current_thread().name)


class CountingStream(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.flushes = 0

    def flush(self) -> None:
        self.flushes += 1
        super().flush()


@pytest.fixture(autouse=True)
def restore_loggers() -> Iterator[None]:
    names = ("zephyr.error", "zephyr.access")
    saved = {n: (logging.getLogger(n).handlers[:], logging.getLogger(n).level) for n in names}
    yield
    access.ACCESS_LOG.stop()
    for name, (handlers, level) in saved.items():
        logger = logging.getLogger(name)
        logger.handlers = handlers
        logger.setLevel(level)
        logger.disabled = False
        logger.propagate = True


def user_config(handler: logging.Handler) -> dict[str, Any]:
    """A ``--log-config`` dict sending zephyr.access to ``handler``."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "handlers": {"mine": {"()": lambda: handler}},
        "loggers": {"zephyr.access": {"handlers": ["mine"], "level": "INFO", "propagate": False}},
    }


def serve_requests(make_conn: MakeConn, count: int, target: bytes = b"/") -> None:
    async def main() -> None:
        conn = make_conn(hello, access_log=True)
        for _ in range(count):
            conn.feed(GET.replace(b" / ", b" " + target + b" "))
            await conn.settle()

    run(main())


def test_user_handler_gets_every_record_from_the_writer_thread(make_conn: MakeConn) -> None:
    handler = Collect()
    configure_logging(user_config(handler))
    with access.running():
        serve_requests(make_conn, 50, b"/a?b=1")
    # stop() returned: everything queued has been handled, in order.
    assert len(handler.records) == 50
    assert set(handler.threads) == {"zephyr-access-log"}
    record = handler.records[0]
    assert record.getMessage() == '127.0.0.1:50000 - "GET /a?b=1 HTTP/1.1" 200 OK'
    extra: Any = record
    assert (extra.method, extra.path, extra.status_code) == ("GET", "/a?b=1", 200)
    assert extra.client_addr == "127.0.0.1:50000"
    assert extra.response_bytes == 5
    # Named like a record made where the request was answered.
    assert record.threadName == threading.current_thread().name
    assert record.name == "zephyr.access" and record.levelno == logging.INFO
    assert [r.created for r in handler.records] == sorted(r.created for r in handler.records)


def test_records_made_like_the_stdlib_makes_them(make_conn: MakeConn) -> None:
    handler = Collect()
    configure_logging(user_config(handler))
    with access.running():
        serve_requests(make_conn, 2)
    made = logging.LogRecord("zephyr.access", logging.INFO, __file__, 1, "m", (), None)
    record = handler.records[1]
    assert set(vars(made)) <= set(vars(record))
    assert 0 <= record.msecs < 1000
    assert record.relativeCreated > 0
    # A formatter using the standard fields works on it.
    line = logging.Formatter("%(asctime)s %(levelname)s %(name)s %(process)d %(message)s")
    expected = f'zephyr.access {record.process} 127.0.0.1:50000 - "GET / HTTP/1.1" 200 OK'
    assert line.format(record).endswith(expected)


def test_default_config_writes_the_same_line_and_flushes_per_batch(
    make_conn: MakeConn, monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = CountingStream()
    monkeypatch.setattr("sys.stdout", stream)
    configure_logging(use_colors=False)
    [handler] = logging.getLogger("zephyr.access").handlers
    assert isinstance(handler, ColourStreamHandler) and handler.stream is stream
    log = access.ACCESS_LOG
    log.start()
    # Hold the writer: the lines queue up and leave as one batch.
    with handler.lock:  # type: ignore[union-attr]
        serve_requests(make_conn, 20)
        assert stream.getvalue() == ""
    log.stop()
    lines = stream.getvalue().splitlines()
    assert lines == ['INFO:     127.0.0.1:50000 - "GET / HTTP/1.1" 200 OK'] * 20
    assert stream.flushes < 20


def test_without_the_writer_records_are_handled_at_once(make_conn: MakeConn) -> None:
    handler = Collect()
    configure_logging(user_config(handler))
    serve_requests(make_conn, 1)
    assert handler.threads == [threading.current_thread().name]


def test_stop_then_start_again_keeps_logging(make_conn: MakeConn) -> None:
    handler = Collect()
    configure_logging(user_config(handler))
    with access.running():
        serve_requests(make_conn, 3)
    with access.running():
        serve_requests(make_conn, 3)
    assert len(handler.records) == 6


def test_a_failing_handler_loses_only_its_lines(
    make_conn: MakeConn, caplog: pytest.LogCaptureFixture
) -> None:
    class Broken(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            raise ValueError("disk full")

        def handleError(self, record: logging.LogRecord) -> None:
            raise  # let the writer see it

    good = Collect()
    logger = logging.getLogger("zephyr.access")
    configure_logging(user_config(good))
    logger.addHandler(Broken())
    with caplog.at_level(logging.ERROR, logger="zephyr.error"), access.running():
        serve_requests(make_conn, 3)
    assert len(good.records) == 3
    assert any("Access log handler failed" in r.getMessage() for r in caplog.records)


def test_access_log_off_queues_nothing(make_conn: MakeConn) -> None:
    configure_logging(access_log=False)
    log = access.ACCESS_LOG
    with access.running():

        async def main() -> None:
            conn = make_conn(hello, access_log=True)
            assert conn.proto.access_log is False
            conn.feed(GET)
            await conn.settle()

        run(main())
        assert not log.pending


def test_filters_and_colours_still_apply_with_the_writer(
    make_conn: MakeConn, monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = io.StringIO()
    monkeypatch.setattr("sys.stdout", stream)
    configure_logging(use_colors=True)
    logger = logging.getLogger("zephyr.access")

    def drop_skip(record: logging.LogRecord) -> bool:
        return "/skip" not in record.getMessage()

    logger.addFilter(drop_skip)
    try:
        with access.running():
            serve_requests(make_conn, 2, b"/skip")
            serve_requests(make_conn, 1, b"/keep")
    finally:
        logger.removeFilter(drop_skip)
    [line] = stream.getvalue().splitlines()
    assert "/keep" in line
    assert "\033[32m200 OK\033[0m" in line  # the status coloured, as on a TTY


def test_lines_written_directly_match_the_formatter(make_conn: MakeConn) -> None:
    direct, formatted = io.StringIO(), io.StringIO()
    logger = logging.getLogger("zephyr.access")
    for stream in (direct, formatted):
        configure_logging(use_colors=False)
        [handler] = logger.handlers
        assert isinstance(handler, ColourStreamHandler)
        handler.setStream(stream)
        if stream is formatted:
            logger.addFilter(lambda record: True)  # takes Logger.handle, record by record
        with access.running():
            serve_requests(make_conn, 3, b"/a%1bb?x=1")
        logger.filters.clear()
    assert direct.getvalue() == formatted.getvalue()
    assert (
        direct.getvalue().splitlines()
        == ['INFO:     127.0.0.1:50000 - "GET /a\\x1bb?x=1 HTTP/1.1" 200 OK'] * 3
    )


@pytest.mark.parametrize(
    ("method", "path", "query", "status"),
    [
        ("GET", "/", b"", 200),
        ("POST", "/items/3", b"limit=5&q=%20x", 201),
        ("GET", "/caf\u00e9", b"q=\xe9", 404),
        ("G\x1bT", "/a\nb", b"x=\x1b[31m", 500),
        ("GET", "/", b"", 299),  # no phrase: the bare code
        ("GET", "/\x00", b"", 103),
    ],
)
def test_direct_messages_are_the_records_messages(
    method: str, path: str, query: bytes, status: int
) -> None:
    item = (2.0, "10.0.0.1:4321", method, path, query, "1.0", status, 1.0, 12)
    [message] = access._http_messages([item])
    assert message == access._HTTP_FORMAT % access._http_args(item)
    assert message.isprintable()


def test_a_stuck_handler_bounds_the_queue_and_reports_drops(
    make_conn: MakeConn, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lines beyond ``PENDING_MAX`` are dropped and counted, not queued without end."""
    monkeypatch.setattr(access, "PENDING_MAX", 10)
    entered, release = threading.Event(), threading.Event()

    class Stuck(Collect):
        def emit(self, record: logging.LogRecord) -> None:
            entered.set()
            release.wait(10)
            super().emit(record)

    handler = Stuck()
    warnings = Collect()
    configure_logging(user_config(handler))
    logging.getLogger("zephyr.error").addHandler(warnings)
    with access.running():
        serve_requests(make_conn, 1)
        assert entered.wait(5)  # the writer holds line 1 and waits in the handler
        serve_requests(make_conn, 10 + 7)
        assert len(access.ACCESS_LOG.pending) == 10
        release.set()
    assert len(handler.records) == 1 + 10
    messages = [r.getMessage() for r in warnings.records]
    assert messages == [
        "Access log: 7 lines dropped, its handlers fell behind (more than 10 lines were waiting)"
    ]
