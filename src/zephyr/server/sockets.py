"""Listening sockets (TCP, Unix domain, inherited fd) and the TLS context.

Sockets are bound by the process that owns them -- the single server, or the
worker/reload supervisor -- and handed to ``loop.create_server(sock=...)``, so
every mode goes through one code path and ``port=0`` reports its real port.
"""

from __future__ import annotations

import contextlib
import os
import socket
import ssl
import stat


def bind_tcp(host: str, port: int, backlog: int = 2048) -> socket.socket:
    """Bind and listen on a TCP address with ``SO_REUSEADDR``.

    Args:
        host: IPv4/IPv6 literal or hostname; IPv6 selects ``AF_INET6``.
            ``"::"`` is dual-stack where the OS allows it.
        port: TCP port; 0 lets the OS choose (read it back with
            ``sock.getsockname()[1]``).
        backlog: ``listen()`` queue length.

    Returns:
        A listening, non-inheritable socket.

    Raises:
        OSError: Address in use, permission denied, unresolvable host.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    infos = socket.getaddrinfo(host, port, family, socket.SOCK_STREAM, 0, socket.AI_PASSIVE)
    address = infos[0][4]
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6 and host == "::":
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        try:
            sock.bind(address)
        except OSError as exc:
            raise bind_error(exc, address[:2]) from None
        sock.listen(backlog)
    except BaseException:
        sock.close()
        raise
    sock.set_inheritable(False)
    return sock


def bind_error(exc: OSError, address: object) -> OSError:
    """Return ``exc`` restated with the address it failed on, as Uvicorn words it.

    Args:
        exc: The error ``bind()`` raised.
        address: ``(host, port)`` or a Unix socket path.

    Returns:
        An ``OSError`` of the same errno whose text reads e.g. ``[Errno 98]
        error while attempting to bind on address ('127.0.0.1', 8000):
        address already in use``.
    """
    reason = (exc.strerror or str(exc)).lower()
    return OSError(exc.errno, f"error while attempting to bind on address {address!r}: {reason}")


def bind_unix(path: str, backlog: int = 2048) -> socket.socket:
    """Bind and listen on a Unix domain socket, replacing a stale socket file.

    The file is made world read/writable (0o666), like Uvicorn, so a proxy
    running as another user can connect; restrict access with the directory.

    Args:
        path: Filesystem path of the socket.
        backlog: ``listen()`` queue length.

    Returns:
        A listening ``AF_UNIX`` socket.

    Raises:
        OSError: ``path`` exists and is not a socket, or cannot be bound.
    """
    with contextlib.suppress(FileNotFoundError):
        if not stat.S_ISSOCK(os.stat(path).st_mode):
            raise OSError(f"Refusing to replace {path!r}: it exists and is not a socket")
        os.unlink(path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        try:
            sock.bind(path)
        except OSError as exc:
            raise bind_error(exc, path) from None
        os.chmod(path, 0o666)
        sock.listen(backlog)
    except BaseException:
        sock.close()
        raise
    return sock


def from_fd(fd: int) -> socket.socket:
    """Wrap an already-listening inherited file descriptor (``--fd``).

    Args:
        fd: Descriptor of a bound, listening stream socket (e.g. from systemd
            or a process manager). Its family is detected.

    Returns:
        A socket object owning ``fd``.

    Raises:
        OSError: ``fd`` is not an open socket.
    """
    sock = socket.socket(fileno=fd)
    if sock.type != socket.SOCK_STREAM:
        sock.detach()
        raise OSError(f"File descriptor {fd} is not a stream socket")
    return sock


def create_ssl_context(
    certfile: str,
    keyfile: str | None = None,
    password: str | None = None,
    ca_certs: str | None = None,
    ciphers: str | None = "TLSv1",
    cert_reqs: int = ssl.CERT_NONE,
) -> ssl.SSLContext:
    """Build the server-side TLS context.

    Args:
        certfile: PEM certificate chain path.
        keyfile: PEM private key path; None when it is inside ``certfile``.
        password: Passphrase of an encrypted ``keyfile``.
        ca_certs: PEM bundle used to verify client certificates.
        ciphers: OpenSSL cipher string; None/empty keeps OpenSSL's default.
        cert_reqs: ``ssl.CERT_NONE`` (0), ``CERT_OPTIONAL`` (1) or
            ``CERT_REQUIRED`` (2) for client certificates.

    Returns:
        An ``ssl.SSLContext`` (TLS server, modern defaults).

    Raises:
        ssl.SSLError / OSError: Unreadable or mismatched cert/key, bad ciphers.
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certfile, keyfile, password)
    context.verify_mode = ssl.VerifyMode(cert_reqs)
    if ca_certs:
        context.load_verify_locations(ca_certs)
    if ciphers:
        context.set_ciphers(ciphers)
    return context


def describe(sock: socket.socket, is_ssl: bool = False) -> tuple[str, str]:
    """Return a printable ``(format, address)`` for the "running on" log line.

    Args:
        sock: A listening socket.
        is_ssl: Whether TLS is on (``https`` scheme).

    Returns:
        ``("%s://%s:%d", ...)``-free pieces: e.g. ``("http", "127.0.0.1:8000")``,
        ``("https", "[::1]:8443")`` or ``("unix", "/tmp/app.sock")``.
    """
    if sock.family == socket.AF_UNIX:
        return "unix", str(sock.getsockname())
    host, port = sock.getsockname()[:2]
    if sock.family == socket.AF_INET6:
        host = f"[{host}]"
    return ("https" if is_ssl else "http"), f"{host}:{port}"
