"""The scopes and receive events the server builds have exactly the keys of their TypedDicts.

The TypedDicts in ``zephyr.types`` are what the type checker holds the
server's code to; these tests hold the built dicts to the same shapes at
run time (no key missing, none the type does not declare).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from zephyr import types as asgi
from zephyr.server.lifespan import Lifespan

from .conftest import MakeConn, run
from .ws_harness import Peer


def assert_shape(value: Any, typed: Any) -> None:
    keys = set(value)
    missing = typed.__required_keys__ - keys
    unknown = keys - typed.__required_keys__ - typed.__optional_keys__
    assert not missing and not unknown, (typed.__name__, missing, unknown)


def test_http_scope_and_receive_events(make_conn: MakeConn) -> None:
    seen: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append((scope, asgi.HTTPScope))
        message = await receive()
        seen.append((message, asgi.HTTPRequestEvent))
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})
        seen.append((await receive(), asgi.HTTPDisconnectEvent))

    async def main() -> None:
        conn = make_conn(app)
        conn.feed(b"POST /a?b=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi")
        await conn.wait_for(lambda: len(seen) == 3)

    run(main())
    assert [value["type"] for value, _ in seen] == ["http", "http.request", "http.disconnect"]
    for value, typed in seen:
        assert_shape(value, typed)


@pytest.mark.parametrize("mode", ["whole"])
def test_websocket_scope_and_receive_events(mode: str) -> None:
    seen: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append((scope, asgi.WebSocketScope))
        seen.append((await receive(), asgi.WebSocketConnectEvent))
        await send({"type": "websocket.close", "code": 1000})
        seen.append((await receive(), asgi.WebSocketDisconnectEvent))

    async def main() -> None:
        peer = Peer(app, mode, subprotocols=["chat"])
        peer.handshake()
        await peer.wait_for(lambda: len(seen) == 3)

    run(main())
    types = [value["type"] for value, _ in seen]
    assert types == ["websocket", "websocket.connect", "websocket.disconnect"]
    for value, typed in seen:
        assert_shape(value, typed)
    assert seen[0][0]["subprotocols"] == ["chat"]


def test_lifespan_scope_and_events() -> None:
    seen: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append((scope, asgi.LifespanScope))
        seen.append((await receive(), asgi.LifespanStartupEvent))
        await send({"type": "lifespan.startup.complete"})
        seen.append((await receive(), asgi.LifespanShutdownEvent))
        await send({"type": "lifespan.shutdown.complete"})

    async def main() -> None:
        lifespan = Lifespan(app, "on", {})
        await asyncio.wait_for(lifespan.startup(), 5)
        await asyncio.wait_for(lifespan.shutdown(), 5)

    asyncio.run(main())
    assert [value["type"] for value, _ in seen] == [
        "lifespan",
        "lifespan.startup",
        "lifespan.shutdown",
    ]
    for value, typed in seen:
        assert_shape(value, typed)
