"""Raw ASGI driving helpers for the routing/middleware tests (no TestClient needed)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from zephyr.types import ASGIApp, Message


@dataclass
class Result:
    """What an app sent for one HTTP request."""

    messages: list[Message] = field(default_factory=list)

    @property
    def status(self) -> int:
        return int(self.messages[0]["status"])

    @property
    def headers(self) -> dict[str, str]:
        return {k.decode(): v.decode() for k, v in self.messages[0].get("headers", [])}

    @property
    def body(self) -> bytes:
        return b"".join(m.get("body", b"") for m in self.messages[1:])


def scope_for(
    path: str = "/",
    method: str = "GET",
    headers: list[tuple[str, str]] | None = None,
    root_path: str = "",
    query_string: bytes = b"",
    scope_type: str = "http",
) -> dict[str, Any]:
    """A minimal ASGI scope; ``path`` includes ``root_path`` (ASGI semantics)."""
    return {
        "type": scope_type,
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": root_path,
        "query_string": query_string,
        "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or [])],
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 1234),
    }


async def acall(app: ASGIApp, scope: dict[str, Any], body: bytes = b"") -> Result:
    """Call ``app`` with one request body message, collecting what it sends."""
    result = Result()
    sent_body = False

    async def receive() -> Message:
        nonlocal sent_body
        if not sent_body:
            sent_body = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}  # pragma: no cover

    async def send(message: Message) -> None:
        result.messages.append(message)

    await app(scope, receive, send)
    return result


def call(
    app: ASGIApp, path: str = "/", method: str = "GET", body: bytes = b"", **kw: Any
) -> Result:
    """Synchronous wrapper around :func:`acall`."""
    return asyncio.run(acall(app, scope_for(path, method, **kw), body))
