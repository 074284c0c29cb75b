"""Logging for the zephyr server: the ``zephyr.error`` and ``zephyr.access`` loggers.

Two stdlib loggers carry everything the server says:

* ``zephyr.error`` -- start-up, shutdown, lifespan and unexpected errors
  (named like Uvicorn's ``uvicorn.error`` so habits and filters carry over);
* ``zephyr.access`` -- one line per response (:func:`log_access`, handled off
  the event loop by ``access.py``); its records carry ``client_addr``,
  ``method``, ``path``, ``http_version``, ``status_code``, ``duration_ms``
  and ``response_bytes`` as attributes, as ``extra`` would set them.

Colours are used only when the stream is a TTY, unless ``use_colors`` forces
them on or off.
"""

from __future__ import annotations

import copy
import http
import json
import logging
import logging.config
import os
from typing import TYPE_CHECKING, Any, Literal, TextIO

from zephyr.server.access import ACCESS_LOG, printable

if TYPE_CHECKING:
    from zephyr.server._cycle import RequestResponseCycle

__all__ = [
    "LOGGING_CONFIG",
    "AccessFormatter",
    "ColourFormatter",
    "ColourStreamHandler",
    "DefaultFormatter",
    "configure_logging",
    "default_logging_config",
    "log_access",
    "printable",
    "stream_is_tty",
]

TRACE_LOG_LEVEL = 5
"""Level number of ``log_level="trace"`` (below DEBUG, like Uvicorn's)."""

LOG_LEVELS: dict[str, int] = {
    "critical": logging.CRITICAL,
    "error": logging.ERROR,
    "warning": logging.WARNING,
    "info": logging.INFO,
    "debug": logging.DEBUG,
    "trace": TRACE_LOG_LEVEL,
}

logging.addLevelName(TRACE_LOG_LEVEL, "TRACE")

_PLAIN_FORMAT = "%(levelprefix)s %(message)s"
_RESET = "\033[0m"
_LEVEL_COLOURS: dict[int, str] = {
    TRACE_LOG_LEVEL: "\033[34m",  # blue
    logging.DEBUG: "\033[36m",  # cyan
    logging.INFO: "\033[32m",  # green
    logging.WARNING: "\033[33m",  # yellow
    logging.ERROR: "\033[31m",  # red
    logging.CRITICAL: "\033[1;31m",  # bright red
}
_STATUS_COLOURS: dict[int, str] = {
    1: "\033[37m",  # 1xx white
    2: "\033[32m",  # 2xx green
    3: "\033[33m",  # 3xx yellow
    4: "\033[31m",  # 4xx red
    5: "\033[1;31m",  # 5xx bright red
}


def stream_is_tty(stream: Any) -> bool:
    """Tell whether ``stream`` is an interactive terminal.

    Args:
        stream: Any object; streams without ``isatty`` count as not a TTY.

    Returns:
        True only when ``stream.isatty()`` returns True (and ``NO_COLOR`` is unset).
    """
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if callable(isatty) else False
    except (ValueError, OSError):  # closed stream
        return False


class ColourFormatter(logging.Formatter):
    """Formatter adding ``%(levelprefix)s``: the level name, padded and maybe coloured.

    Args:
        fmt / datefmt / style: As for :class:`logging.Formatter`.
        use_colors: True/False forces colours; None decides per handler stream
            (colour only on a TTY), resolved on first use.
    """

    def __init__(
        self,
        fmt: str | None = None,
        datefmt: str | None = None,
        style: Literal["%", "{", "$"] = "%",
        use_colors: bool | None = None,
    ) -> None:
        super().__init__(fmt=fmt, datefmt=datefmt, style=style)
        self.use_colors = use_colors
        # PERF: zephyr's own line shape is joined by hand (about a third of
        # Formatter.format's cost); any other format goes the stdlib way.
        self.plain = style == "%" and fmt == _PLAIN_FORMAT
        self.prefixes: dict[tuple[int, str, bool | None], str] = {}

    def resolve_colours(self, stream: Any) -> None:
        """Fix ``use_colors`` from ``stream`` when it was left as None."""
        if self.use_colors is None:
            self.use_colors = stream_is_tty(stream)

    def level_prefix(self, record: logging.LogRecord) -> str:
        """Return ``"INFO:     "``-style prefix (9 columns), coloured if enabled."""
        key = (record.levelno, record.levelname, self.use_colors)
        prefix = self.prefixes.get(key)
        if prefix is None:
            prefix = self._level_prefix(record)
            if len(self.prefixes) < 64:
                self.prefixes[key] = prefix
        return prefix

    def _level_prefix(self, record: logging.LogRecord) -> str:
        name = record.levelname
        pad = " " * max(1, 8 - len(name))
        if self.use_colors:
            colour = _LEVEL_COLOURS.get(record.levelno, "")
            return f"{colour}{name}{_RESET}:{pad}"
        return f"{name}:{pad}"

    def format(self, record: logging.LogRecord) -> str:
        if not self.plain or record.exc_info or record.exc_text or record.stack_info:
            return super().format(record)
        # What Formatter.format does for a record without exception or stack.
        record.message = record.getMessage()
        return self.formatMessage(record)

    def formatMessage(self, record: logging.LogRecord) -> str:
        prefix = record.__dict__["levelprefix"] = self.level_prefix(record)
        if self.plain:
            return f"{prefix} {record.message}"
        return super().formatMessage(record)


class DefaultFormatter(ColourFormatter):
    """Formatter of ``zephyr.error`` lines: ``INFO:     Started server process [42]``."""


