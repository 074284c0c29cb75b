"""The ``zephyr`` command line: ``zephyr run`` (production) and ``zephyr dev`` (reload).

Both take an app target -- ``module:attr``, a ``.py`` file, a directory, or
nothing (discover ``main.py``/``app.py``/``api.py`` in the current directory)
-- and every server setting of :class:`~zephyr.server.config.Config` as an
option. ``run`` defaults to ``--host 0.0.0.0`` without reload; ``dev`` to
``--host 127.0.0.1 --reload --debug``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import sys
from collections.abc import Sequence
from typing import Any

from zephyr import __version__
from zephyr.server._build import core_compiled
from zephyr.server.config import Config
from zephyr.server.logging import LOG_LEVELS

_DEFAULTS: dict[str, Any] = {
    f.name: f.default for f in dataclasses.fields(Config) if f.default is not dataclasses.MISSING
}


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Show defaults, but not the noise of ``(default: None)`` / ``[]``."""

    def _get_help_string(self, action: argparse.Action) -> str:
        help_text = action.help or ""
        if action.default in (None, [], argparse.SUPPRESS) or "%(default)" in help_text:
            return help_text
        return super()._get_help_string(action) or help_text


def _header(value: str) -> tuple[str, str]:
    name, sep, header_value = value.partition(":")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"expected NAME:VALUE, got {value!r}")
    return name.strip(), header_value.strip()


def _add_server_options(parser: argparse.ArgumentParser) -> None:
    d = _DEFAULTS
    bool_flag = argparse.BooleanOptionalAction
    net = parser.add_argument_group("socket")
    net.add_argument("--host", help="Interface to bind (IPv4 or IPv6).")
    net.add_argument("--port", type=int, default=d["port"], help="TCP port; 0 picks a free one.")
    net.add_argument("--uds", help="Bind to this Unix domain socket path instead of TCP.")
    net.add_argument("--fd", type=int, help="Serve on this inherited listening socket fd.")
    net.add_argument("--backlog", type=int, default=d["backlog"], help="listen() backlog.")
    proc = parser.add_argument_group("processes")
    proc.add_argument("--workers", type=int, default=d["workers"], help="Pre-forked workers.")
    proc.add_argument("--reload", action=bool_flag, help="Restart on source changes.")
    for kind, metavar, help_text in _RELOAD_LISTS:
        proc.add_argument(
            f"--reload-{kind}",
            dest=f"reload_{kind}s",
            action="append",
            default=[],
            metavar=metavar,
            help=help_text,
        )
    proc.add_argument(
        "--timeout-worker-healthcheck",
        type=float,
        default=d["timeout_worker_healthcheck"],
        help="Seconds a new worker gets to report ready.",
    )
    app = parser.add_argument_group("application")
    app.add_argument("--factory", action="store_true", help="The target is an app factory.")
    app.add_argument("--app-dir", default=d["app_dir"], help="Put this dir first on sys.path.")
    app.add_argument(
        "--lifespan",
        choices=["auto", "on", "off"],
        default=d["lifespan"],
        help="ASGI lifespan handling.",
    )
    app.add_argument("--root-path", default=d["root_path"], help="ASGI root_path (proxy prefix).")
    app.add_argument("--debug", action=bool_flag, help="Debug mode for apps that read it.")
    app.add_argument(
        "--compat",
        action="store_true",
        help="Make `import fastapi` / `import starlette` resolve to zephyr (zephyr.compat).",
    )
    http = parser.add_argument_group("HTTP")
    http.add_argument(
        "--proxy-headers",
        action=bool_flag,
        default=d["proxy_headers"],
        help="Trust X-Forwarded-For/-Proto from --forwarded-allow-ips.",
    )
    http.add_argument(
        "--forwarded-allow-ips",
        default=d["forwarded_allow_ips"],
        help="Comma-separated trusted proxy IPs/CIDRs, or '*'.",
    )
    http.add_argument(
        "--server-header",
        action=bool_flag,
        default=d["server_header"],
        help="Send 'Server: zephyr'.",
    )
    http.add_argument(
        "--date-header", action=bool_flag, default=d["date_header"], help="Send 'Date'."
    )
    http.add_argument(
        "--allow-connect",
        action=bool_flag,
        default=d["allow_connect"],
        help="Hand CONNECT requests to the app (no tunnel; closed after the answer), not 501.",
    )
    http.add_argument(
        "--header",
        dest="headers",
        action="append",
        type=_header,
        default=[],
        metavar="NAME:VALUE",
        help="Extra response header (repeatable).",
    )
    limits = parser.add_argument_group("limits and timeouts")
    for name, kind, help_text in _LIMIT_OPTIONS:
        limits.add_argument(
            "--" + name.replace("_", "-"), type=kind, default=d[name], help=help_text
        )
    _add_websocket_options(parser, d)
    parser.add_argument(
        "--gc-tuning",
        action=bool_flag,
        default=d["gc_tuning"],
        help="After start-up, freeze start-up's objects out of the cycle collector and "
        "collect its older generations less often (rare full-collection pauses).",
    )
    log = parser.add_argument_group("logging")
    log.add_argument("--log-level", choices=list(LOG_LEVELS), default=d["log_level"])
    log.add_argument(
        "--access-log", action=bool_flag, default=d["access_log"], help="Log each response."
    )
    log.add_argument("--use-colors", action=bool_flag, help="Force colours (default: TTY only).")
    log.add_argument(
        "--log-config",
        metavar="FILE",
        help="Logging config: .json (dictConfig) or .ini (fileConfig).",
    )
    tls = parser.add_argument_group("TLS")
    tls.add_argument("--ssl-certfile", help="PEM certificate (turns TLS on).")
    tls.add_argument("--ssl-keyfile", help="PEM private key.")
    tls.add_argument("--ssl-keyfile-password", help="Private key passphrase.")
    tls.add_argument("--ssl-ca-certs", help="CA bundle to verify client certificates.")
    tls.add_argument("--ssl-ciphers", default=d["ssl_ciphers"], help="OpenSSL cipher string.")
    tls.add_argument(
        "--ssl-cert-reqs",
        type=int,
        choices=[0, 1, 2],
        default=d["ssl_cert_reqs"],
        help="Client certificate: 0 none, 1 optional, 2 required.",
    )


