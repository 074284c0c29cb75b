"""python-socketio's ASGIApp around a FastAPI app, served by zephyr, with its own client."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
import socketio
from fastapi import FastAPI

from .conftest import Serve


def chat_app(layout: str = "wrap") -> tuple[Any, list[str]]:
    """A Socket.IO server (``chat`` events, a room) beside a FastAPI app's route.

    ``wrap``: ``socketio.ASGIApp`` around the FastAPI app; ``mount``: the
    Socket.IO app mounted on the FastAPI app at ``/socket.io`` (python-engineio
    matches the full ``scope["path"]``, which a Starlette mount leaves whole).
    """
    # A client's disconnect waits for its pending long-poll GET, which the server
    # holds until ping_interval + ping_timeout (45 s by default): short ones here.
    sio = socketio.AsyncServer(async_mode="asgi", ping_interval=1, ping_timeout=1)
    seen: list[str] = []

    @sio.event
    async def connect(sid: str, environ: dict[str, Any], auth: Any) -> bool:
        if not auth or auth.get("token") != "letmein":
            return False
        await sio.enter_room(sid, "lobby")
        query = environ.get("QUERY_STRING", "").split("&")
        seen.append(f"connect {environ['PATH_INFO']} {'EIO=4' in query}")
        return True

    @sio.event
    async def chat(sid: str, data: dict[str, str]) -> dict[str, str]:
        seen.append(f"chat {data['text']}")
        await sio.emit("said", {"text": data["text"].upper()}, room="lobby", skip_sid=sid)
        return {"echo": data["text"]}

    @sio.event
    async def kick(sid: str, data: Any) -> None:
        await sio.disconnect(sid)

    @sio.event
    async def disconnect(sid: str, reason: Any = None) -> None:
        seen.append("disconnect")

    api = FastAPI()

    @api.get("/items/{item_id}")
    async def item(item_id: int, q: str = "") -> dict[str, Any]:
        return {"item_id": item_id, "q": q}

    @api.post("/notify")
    async def notify(text: str) -> dict[str, bool]:
        # An HTTP endpoint emitting to every connected client, binary data included.
        await sio.emit("news", {"text": text, "raw": text.encode() + b"\x00\xff"})
        return {"sent": True}

    if layout == "mount":
        api.mount("/socket.io", socketio.ASGIApp(sio))
        return api, seen
    return socketio.ASGIApp(sio, other_asgi_app=api), seen


async def talk(url: str, transports: list[str]) -> tuple[Any, ...]:
    """Two clients in the lobby: the first says something, the second hears it.

    Then a POST to a FastAPI route emits news that both clients receive.
    """
    heard: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    news: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    speaker = socketio.AsyncClient()
    listener = socketio.AsyncClient()
    listener.on("said", heard.put_nowait)
    listener.on("news", news.put_nowait)
    speaker.on("news", news.put_nowait)
    await listener.connect(url, transports=transports, auth={"token": "letmein"})
    await speaker.connect(url, transports=transports, auth={"token": "letmein"})
    try:
        reply = await speaker.call("chat", {"text": "hello"}, timeout=5)
        broadcast = await asyncio.wait_for(heard.get(), 5)
        used = (speaker.transport(), listener.transport())
        async with httpx.AsyncClient(base_url=url) as client:
            sent = (await client.post("/notify", params={"text": "extra"})).json()
        delivered = [await asyncio.wait_for(news.get(), 5) for _ in range(2)]
    finally:
        await speaker.disconnect()
        await listener.disconnect()
    return reply, broadcast, *used, sent, delivered


@pytest.mark.parametrize(
    ("layout", "transports"),
    [
        ("wrap", ["polling"]),
        ("wrap", ["websocket"]),
        ("wrap", ["polling", "websocket"]),  # the default: polling, then the upgrade
        ("mount", ["polling"]),
        ("mount", ["websocket"]),
    ],
    ids=["polling", "websocket", "upgrade", "mounted-polling", "mounted-websocket"],
)
def test_events_acks_and_broadcasts_beside_the_fastapi_routes(
    serve: Serve, layout: str, transports: list[str]
) -> None:
    app, seen = chat_app(layout)
    url = serve(app)

    (reply, broadcast, speaker_transport, listener_transport, sent, delivered) = asyncio.run(
        talk(url, transports)
    )
    transport = transports[-1]

    assert reply == {"echo": "hello"}
    assert broadcast == {"text": "HELLO"}
    assert speaker_transport == listener_transport == transport
    assert sent == {"sent": True}
    assert delivered == [{"text": "extra", "raw": b"extra\x00\xff"}] * 2
    deadline = time.monotonic() + 5
    while len(seen) < 5 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert seen == [
        "connect /socket.io/ True",
        "connect /socket.io/ True",
        "chat hello",
        "disconnect",
        "disconnect",
    ]

    with httpx.Client(base_url=url) as client:
        assert client.get("/items/7", params={"q": "x"}).json() == {"item_id": 7, "q": "x"}
        assert client.get("/items/nope").status_code == 422
        # The engine.io endpoint itself answers a polling handshake over plain HTTP.
        handshake = client.get("/socket.io/", params={"EIO": "4", "transport": "polling"})
        assert handshake.status_code == 200
        assert handshake.text.startswith('0{"sid":')


def test_a_refused_connection_raises_in_the_client(serve: Serve) -> None:
    app, seen = chat_app()
    url = serve(app)

    async def refused() -> None:
        client = socketio.AsyncClient()
        with pytest.raises(socketio.exceptions.ConnectionError):
            await client.connect(url, transports=["websocket"], auth={"token": "wrong"})

    asyncio.run(refused())
    assert seen == []


@pytest.mark.parametrize("transport", ["polling", "websocket"])
def test_pings_keep_an_idle_client_and_the_server_can_disconnect_one(
    serve: Serve, transport: str
) -> None:
    app, seen = chat_app()
    url = serve(app)

    async def main() -> tuple[bool, list[Any]]:
        reasons: list[Any] = []
        gone = asyncio.Event()
        client = socketio.AsyncClient(reconnection=False)

        @client.event
        async def disconnect(reason: Any = None) -> None:
            reasons.append(reason)
            gone.set()

        await client.connect(url, transports=[transport], auth={"token": "letmein"})
        # Idle across two ping intervals (1 s): only the pings and pongs keep it.
        await asyncio.sleep(2.5)
        alive = client.connected
        await client.emit("kick", "bye")
        await asyncio.wait_for(gone.wait(), 5)
        await client.wait()
        return alive, reasons

    alive, reasons = asyncio.run(main())
    assert alive
    assert reasons == [socketio.AsyncClient.reason.SERVER_DISCONNECT]
    assert seen == ["connect /socket.io/ True", "disconnect"]
