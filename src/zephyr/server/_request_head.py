"""Reading a request head: the httptools head callbacks and the ASGI scope they make.

A mixin of ``HttpProtocol`` (``protocol.py``), which declares every field in
its ``__init__``; the annotations here only tell the type checker which of
them this part reads and writes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from zephyr.server._framing import check_content_length
from zephyr.server._target import Reject, split_target

if TYPE_CHECKING:
    from zephyr.server.proxy_headers import ProxyHeadersMiddleware
    from zephyr.types import HTTPScope

__all__ = ["RequestHeadParsing"]

_SPECIAL_REQUEST_HEADERS = frozenset(
    {
        b"host",
        b"content-length",
        b"transfer-encoding",
        b"expect",
        b"x-forwarded-for",
        b"x-forwarded-proto",
    }
)
_FORWARDING_HEADERS = frozenset({b"x-forwarded-for", b"x-forwarded-proto"})
_EXTENSIONS: dict[str, dict[str, Any]] = {"http.response.pathsend": {}, "zephyr.sendfile": {}}


class RequestHeadParsing:
    """The request-head half of ``HttpProtocol``: head callbacks, limits, the scope."""

    in_head: bool
    head_bytes: int
    url: bytes
    host: bytes | None
    headers: list[tuple[bytes, bytes]]
    header_bytes: int
    content_length: bytes | None
    transfer_encoding: bytes | None
    expect: bool
    forwarded: bool
    special_seen: bool
    trust_proxy: bool
    max_line: int
    max_header_size: int
    max_header_count: int
    root_path: str
    root_path_bytes: bytes
    scope_template: HTTPScope
    app_state: dict[str, Any]
    proxy: ProxyHeadersMiddleware | None

    def on_message_begin(self) -> None:
        self.in_head = True
        self.head_bytes = 0
        self.url = b""
        self.headers = []
        self.header_bytes = 0
        self.host = None
        if self.special_seen:
            self.special_seen = False
            self.content_length = None
            self.transfer_encoding = None
            self.expect = False
            self.forwarded = False

    def on_url(self, url: bytes) -> None:
        url = self.url + url
        self.url = url
        if len(url) > self.max_line:
            raise Reject(414, f"Request line too long: more than {self.max_line} bytes")

    def on_header(self, name: bytes, value: bytes) -> None:
        size = self.header_bytes + len(name) + len(value) + 4
        self.header_bytes = size
        headers = self.headers
        if size > self.max_header_size:
            raise Reject(
                431, f"Request header fields too large: more than {self.max_header_size} bytes"
            )
        if len(headers) >= self.max_header_count:
            raise Reject(
                431, f"Request header fields too large: more than {self.max_header_count} headers"
            )
        name = name.lower()
        if name in _SPECIAL_REQUEST_HEADERS:
            if name == b"host":
                # RFC 9110 §7.2 / RFC 9112 §3.2: exactly one Host field.
                if self.host is not None:
                    raise Reject(400, "Bad Request: more than one Host header")
                self.host = value
            else:
                self.special_seen = True
                self._special_header(name, value)
        headers.append((name, value))

    def _special_header(self, name: bytes, value: bytes) -> None:
        if name == b"content-length":
            self.content_length = check_content_length(value, self.content_length)
        elif name == b"transfer-encoding":
            if self.transfer_encoding is None:
                self.transfer_encoding = value
            else:
                self.transfer_encoding += b"," + value
        elif name in _FORWARDING_HEADERS:
            self.forwarded = self.trust_proxy
        elif value.lower() == b"100-continue":
            self.expect = True

    def _set_host(self, authority: bytes) -> None:
        """Make the target's authority the request's Host (RFC 9112 §3.2.2)."""
        self.headers = [pair for pair in self.headers if pair[0] != b"host"]
        self.headers.append((b"host", authority))
        self.host = authority

    def _build_scope(self, method: str, version: str) -> HTTPScope:
        url = self.url
        # PERF: int membership (memchr) is ~8x cheaper than `b"#" in url`.
        if url[:1] == b"/" and 35 not in url:  # 35 = "#"
            raw_path, _, query = url.partition(b"?")
        else:
            raw_path, query, authority = split_target(url, method)
            if authority is not None:
                self._set_host(authority)
        # llhttp refuses non-ASCII bytes in the target; latin-1 never fails anyway.
        path = raw_path.decode("latin-1")
        if 37 in raw_path:  # 37 = "%": percent-decode as UTF-8 (ASGI `path`)
            path = unquote(path)
        scope = self.scope_template.copy()
        scope["method"] = method
        scope["http_version"] = version
        if self.root_path:
            scope["path"] = self.root_path + path
            scope["raw_path"] = self.root_path_bytes + raw_path
        else:
            scope["path"] = path
            scope["raw_path"] = raw_path
        scope["query_string"] = query
        scope["headers"] = self.headers
        scope["state"] = self.app_state.copy()
        # Whole files (ASGI pathsend) and file slices go out via sendfile(2).
        # A copy per request: middleware may remove an extension it can't pass on.
        scope["extensions"] = _EXTENSIONS.copy()
        if self.forwarded:
            self.proxy.apply(scope)  # type: ignore[union-attr]  # set with trust_proxy
        return scope