def _seconds_or_off(value: str) -> float | None:
    if value.lower() in ("none", "off", "0"):
        return None
    return float(value)


def _add_websocket_options(parser: argparse.ArgumentParser, d: dict[str, Any]) -> None:
    ws = parser.add_argument_group("WebSocket")
    ws.add_argument(
        "--ws",
        choices=["auto", "websockets", "none"],
        default=d["ws"],
        help="WebSocket support ('none': upgrades are served as plain HTTP).",
    )
    ws.add_argument(
        "--ws-max-size",
        type=int,
        default=d["ws_max_size"],
        help="Largest incoming message, bytes after decompression (else close 1009).",
    )
    ws.add_argument(
        "--ws-max-queue",
        type=int,
        default=d["ws_max_queue"],
        help="Unread incoming messages buffered before reading from the socket pauses.",
    )
    ws.add_argument(
        "--ws-ping-interval",
        type=_seconds_or_off,
        default=d["ws_ping_interval"],
        help="Seconds between keep-alive pings ('none' disables).",
    )
    ws.add_argument(
        "--ws-ping-timeout",
        type=_seconds_or_off,
        default=d["ws_ping_timeout"],
        help="Seconds to wait for a pong before closing with 1011 ('none' waits forever).",
    )
    ws.add_argument(
        "--ws-per-message-deflate",
        action=argparse.BooleanOptionalAction,
        default=d["ws_per_message_deflate"],
        help="Offer permessage-deflate compression.",
    )


# Repeatable ``--reload-<kind>`` options: (kind, metavar, help).
_RELOAD_LISTS = [
    ("dir", "DIR", "Directory to watch (repeatable; default: current directory)."),
    ("include", "GLOB", "Extra file-name pattern that triggers a reload (default *.py)."),
    ("exclude", "GLOB", "File-name pattern ignored by reload."),
]

