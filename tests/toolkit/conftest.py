"""Shared helpers for toolkit tests: build scopes and fake ASGI channels."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import Any

import pytest


def http_scope(
    path: str = "/",
    method: str = "GET",
    headers: Iterable[tuple[str, str]] = (),
    query_string: bytes = b"",
    **extra: Any,
) -> dict[str, Any]:
    """A minimal ASGI HTTP scope; headers given as (str, str) pairs, names lowercased."""
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query_string,
        "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }
    scope.update(extra)
    return scope


class Channel:
    """A fake receive (scripted messages, then an optional block) plus a recording send."""

    def __init__(self, messages: Iterable[dict[str, Any]] = (), *, block: bool = True) -> None:
        self.incoming = list(messages)
        self.block = block
        self.sent: list[dict[str, Any]] = []

    async def receive(self) -> dict[str, Any]:
        if self.incoming:
            return self.incoming.pop(0)
        if self.block:
            await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(self, message: dict[str, Any]) -> None:
        self.sent.append(message)

    @property
    def body(self) -> bytes:
        return b"".join(m.get("body", b"") for m in self.sent if m["type"] == "http.response.body")

    @property
    def start(self) -> dict[str, Any]:
        return next(m for m in self.sent if m["type"] == "http.response.start")


def body_messages(*chunks: bytes) -> list[dict[str, Any]]:
    """``http.request`` messages carrying ``chunks``; the last has more_body=False."""
    if not chunks:
        return [{"type": "http.request", "body": b"", "more_body": False}]
    last = len(chunks) - 1
    return [
        {"type": "http.request", "body": chunk, "more_body": i != last}
        for i, chunk in enumerate(chunks)
    ]


@pytest.fixture
def make_scope() -> Callable[..., dict[str, Any]]:
    """Fixture: the ``http_scope`` factory."""
    return http_scope


@pytest.fixture
def channel() -> type[Channel]:
    """Fixture: the ``Channel`` class (call it with scripted messages)."""
    return Channel


@pytest.fixture
def body() -> Callable[..., list[dict[str, Any]]]:
    """Fixture: the ``body_messages`` factory."""
    return body_messages
