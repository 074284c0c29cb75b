"""``HTTPSRedirectMiddleware``: send plain-HTTP and plain-WebSocket clients to TLS.

Requests with scheme ``http`` get a 307 redirect to the same URL on
``https`` (``ws`` to ``wss``), keeping method and body (RFC 9110 §15.4.8).
Default ports are dropped (``:80`` becomes no port, since 443 is implied);
any other port is kept.
"""

from __future__ import annotations

from zephyr.datastructures import URL
from zephyr.responses import PlainTextResponse, RedirectResponse
from zephyr.types import ASGIApp, Receive, Scope, Send

__all__ = ["HTTPSRedirectMiddleware"]

_SECURE = {"http": "https", "ws": "wss"}


class HTTPSRedirectMiddleware:
    """Redirect every non-TLS HTTP or WebSocket request to its TLS URL.

    Args:
        app: The wrapped ASGI app.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scheme = scope.get("scheme", "http")
        if scope["type"] not in ("http", "websocket") or scheme not in _SECURE:
            await self.app(scope, receive, send)
            return
        url = URL(scope=scope)
        if not url.netloc:
            # No usable Host header and no server address: nowhere to redirect to.
            await PlainTextResponse("Invalid host header", status_code=400)(scope, receive, send)
            return
        target = url.replace(scheme=_SECURE[scheme])
        if url.port in (80, 443):
            target = target.replace(port=None)
        if scope["type"] == "websocket" and "websocket.http.response" not in scope.get(
            "extensions", {}
        ):
            # No denial-response extension: a close before accept becomes a 403.
            await send({"type": "websocket.close", "code": 1008, "reason": "TLS required"})
            return
        await RedirectResponse(target, status_code=307)(scope, receive, send)