_LIMIT_OPTIONS: list[tuple[str, Any, str]] = [
    ("max_request_line_size", int, "Longest request line, bytes (else 414)."),
    ("max_header_size", int, "Total request header bytes (else 431)."),
    ("max_header_count", int, "Most request header fields (else 431)."),
    ("max_body_size", int, "Largest request body, bytes (else 413); default no limit."),
    ("limit_concurrency", int, "Most concurrent requests before 503; default no limit."),
    ("limit_max_requests", int, "Restart a worker after this many requests."),
    ("timeout_keep_alive", float, "Seconds an idle keep-alive connection stays open."),
    ("timeout_request_header", float, "Seconds to receive a request head (else 408)."),
    ("timeout_body_read", float, "Seconds a request body may stall between reads (else 408)."),
    ("timeout_body_min_rate", float, "Slowest request-body rate after the grace, bytes/s (408)."),
    ("timeout_body_grace", float, "Seconds before --timeout-body-min-rate applies."),
    ("timeout_linger", float, "Seconds to drain an unread body after an early answer."),
    ("linger_max_bytes", int, "Most bytes drained after an early answer."),
    ("timeout_graceful_shutdown", float, "Seconds in-flight requests get on shutdown."),
    ("high_water_mark", int, "Write-buffer bytes at which sending pauses."),
    ("low_water_mark", int, "Write-buffer bytes at which sending resumes."),
    ("read_buffer_high_water", int, "Buffered body bytes before reading pauses."),
]


def build_parser() -> argparse.ArgumentParser:
    """Build the ``zephyr`` argument parser with its ``run`` and ``dev`` subcommands.

    Returns:
        The configured ``argparse.ArgumentParser``.
    """
    parser = argparse.ArgumentParser(
        prog="zephyr", description="zephyr: a fast, FastAPI-compatible ASGI framework and server."
    )
    parser.add_argument(
        "--version",
        action="version",
        version=(
            f"zephyr {__version__} (Python {platform.python_version()}, "
            f"{'compiled' if core_compiled() else 'pure-Python'} server core)"
        ),
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, summary, defaults in (
        ("run", "Serve an app for production.", {"host": "0.0.0.0", "reload": False}),
        ("dev", "Serve an app for development (reload).", {"host": "127.0.0.1", "reload": True}),
    ):
        sub = commands.add_parser(
            name, help=summary, description=summary, formatter_class=_HelpFormatter
        )
        sub.add_argument(
            "app",
            nargs="?",
            default=None,
            metavar="PATH|module:app",
            help="A .py file, a directory, or module:attribute (default: discover in cwd).",
        )
        _add_server_options(sub)
        sub.set_defaults(
            **defaults,
            debug=name == "dev",
            use_colors=None,
        )
    return parser


def config_from_args(args: argparse.Namespace) -> Config:
    """Map parsed CLI options onto a :class:`Config`.

    Args:
        args: Result of :func:`build_parser` ``.parse_args()``.

    Returns:
        The server configuration.

    Raises:
        ValueError: Invalid combination or unreadable ``--log-config``.
    """
    values = vars(args).copy()
    target = values.pop("app") or "."
    values.pop("command", None)
    log_config = values.pop("log_config")
    if log_config is not None:
        values["log_config"] = _read_log_config(log_config)
    if values["reload"] and values["workers"] > 1:
        raise ValueError("--reload and --workers are mutually exclusive")
    known = {f.name for f in dataclasses.fields(Config)}
    return Config(app=target, **{k: v for k, v in values.items() if k in known})


def _read_log_config(path: str) -> Any:
    if not os.path.isfile(path):
        raise ValueError(f"--log-config file not found: {path}")
    if path.endswith(".json"):
        with open(path, encoding="utf-8") as file:
            return json.load(file)
    return path  # fileConfig format, read by configure_logging


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``zephyr`` command.

    Args:
        argv: Arguments without the program name; None reads ``sys.argv``.

    Returns:
        Process exit code: 0 ok, 1 load/bind error, 2 usage error, 3 app
        start-up failure.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        config = config_from_args(args)
    except ValueError as exc:
        parser.exit(2, f"zephyr: error: {exc}\n")
    from zephyr.server.main import serve_config

    return serve_config(config)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
