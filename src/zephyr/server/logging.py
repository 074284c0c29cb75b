"""Logging for the zephyr server: the ``zephyr.error`` and ``zephyr.access`` loggers.

Two stdlib loggers carry everything the server says:

* ``zephyr.error`` -- start-up, shutdown, lifespan and unexpected errors
  (named like Uvicorn's ``uvicorn.error`` so habits and filters carry over);
* ``zephyr.access`` -- one line per response, built (and escaped) by the
  protocol; it passes ``client_addr``, ``method``, ``path``, ``http_version``,
  ``status_code``, ``duration_ms`` and ``response_bytes`` as ``extra``.

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
import time
from typing import TYPE_CHECKING, Any, Literal, TextIO

if TYPE_CHECKING:
    from zephyr.server._cycle import RequestResponseCycle

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

    def resolve_colours(self, stream: Any) -> None:
        """Fix ``use_colors`` from ``stream`` when it was left as None."""
        if self.use_colors is None:
            self.use_colors = stream_is_tty(stream)

    def level_prefix(self, record: logging.LogRecord) -> str:
        """Return ``"INFO:     "``-style prefix (9 columns), coloured if enabled."""
        name = record.levelname
        pad = " " * max(1, 8 - len(name))
        if self.use_colors:
            colour = _LEVEL_COLOURS.get(record.levelno, "")
            return f"{colour}{name}{_RESET}:{pad}"
        return f"{name}:{pad}"

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.__dict__["levelprefix"] = self.level_prefix(record)
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
    """StreamHandler that lets a :class:`ColourFormatter` sniff its stream for a TTY."""

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


def printable(text: str) -> str:
    """Escape non-printable characters so a log line cannot drive a terminal.

    Args:
        text: A request-controlled string (method, path).

    Returns:
        ``text`` with each non-printable character written as its escape.
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def log_access(client_addr: str, cycle: RequestResponseCycle) -> None:
    """Log one access line for a finished request on ``zephyr.access``.

    Args:
        client_addr: ``host:port`` of the client, or ``""``.
        cycle: The request's exchange (scope, status, bytes sent, start time).
    """
    scope = cycle.scope
    path = scope["path"]
    query = scope["query_string"]
    if query:
        path = f"{path}?{query.decode('latin-1')}"
    path = printable(path)
    method = printable(scope["method"])
    version = scope["http_version"]
    duration_ms = (time.perf_counter() - cycle.started_at) * 1000.0
    status = cycle.status
    _ACCESS.info(
        '%s - "%s %s HTTP/%s" %s',
        client_addr,
        method,
        path,
        version,
        # PERF: "200 OK" is one dict lookup (codes without a phrase print bare).
        _STATUS_TEXT.get(status) or status,
        extra={
            "client_addr": client_addr,
            "method": method,
            "path": path,
            "http_version": version,
            "status_code": status,
            "duration_ms": duration_ms,
            "response_bytes": cycle.bytes_sent,
        },
    )


_ACCESS = logging.getLogger("zephyr.access")
_STATUS_TEXT = {int(s): f"{s.value} {s.phrase}" for s in http.HTTPStatus}
