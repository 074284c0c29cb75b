"""``TrustedHostMiddleware``: refuse requests whose ``Host`` header is not expected.

Guards against Host header attacks (poisoned absolute URLs, password-reset
links, cache keys). The port is ignored when matching; ``"*.example.com"``
matches any subdomain of example.com but not example.com itself; ``"*"``
allows every host.
"""

from __future__ import annotations

from collections.abc import Sequence

from zephyr._hosts import split_host
from zephyr.datastructures import URL, Headers
from zephyr.responses import PlainTextResponse, RedirectResponse
from zephyr.types import ASGIApp, Receive, Scope, Send

__all__ = ["TrustedHostMiddleware"]


class TrustedHostMiddleware:
    """Answer 400 ``Invalid host header`` unless ``Host`` is in ``allowed_hosts``.

    WebSocket handshakes with a bad host are closed with code 1008 (policy
    violation) before being accepted.

    Args:
        app: The wrapped ASGI app.
        allowed_hosts: Host names (no port), ``"*.domain"`` wildcards or ``"*"``.
            Default ``["*"]``.
        www_redirect: When the host is ``example.com`` and ``www.example.com``
            is listed (exactly, not through a wildcard), redirect (307) there
            instead of refusing. Default ``True``.

    Raises:
        AssertionError: A pattern uses ``*`` other than as ``"*"`` or a leading ``"*."``.
    """

    def __init__(
        self, app: ASGIApp, allowed_hosts: Sequence[str] | None = None, www_redirect: bool = True
    ) -> None:
        hosts = list(allowed_hosts) if allowed_hosts is not None else ["*"]
        for pattern in hosts:
            assert "*" not in pattern[1:], "Domain wildcard patterns must be like '*.example.com'."
            if pattern.startswith("*") and pattern != "*":
                assert pattern.startswith("*."), (
                    "Domain wildcard patterns must be like '*.example.com'."
                )
        self.app = app
        self.allowed_hosts = hosts
        self.allow_any = "*" in hosts
        self.exact = frozenset(h.lower() for h in hosts if not h.startswith("*"))
        self.suffixes = tuple(h[1:].lower() for h in hosts if h.startswith("*."))
        self.www_redirect = www_redirect

    def is_allowed(self, host: str) -> bool:
        """Tell whether a host name (port already removed) is allowed."""
        host = host.lower()
        return host in self.exact or (bool(host) and host.endswith(self.suffixes))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.allow_any or scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        split = split_host(Headers(scope=scope).get("host", ""))
        host = split[0] if split is not None else ""
        if split is not None and self.is_allowed(host):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008, "reason": "Invalid host header"})
            return
        if self.www_redirect and "www." + host.lower() in self.exact:
            url = URL(scope=scope)
            await RedirectResponse(url.replace(netloc="www." + url.netloc))(scope, receive, send)
            return
        await PlainTextResponse("Invalid host header", status_code=400)(scope, receive, send)
