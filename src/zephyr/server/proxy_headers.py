"""Proxy headers: trust ``X-Forwarded-For`` / ``X-Forwarded-Proto`` from known proxies only.

A reverse proxy (nginx, a load balancer) connects to zephyr itself, so the
socket peer is the proxy. When -- and only when -- that peer is a trusted proxy,
this middleware rewrites the scope's ``client`` and ``scheme`` from the
headers the proxy added. Headers from untrusted peers are ignored: anyone can
send them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from zephyr.types import ASGIApp, HTTPScope, Receive, Scope, Send, WebSocketScope

_IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

MAX_FORWARDED_HOPS = 64
"""Most ``X-Forwarded-For`` entries examined (from the right); bounds hostile lists."""

_HTTP_SCHEMES = {"http": "http", "https": "https", "ws": "http", "wss": "https"}
_WS_SCHEMES = {"http": "ws", "https": "wss", "ws": "ws", "wss": "wss"}


_VERDICTS_KEPT = 1024  # distinct peer addresses remembered by TrustedHosts


class TrustedHosts:
    """A set of trusted proxy addresses: IPs, CIDR networks, ``"*"``, or literal names.

    Parsed once at start-up so each request does only set/network lookups.

    Args:
        hosts: Comma-separated string or list of entries, e.g.
            ``"127.0.0.1, 10.0.0.0/8, ::1"``; ``"*"`` trusts everyone. Entries
            that are not IPs/networks (e.g. a unix socket name) match literally.
    """

    def __init__(self, hosts: str | Iterable[str]) -> None:
        entries = hosts.split(",") if isinstance(hosts, str) else list(hosts)
        entries = [entry.strip() for entry in entries if entry.strip()]
        self.always = "*" in entries
        self.addresses: set[_IPAddress] = set()
        self.networks: list[_IPNetwork] = []
        self.literals: set[str] = set()
        for entry in entries:
            try:
                if "/" in entry:
                    self.networks.append(ipaddress.ip_network(entry, strict=False))
                else:
                    self.addresses.add(ipaddress.ip_address(entry))
            except ValueError:
                self.literals.add(entry)
        # PERF: every connection asks about its peer, nearly always one of a few
        # addresses (the proxy's); parsing it each time was half the cost of
        # accepting a connection. Bounded: cleared when full.
        self._verdicts: dict[str, bool] = {}

    def __contains__(self, host: object) -> bool:
        if self.always:
            return True
        if not isinstance(host, str):
            return False
        verdict = self._verdicts.get(host)
        if verdict is None:
            if len(self._verdicts) >= _VERDICTS_KEPT:
                self._verdicts.clear()
            verdict = self._verdicts[host] = self._lookup(host)
        return verdict

    def _lookup(self, host: str) -> bool:
        try:
            address = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            return host in self.literals
        if address in self.addresses:
            return True
        return any(address in network for network in self.networks)

    def client_from_forwarded_for(self, value: str) -> str | None:
        """Pick the real client out of an ``X-Forwarded-For`` value.

        Walks from the right (the entry our proxy appended) skipping trusted
        proxies; the first untrusted entry is the client. When every examined
        entry is trusted, the left-most examined one is used.

        Args:
            value: The header value, e.g. ``"203.0.113.9, 10.0.0.2"``.

        Returns:
            The client host string, or None when the header holds no entries.
        """
        hosts = [host.strip() for host in value.rsplit(",", MAX_FORWARDED_HOPS)]
        hosts = [host for host in hosts[-MAX_FORWARDED_HOPS:] if host]
        if not hosts:
            return None
        for host in reversed(hosts):
            if host not in self:
                return host
        return hosts[0]


class ProxyHeadersMiddleware:
    """ASGI middleware applying ``X-Forwarded-For`` / ``X-Forwarded-Proto`` from trusted peers.

    Args:
        app: The wrapped ASGI 3 application.
        trusted_hosts: Proxies whose headers are believed (see
            :class:`TrustedHosts`). Default ``"127.0.0.1"``. A connection with no
            peer address (a unix socket) is always trusted: only local
            processes can reach it.

    Scope changes (HTTP and WebSocket only): ``scheme`` becomes the forwarded
    proto when it is one of http/https/ws/wss (mapped to ws/wss for
    WebSockets); ``client`` becomes ``(forwarded_host, 0)``.
    """

    def __init__(self, app: ASGIApp, trusted_hosts: str | Iterable[str] = "127.0.0.1") -> None:
        self.app = app
        self.trusted = TrustedHosts(trusted_hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            client = scope.get("client")
            if client is None or client[0] in self.trusted:
                self.apply(scope)
        await self.app(scope, receive, send)

    def apply(self, scope: Scope | HTTPScope | WebSocketScope) -> None:
        """Rewrite ``scope``'s ``client`` and ``scheme`` from its forwarding headers.

        The caller has already decided the peer is trusted. zephyr's own
        protocol calls this directly, only for requests that carry such
        headers on a trusted connection, instead of running the middleware.

        Args:
            scope: An ASGI ``http`` or ``websocket`` scope, modified in place.
        """
        forwarded_for: bytes | None = None
        forwarded_proto: bytes | None = None
        for name, value in scope["headers"]:
            if name == b"x-forwarded-for":
                forwarded_for = value
            elif name == b"x-forwarded-proto":
                forwarded_proto = value
        if forwarded_proto is not None:
            proto = forwarded_proto.decode("latin-1").rsplit(",", 1)[-1].strip().lower()
            table = _WS_SCHEMES if scope["type"] == "websocket" else _HTTP_SCHEMES
            if proto in table:
                scope["scheme"] = table[proto]
        if forwarded_for is not None:
            host = self.trusted.client_from_forwarded_for(forwarded_for.decode("latin-1"))
            if host is not None:
                scope["client"] = (host, 0)
