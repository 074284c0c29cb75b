"""Config behaviour: load(), bind_socket(), TLS context."""

from __future__ import annotations

import os
import socket
import ssl
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from zephyr.server.config import Config
from zephyr.server.importer import ImportFromStringError
from zephyr.server.proxy_headers import ProxyHeadersMiddleware
from zephyr.types import Receive, Scope, Send


async def raw_app(scope: Scope, receive: Receive, send: Send) -> None:
    return None


@pytest.fixture
def clean_imports() -> Iterator[None]:
    path, modules = list(sys.path), set(sys.modules)
    yield
    sys.path[:] = path
    for name in set(sys.modules) - modules:
        del sys.modules[name]


def test_load_wraps_proxy_headers_by_default() -> None:
    app = Config(app=raw_app, forwarded_allow_ips="10.0.0.0/8").load()
    assert isinstance(app, ProxyHeadersMiddleware)
    assert app.app is raw_app
    assert "10.1.1.1" in app.trusted
    assert Config(app=raw_app, proxy_headers=False).load() is raw_app


def test_load_factory_and_app_dir(tmp_path: Path, clean_imports: None) -> None:
    (tmp_path / "factory_mod_q.py").write_text(
        "async def app(scope, receive, send):\n    pass\n\ndef create():\n    return app\n"
    )
    config = Config(app="factory_mod_q:create", factory=True, app_dir=str(tmp_path))
    config.proxy_headers = False
    loaded = config.load()
    assert loaded.__name__ == "app"  # type: ignore[attr-defined]


def test_load_errors(tmp_path: Path, clean_imports: None) -> None:
    with pytest.raises(ImportFromStringError):
        Config(app="nope_mod_q:app").load()
    with pytest.raises(TypeError, match="not callable"):
        Config(app=42).load()
    with pytest.raises(TypeError, match="factory"):
        Config(app="os:sep", factory=True).load()


def test_bind_socket_tcp_ipv4_and_ipv6() -> None:
    sock = Config(app=raw_app, host="127.0.0.1", port=0).bind_socket()
    with sock:
        assert sock.family == socket.AF_INET
        assert sock.getsockname()[1] > 0
        assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR)
    if not socket.has_ipv6:
        pytest.skip("no IPv6")
    try:
        sock6 = Config(app=raw_app, host="::1", port=0).bind_socket()
    except OSError:
        pytest.skip("IPv6 loopback unavailable")
    with sock6:
        assert sock6.family == socket.AF_INET6


def test_bind_socket_fd() -> None:
    original = socket.socket()
    original.bind(("127.0.0.1", 0))
    original.listen()
    fd = os.dup(original.fileno())
    sock = Config(app=raw_app, fd=fd).bind_socket()
    with sock, original:
        assert sock.getsockname() == original.getsockname()
    with pytest.raises(OSError):
        Config(app=raw_app, fd=987654).bind_socket()


def test_ssl_context(tmp_path: Path) -> None:
    assert Config(app=raw_app).create_ssl_context() is None
    assert not Config(app=raw_app).is_ssl
    ca = trustme.CA()
    cert = ca.issue_cert("localhost")
    certfile, keyfile = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.cert_chain_pems[0].write_to_path(str(certfile))
    cert.private_key_pem.write_to_path(str(keyfile))
    config = Config(app=raw_app, ssl_certfile=str(certfile), ssl_keyfile=str(keyfile))
    context = config.create_ssl_context()
    assert config.is_ssl
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_NONE
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    strict = Config(
        app=raw_app,
        ssl_certfile=str(certfile),
        ssl_keyfile=str(keyfile),
        ssl_ca_certs=str(ca_file),
        ssl_cert_reqs=2,
    ).create_ssl_context()
    assert strict is not None and strict.verify_mode == ssl.CERT_REQUIRED
    with pytest.raises((ssl.SSLError, OSError)):
        Config(
            app=raw_app, ssl_certfile=str(keyfile), ssl_keyfile=str(certfile)
        ).create_ssl_context()