class AccessFormatter(ColourFormatter):
    """Formatter of ``zephyr.access`` lines; colours the status code on a TTY.

    The message text itself comes from the protocol (already escaped); this
    only decorates the status code given in ``extra={"status_code": ...}``.
    """

    def formatMessage(self, record: logging.LogRecord) -> str:
        status = record.__dict__.get("status_code")
        if self.use_colors and isinstance(status, int):
            record.message = self._colour_status(record.message, status)
        return super().formatMessage(record)

    @staticmethod
    def _colour_status(message: str, status: int) -> str:
        try:
            phrase = http.HTTPStatus(status).phrase
        except ValueError:
            phrase = ""
        code = str(status)
        at = message.rfind(code)
        if at < 0:
            return message
        colour = _STATUS_COLOURS.get(status // 100, "")
        end = at + len(code)
        if phrase and message[end : end + 1 + len(phrase)] == f" {phrase}":
            end += 1 + len(phrase)
        return f"{message[:at]}{colour}{message[at:end]}{_RESET}{message[end:]}"


class ColourStreamHandler(logging.StreamHandler[TextIO]):
    """StreamHandler that lets a :class:`ColourFormatter` sniff its stream for a TTY.

    While ``defer_flush`` is True (set by the access log's writer around a
    batch of lines, ``access.py``) ``flush`` does nothing: the batch is
    flushed once at its end.
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__(stream)
        self.defer_flush = False

    def flush(self) -> None:
        if not self.defer_flush:
            super().flush()

    def setFormatter(self, fmt: logging.Formatter | None) -> None:
        super().setFormatter(fmt)
        if isinstance(fmt, ColourFormatter):
            fmt.resolve_colours(self.stream)


LOGGING_CONFIG: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "default": {
            "()": "zephyr.server.logging.DefaultFormatter",
            "fmt": "%(levelprefix)s %(message)s",
            "use_colors": None,
        },
        "access": {
            "()": "zephyr.server.logging.AccessFormatter",
            "fmt": "%(levelprefix)s %(message)s",
            "use_colors": None,
        },
    },
    "handlers": {
        "default": {
            "formatter": "default",
            "class": "zephyr.server.logging.ColourStreamHandler",
            "stream": "ext://sys.stderr",
        },
        "access": {
            "formatter": "access",
            "class": "zephyr.server.logging.ColourStreamHandler",
            "stream": "ext://sys.stdout",
        },
    },
    "loggers": {
        "zephyr.error": {"handlers": ["default"], "level": "INFO", "propagate": False},
        "zephyr.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
    },
}
"""zephyr's default ``dictConfig``: errors to stderr, access lines to stdout."""


def default_logging_config(use_colors: bool | None = None) -> dict[str, Any]:
    """Return a fresh copy of :data:`LOGGING_CONFIG` with ``use_colors`` applied.

    Args:
        use_colors: True/False forces colours on both formatters; None keeps
            TTY detection.

    Returns:
        A ``logging.config.dictConfig`` dict (safe to mutate).
    """
    config = copy.deepcopy(LOGGING_CONFIG)
    for formatter in config["formatters"].values():
        formatter["use_colors"] = use_colors
    return config


def configure_logging(
    log_config: dict[str, Any] | str | None = None,
    log_level: str | int | None = "info",
    access_log: bool = True,
    use_colors: bool | None = None,
) -> None:
    """Set up the ``zephyr.error`` / ``zephyr.access`` loggers.

    Args:
        log_config: A ``dictConfig`` dict; or a path to a ``.json`` file (a
            dictConfig dict) or any other file read with
            ``logging.config.fileConfig`` (``.ini`` style); None for
            :data:`LOGGING_CONFIG`.
        log_level: Level name (``"trace"`` .. ``"critical"``) or number for
            both loggers; None leaves the configured levels alone.
        access_log: False silences ``zephyr.access`` (no handlers, no propagation).
        use_colors: Force colours on/off in the default config; None = TTY only.

    Raises:
        ValueError: ``log_level`` is an unknown name.
        OSError / json.JSONDecodeError: ``log_config`` file unreadable or invalid.
    """
    if log_config is None:
        logging.config.dictConfig(default_logging_config(use_colors))
    elif isinstance(log_config, dict):
        logging.config.dictConfig(log_config)
    elif log_config.endswith(".json"):
        with open(log_config, encoding="utf-8") as file:
            logging.config.dictConfig(json.load(file))
    else:
        logging.config.fileConfig(log_config, disable_existing_loggers=False)

    if log_level is not None:
        level = LOG_LEVELS[log_level.lower()] if isinstance(log_level, str) else log_level
        for name in ("zephyr.error", "zephyr.access"):
            logging.getLogger(name).setLevel(level)
    access = logging.getLogger("zephyr.access")
    access.disabled = not access_log
    if not access_log:
        access.handlers = []
        access.propagate = False


def log_access(client_addr: str, cycle: RequestResponseCycle) -> None:
    """Log one access line for a finished request on ``zephyr.access``.

    The line is ``127.0.0.1:5000 - "GET /?q=1 HTTP/1.1" 200 OK``; the record
    also carries ``client_addr``, ``method``, ``path``, ``http_version``,
    ``status_code``, ``duration_ms`` and ``response_bytes``. It is handled
    off the event loop while the server runs (``access.py``).

    Args:
        client_addr: ``host:port`` of the client, or ``""``.
        cycle: The request's exchange (scope, status, bytes sent, start time).
    """
    ACCESS_LOG.log_http(client_addr, cycle)
