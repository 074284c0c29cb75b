"""Logging setup: formatters, TTY colours, levels, access-log switch."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from zephyr.server.logging import (
    TRACE_LOG_LEVEL,
    AccessFormatter,
    ColourStreamHandler,
    DefaultFormatter,
    configure_logging,
    stream_is_tty,
)


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def restore_loggers() -> Iterator[None]:
    names = ("zephyr.error", "zephyr.access")
    saved = {n: (logging.getLogger(n).handlers[:], logging.getLogger(n).level) for n in names}
    yield
    for name, (handlers, level) in saved.items():
        logger = logging.getLogger(name)
        logger.handlers = handlers
        logger.setLevel(level)
        logger.disabled = False
        logger.propagate = True


def record(msg: str, level: int = logging.INFO, **extra: object) -> logging.LogRecord:
    rec = logging.LogRecord("zephyr.access", level, __file__, 1, msg, None, None)
    rec.__dict__.update(extra)
    return rec


def test_default_formatter_without_colours() -> None:
    formatter = DefaultFormatter("%(levelprefix)s %(message)s", use_colors=False)
    line = formatter.format(record("Started server process [42]"))
    assert line == "INFO:     Started server process [42]"
    assert "\033[" not in line


def test_default_formatter_with_colours() -> None:
    formatter = DefaultFormatter("%(levelprefix)s %(message)s", use_colors=True)
    line = formatter.format(record("hello", logging.ERROR))
    assert line.startswith("\033[31mERROR\033[0m:")
    assert line.endswith(" hello")


def test_access_formatter_colours_status_only_on_tty() -> None:
    message = '127.0.0.1:5000 - "GET /x%0A HTTP/1.1" 404 Not Found'
    plain = AccessFormatter("%(message)s", use_colors=False)
    assert plain.format(record(message, status_code=404)) == message
    coloured = AccessFormatter("%(message)s", use_colors=True)
    out = coloured.format(record(message, status_code=404))
    assert "\033[31m404 Not Found\033[0m" in out
    assert out.startswith('127.0.0.1:5000 - "GET /x%0A HTTP/1.1" ')


def test_handler_resolves_colours_from_stream() -> None:
    tty_formatter = DefaultFormatter("%(levelprefix)s %(message)s")
    ColourStreamHandler(FakeTTY()).setFormatter(tty_formatter)
    assert tty_formatter.use_colors is True
    pipe_formatter = DefaultFormatter("%(levelprefix)s %(message)s")
    ColourStreamHandler(io.StringIO()).setFormatter(pipe_formatter)
    assert pipe_formatter.use_colors is False


def test_stream_is_tty_honours_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    assert stream_is_tty(FakeTTY())
    assert not stream_is_tty(object())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not stream_is_tty(FakeTTY())


def test_configure_default_writes_startup_lines(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(None, "info", access_log=True, use_colors=False)
    logging.getLogger("zephyr.error").info("Started server process [%d]", 7)
    logging.getLogger("zephyr.error").debug("hidden at info")
    logging.getLogger("zephyr.access").info(
        '1.2.3.4:1 - "GET / HTTP/1.1" 200 OK', extra={"status_code": 200}
    )
    captured = capsys.readouterr()
    assert "INFO:     Started server process [7]" in captured.err
    assert "hidden at info" not in captured.err
    assert '"GET / HTTP/1.1" 200 OK' in captured.out
    assert "\033[" not in captured.out


def test_trace_level(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(None, "trace", use_colors=False)
    assert logging.getLogger("zephyr.error").level == TRACE_LOG_LEVEL
    logging.getLogger("zephyr.error").log(TRACE_LOG_LEVEL, "wire bytes")
    assert "TRACE:    wire bytes" in capsys.readouterr().err


def test_unknown_level_rejected() -> None:
    with pytest.raises(KeyError):
        configure_logging(None, "loud")


def test_access_log_off(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(None, "info", access_log=False, use_colors=False)
    logging.getLogger("zephyr.access").info("should not appear")
    assert "should not appear" not in capsys.readouterr().out
    configure_logging(None, "info", access_log=True, use_colors=False)
    logging.getLogger("zephyr.access").info("back on")
    assert "back on" in capsys.readouterr().out


def test_json_and_ini_log_config_files(tmp_path: Path) -> None:
    out = tmp_path / "json.log"
    config = {
        "version": 1,
        "disable_existing_loggers": False,
        "handlers": {"f": {"class": "logging.FileHandler", "filename": str(out)}},
        "loggers": {"zephyr.error": {"handlers": ["f"], "level": "INFO"}},
    }
    path = tmp_path / "log.json"
    path.write_text(json.dumps(config))
    configure_logging(str(path), "info")
    logging.getLogger("zephyr.error").info("to json file")
    assert "to json file" in out.read_text()

    ini_out = tmp_path / "ini.log"
    ini = tmp_path / "log.ini"
    ini.write_text(
        "[loggers]\nkeys=root,zerr\n[handlers]\nkeys=f\n[formatters]\nkeys=plain\n"
        "[logger_root]\nhandlers=\n[logger_zerr]\nqualname=zephyr.error\nhandlers=f\n"
        "level=INFO\npropagate=0\n"
        f"[handler_f]\nclass=FileHandler\nargs=({str(ini_out)!r},)\nformatter=plain\n"
        "[formatter_plain]\nformat=%(levelname)s|%(message)s\n"
    )
    configure_logging(str(ini), "info")
    logging.getLogger("zephyr.error").info("to ini file")
    assert "INFO|to ini file" in ini_out.read_text()
