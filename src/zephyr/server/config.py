"""Server configuration: every tunable of the zephyr server in one object.

Defaults are production-safe; each limit names itself in the error it causes.
"""

from __future__ import annotations

import os
import socket
import ssl
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, cast

if TYPE_CHECKING:
    from zephyr.types import ASGIApp


@dataclass
class Config:
    """Settings for one zephyr server (and its workers).

    Args:
        app: The ASGI 3 application, or an import string ``"module:attr"``, or a
            path to a ``.py`` file / package to discover an app in.
        host: Interface to bind. Default ``"127.0.0.1"``.
        port: TCP port to bind; 0 picks a free port. Default 8000.
        uds: Bind a Unix domain socket at this path instead of TCP.
        fd: Serve on an already-open listening socket file descriptor.
        backlog: ``listen()`` backlog. Default 2048.
        workers: Number of pre-forked worker processes. Default 1 (no supervisor).
        reload: Restart the server when source files change (watchfiles).
        reload_dirs: Directories watched by ``reload``. Default: the app's dir.
        reload_includes / reload_excludes: Glob patterns for ``reload``.
        factory: Treat ``app`` as a zero-argument callable returning the app.
        app_dir: Directory put first on ``sys.path`` before importing ``app``.
        compat: Before importing ``app``, make ``import fastapi`` / ``import
            starlette`` resolve to zephyr's modules (:mod:`zephyr.compat`), so an
            unmodified FastAPI app runs on zephyr's framework. Default False.
        lifespan: ``"auto"`` (run lifespan if the app supports it), ``"on"``
            (a failing or unsupported lifespan aborts start-up) or ``"off"``.
        root_path: ASGI ``root_path`` for apps mounted below a proxy prefix.
        proxy_headers: Take the client address and scheme from
            ``X-Forwarded-For`` / ``X-Forwarded-Proto`` when the peer is in
            ``forwarded_allow_ips`` (``X-Forwarded-Host`` and ``Forwarded`` are
            not read). Default True.
        forwarded_allow_ips: Trusted proxy IPs/CIDRs, comma-separated or a
            list; ``"*"`` trusts all. Default ``"127.0.0.1"``.
        server_header: Send ``Server: zephyr``. Default True.
        date_header: Send ``Date`` (cached, refreshed once per second). Default True.
        headers: Extra ``(name, value)`` headers added to every response.
        log_level: ``"critical" | "error" | "warning" | "info" | "debug" | "trace"``.
        access_log: Log one line per response on ``zephyr.access``. Default True.
        use_colors: Force colours on/off; None = only on a TTY.
        log_config: ``logging.config.dictConfig`` dict, or None for zephyr's own.
        debug: Passed on to apps that read it (``zephyr dev`` turns it on).
        max_request_line_size: Longest request line (method, target, version),
            bytes. Over it: 414 URI Too Long. Default 8192.
        max_header_size: Total size of all request header lines, bytes. Over it:
            431. Default 65536.
        max_header_count: Most request header fields. Over it: 431. Default 100.
        max_body_size: Largest request body, bytes, or None for no limit. Over
            it: 413 (checked against ``Content-Length`` up front and while
            streaming chunked bodies). Default None.
        allow_connect: Hand ``CONNECT`` requests to the app instead of answering
            501 Not Implemented. zephyr does not tunnel: the app's answer is
            sent and the connection closed. The target must be authority-form
            (``host:port``, else 400); it becomes the ``host`` header, and the
            scope's ``path`` is empty. Default False.
        limit_concurrency: Most requests/connections in flight before new
            requests get 503. Default None (no limit).
        limit_max_requests: Restart a worker after this many requests (leak
            insurance). Default None.
        timeout_keep_alive: Seconds an idle keep-alive connection is kept. Default 5.
        timeout_request_header: Seconds a client gets to send a complete request
            head (slowloris defence); a miss gets 408 and close. Default 10.
        timeout_body_read: Seconds a request body may go without new bytes
            while the server is reading it; a miss gets 408 and close. None
            turns it off. Default 30.
        timeout_body_min_rate: Slowest average request-body rate, bytes/s,
            enforced once ``timeout_body_grace`` seconds have passed (time
            the server is not reading, because the app has not asked for
            the body yet or is behind, does not count). Slower gets 408 and
            close. None or 0 turns it off. Default 240 (as Kestrel's
            MinRequestBodyDataRate).
        timeout_body_grace: Seconds a request body may arrive slower than
            ``timeout_body_min_rate`` before the rate is enforced. Default 5.
        timeout_linger: When zephyr answers before the request body has
            arrived (413, 400, an early app response), seconds it keeps
            reading and discarding the rest before closing, so the client
            reads the answer instead of a reset. 0 closes at once. Default 5.
        linger_max_bytes: Most request bytes discarded during
            ``timeout_linger``; past it the connection is closed. Default 16 MiB.
        timeout_graceful_shutdown: Seconds in-flight requests get to finish on
            shutdown before their connections are closed. Default 30.
        timeout_worker_healthcheck: Seconds the supervisor waits for a worker to
            report ready. Default 30.
        ssl_certfile / ssl_keyfile / ssl_keyfile_password / ssl_ca_certs /
        ssl_ciphers / ssl_cert_reqs: TLS settings; TLS is on when
            ``ssl_certfile`` is set.
        high_water_mark / low_water_mark: Write-buffer bytes at which the server
            stops / resumes feeding a slow client. Defaults 64 KiB / 16 KiB.
        read_buffer_high_water: Unprocessed request-body bytes buffered before
            the server pauses reading from the socket. Default 64 KiB.
        ws: WebSocket support (RFC 6455) through the ``websockets`` library's
            sans-I/O protocol: ``"auto"`` (on when that package is installed),
            ``"websockets"`` (required: start-up fails without it) or
            ``"none"`` (an ``Upgrade: websocket`` request is served as plain
            HTTP). Default ``"auto"``.
        ws_max_size: Largest incoming WebSocket message, bytes, counted after
            permessage-deflate decompression. Over it: close 1009. Default 16 MiB.
        ws_max_queue: Incoming messages buffered for an app that is not
            reading; when full, the server stops reading from the socket.
            Default 32.
        ws_ping_interval: Seconds between keep-alive pings; None disables
            them. Default 20.
        ws_ping_timeout: Seconds to wait for the pong (close 1011 when
            missed), and for the client's reply to a server close. Default 20.
        ws_per_message_deflate: Offer permessage-deflate compression (RFC
            7692) when the client asks for it. Default True.
        gc_tuning: When the server owns its process (``zephyr run``,
            :func:`zephyr.run`, workers; not an embedding that awaits
            ``Server.serve``), freeze the objects start-up made out of the
            cycle collector's reach and collect its older generations less
            often, so full collections (which stop the event loop for a time
            that grows with the live heap) are rare (``server/_gc.py``).
            Default True.
    """

    app: str | ASGIApp | Any
    host: str = "127.0.0.1"
    port: int = 8000
    uds: str | None = None
    fd: int | None = None
    backlog: int = 2048
    workers: int = 1
    reload: bool = False
    reload_dirs: list[str] = field(default_factory=list)
    reload_includes: list[str] = field(default_factory=list)
    reload_excludes: list[str] = field(default_factory=list)
    factory: bool = False
    app_dir: str | None = "."
    compat: bool = False
    lifespan: Literal["auto", "on", "off"] = "auto"
    root_path: str = ""
    proxy_headers: bool = True
    forwarded_allow_ips: str | list[str] = "127.0.0.1"
    server_header: bool = True
    date_header: bool = True
    headers: list[tuple[str, str]] = field(default_factory=list)
    log_level: str = "info"
    access_log: bool = True
    use_colors: bool | None = None
    log_config: dict[str, Any] | None = None
    debug: bool = False
    max_request_line_size: int = 8192
    max_header_size: int = 65536
    max_header_count: int = 100
    max_body_size: int | None = None
    allow_connect: bool = False
    limit_concurrency: int | None = None
    limit_max_requests: int | None = None
    timeout_keep_alive: float = 5.0
    timeout_request_header: float = 10.0
    timeout_body_read: float | None = 30.0
    timeout_body_min_rate: float | None = 240.0
    timeout_body_grace: float = 5.0
    timeout_linger: float = 5.0
    linger_max_bytes: int = 16 * 1024 * 1024
    timeout_graceful_shutdown: float = 30.0
    timeout_worker_healthcheck: float = 30.0
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None
    ssl_keyfile_password: str | None = None
    ssl_ca_certs: str | None = None
    ssl_ciphers: str = "TLSv1"
    ssl_cert_reqs: int = 0
    high_water_mark: int = 65536
    low_water_mark: int = 16384
    read_buffer_high_water: int = 65536
    ws: Literal["auto", "websockets", "none"] = "auto"
    ws_max_size: int = 16 * 1024 * 1024
    ws_max_queue: int = 32
    ws_ping_interval: float | None = 20.0
    ws_ping_timeout: float | None = 20.0
    ws_per_message_deflate: bool = True
    gc_tuning: bool = True

    # -- behaviour (owned by the server process; see server/main.py) ----------

    @property
    def is_ssl(self) -> bool:
        """True when TLS is configured (``ssl_certfile`` set)."""
        return bool(self.ssl_certfile)

    def create_ssl_context(self) -> ssl.SSLContext | None:
        """Build the TLS context from the ``ssl_*`` settings.

        Returns:
            An ``ssl.SSLContext``, or None when ``ssl_certfile`` is unset.

        Raises:
            ssl.SSLError / OSError: Unreadable or mismatched certificate/key.
        """
        if not self.ssl_certfile:
            return None
        from zephyr.server.sockets import create_ssl_context

        return create_ssl_context(
            self.ssl_certfile,
            keyfile=self.ssl_keyfile,
            password=self.ssl_keyfile_password,
            ca_certs=self.ssl_ca_certs,
            ciphers=self.ssl_ciphers,
            cert_reqs=self.ssl_cert_reqs,
        )

    def bind_socket(self) -> socket.socket:
        """Open the listening socket: ``fd`` if set, else ``uds``, else TCP host/port.

        Returns:
            A bound, listening socket (backlog ``self.backlog``).

        Raises:
            OSError: Address in use, bad path or descriptor, permission denied.
        """
        from zephyr.server import sockets

        if self.fd is not None:
            return sockets.from_fd(self.fd)
        if self.uds:
            return sockets.bind_unix(self.uds, self.backlog)
        return sockets.bind_tcp(self.host, self.port, self.backlog)

    def configure_logging(self) -> None:
        """Apply ``log_config`` / ``log_level`` / ``access_log`` / ``use_colors``.

        ``log_config`` may also be a path (``.json`` dictConfig, else
        ``fileConfig`` ``.ini``), as the CLI's ``--log-config`` passes it.
        """
        from zephyr.server.logging import configure_logging

        configure_logging(self.log_config, self.log_level, self.access_log, self.use_colors)

    def load(self) -> ASGIApp:
        """Import (or discover) the app, call the factory, wrap proxy headers.

        Returns:
            The ASGI 3 app to serve; wrapped in ``ProxyHeadersMiddleware`` when
            ``proxy_headers`` is on.

        Raises:
            ImportFromStringError: The app could not be found.
            TypeError: ``factory`` is set but ``app`` is not callable, or the
                result is not callable.
            ImportError: ``ws="websockets"`` but that package is not installed.
        """
        from zephyr.server._ws_handshake import websocket_support
        from zephyr.server.importer import load_app

        websocket_support(self.ws)
        from zephyr.server.proxy_headers import ProxyHeadersMiddleware

        if self.compat:
            from zephyr import compat

            compat.install()
        if self.app_dir is not None:
            app_dir = os.path.abspath(self.app_dir)
            if app_dir not in sys.path:
                sys.path.insert(0, app_dir)
        app: Any = load_app(self.app)
        if self.factory:
            if not callable(app):
                raise TypeError(f"App factory {self.app!r} is not callable")
            app = app()
        if not callable(app):
            raise TypeError(f"The application {app!r} is not callable (not an ASGI app)")
        if self.proxy_headers:
            app = ProxyHeadersMiddleware(app, self.forwarded_allow_ips)
        return cast("ASGIApp", app)
