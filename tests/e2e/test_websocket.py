"""WebSockets end to end: zephyr's server on a real 127.0.0.1 socket (uvloop), the
``websockets`` client library on the other side."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import trustme
import uvloop
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from zephyr.server.config import Config
from zephyr.server.server import Server


def run(coro: Callable[[], Awaitable[None]], timeout: float = 20.0) -> None:
    async def bounded() -> None:
        await asyncio.wait_for(coro(), timeout=timeout)

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(bounded())


@asynccontextmanager
async def serving(app: Any, **config: Any) -> AsyncIterator[tuple[str, Server]]:
    """Serve ``app`` on an ephemeral port; yield its ``ws://`` base URL and the server."""
    config.setdefault("access_log", False)
    config.setdefault("lifespan", "off")
    server = Server(Config(app=app, host="127.0.0.1", port=0, **config))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"ws://127.0.0.1:{port}", server
    finally:
        server.should_exit = True
        await task


def chat_app() -> Any:
    """A raw ASGI chat room: every text message is broadcast to every member."""
    members: set[Any] = set()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        assert scope["type"] == "websocket"
        await receive()
        await send({"type": "websocket.accept"})
        members.add(send)
        try:
            while True:
                message = await receive()
                if message["type"] == "websocket.disconnect":
                    return
                for member in list(members):
                    await member({"type": "websocket.send", "text": message["text"]})
        finally:
            members.discard(send)

    return app


async def echo(scope: Any, receive: Any, send: Any) -> None:
    await receive()
    await send({"type": "websocket.accept"})
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        await send({**message, "type": "websocket.send"})


def test_two_client_chat_with_permessage_deflate() -> None:
    async def main() -> None:
        async with serving(chat_app()) as (url, _), connect(url + "/chat") as alice:
            async with connect(url + "/chat") as bob:
                for ws in (alice, bob):
                    names = [ext.name for ext in ws.protocol.extensions]
                    assert names == ["permessage-deflate"]
                await alice.send("hi bob")
                assert await alice.recv() == "hi bob"
                assert await bob.recv() == "hi bob"
                await bob.send("hi alice " * 500)
                assert await alice.recv() == "hi alice " * 500
                assert await bob.recv() == "hi alice " * 500
            await alice.send("alone")
            assert await alice.recv() == "alone"

    run(main)


def test_oversize_message_closes_with_1009() -> None:
    async def main() -> None:
        async with serving(echo, ws_max_size=1000) as (url, _), connect(url) as ws:
            await ws.send(b"a" * 1000)
            assert await ws.recv() == b"a" * 1000
            await ws.send(b"a" * 1001)
            with pytest.raises(ConnectionClosed) as info:
                await ws.recv()
            assert info.value.rcvd is not None and info.value.rcvd.code == 1009

    run(main)


def test_server_shutdown_closes_with_1012() -> None:
    disconnects: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.accept"})
        disconnects.append(await receive())

    async def main() -> None:
        async with serving(app, timeout_graceful_shutdown=5) as (url, server):
            ws = await connect(url)
            loop = asyncio.get_running_loop()
            started = loop.time()
            server.should_exit = True
            with pytest.raises(ConnectionClosed) as info:
                await ws.recv()
            assert info.value.rcvd is not None and info.value.rcvd.code == 1012
            await ws.close()
        assert loop.time() - started < 5  # well within the shutdown timeout
        assert disconnects == [
            {"type": "websocket.disconnect", "code": 1012, "reason": "server shutdown"}
        ]

    run(main)


def test_handshake_refused_by_app_is_403_and_bad_key_is_400() -> None:
    async def refuse(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "websocket.close"})

    async def main() -> None:
        async with serving(refuse) as (url, _):
            with pytest.raises(InvalidStatus) as info:
                await connect(url)
            assert info.value.response.status_code == 403
            reader, writer = await asyncio.open_connection(*url[5:].split(":"))
            writer.write(
                b"GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                b"Sec-WebSocket-Version: 13\r\n\r\n"
            )
            data = await reader.read()
            assert data.startswith(b"HTTP/1.1 400 ")
            assert b"Sec-WebSocket-Key" in data
            writer.close()

    run(main)


def test_starlette_websocket_app_runs_on_zephyr_server() -> None:
    from starlette.applications import Starlette
    from starlette.routing import WebSocketRoute
    from starlette.websockets import WebSocket

    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept(subprotocol="echo.v1")
        name = websocket.query_params["name"]
        async for text in websocket.iter_text():
            await websocket.send_json({"from": name, "text": text})
        # iter_text ends on disconnect

    async def refused(websocket: WebSocket) -> None:
        await websocket.close(code=1008)

    app = Starlette(routes=[WebSocketRoute("/ws", endpoint), WebSocketRoute("/no", refused)])

    async def main() -> None:
        async with serving(app, lifespan="on") as (url, _):
            async with connect(url + "/ws?name=ann", subprotocols=["echo.v1"]) as ws:  # type: ignore[list-item]
                assert ws.subprotocol == "echo.v1"
                await ws.send("hello")
                assert await ws.recv() == '{"from":"ann","text":"hello"}'
            with pytest.raises(InvalidStatus) as info:
                await connect(url + "/no")
            assert info.value.response.status_code == 403

    run(main)


def test_wss_over_tls(tmp_path: Path) -> None:
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    certfile, keyfile = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.private_key_pem.write_to_path(str(keyfile))
    cert.cert_chain_pems[0].write_to_path(str(certfile))
    for extra in cert.cert_chain_pems[1:]:
        extra.write_to_path(str(certfile), append=True)
    context = ssl.create_default_context()
    ca.configure_trust(context)
    schemes: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        schemes.append(scope["scheme"])
        await echo(scope, receive, send)

    async def main() -> None:
        tls = {"ssl_certfile": str(certfile), "ssl_keyfile": str(keyfile)}
        async with serving(app, **tls) as (url, _), connect("wss" + url[2:], ssl=context) as ws:
            await ws.send("secure")
            assert await ws.recv() == "secure"

    run(main)
    assert schemes == ["wss"]


def test_zephyr_toolkit_websocket_app_runs_on_zephyr_server() -> None:
    from zephyr._app import BaseApp
    from zephyr.routing import WebSocketRoute
    from zephyr.websockets import WebSocket, WebSocketDisconnect

    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept()
        try:
            while True:
                data = await websocket.receive_json()
                await websocket.send_json({"echo": data})
        except WebSocketDisconnect:
            pass

    app = BaseApp(routes=[WebSocketRoute("/ws", endpoint)])

    async def main() -> None:
        async with serving(app, lifespan="on") as (url, _), connect(url + "/ws") as ws:
            await ws.send('{"n": 1}')
            assert await ws.recv() == '{"echo":{"n":1}}'

    run(main)
