"""Example chat server: every message a client sends is broadcast to everyone in the room.

Written exactly as a FastAPI app would be, with ``zephyr`` in the imports.
Run it and open two browser tabs on http://127.0.0.1:8000/::

    zephyr run examples.chat:app      # or: uvicorn examples.chat:app

Protocol: connect to ``/ws/{room}?name=<nickname>``; send text frames; receive
JSON frames ``{"room", "from", "text"}`` (``from`` is ``null`` for system notices).
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from zephyr import FastAPI, Query, WebSocket
from zephyr.responses import HTMLResponse

PAGE = """<!doctype html>
<title>zephyr chat</title>
<form onsubmit="send(event)"><input id="text" autocomplete="off"><button>Send</button></form>
<ul id="log"></ul>
<script>
const name = "guest" + Math.floor(Math.random() * 1000);
const ws = new WebSocket(`ws://${location.host}/ws/lobby?name=${name}`);
ws.onmessage = (event) => {
  const msg = JSON.parse(event.data);
  const item = document.createElement("li");
  item.textContent = (msg.from ? msg.from + ": " : "* ") + msg.text;
  document.getElementById("log").appendChild(item);
};
function send(event) {
  event.preventDefault();
  const input = document.getElementById("text");
  ws.send(input.value);
  input.value = "";
}
</script>
"""


class Rooms:
    """The open connections per room (process-local: one worker, see design section 4)."""

    def __init__(self) -> None:
        self.members: dict[str, dict[WebSocket, str]] = {}

    async def join(self, room: str, websocket: WebSocket, name: str) -> None:
        await websocket.accept()
        self.members.setdefault(room, {})[websocket] = name
        await self.broadcast(room, None, f"{name} joined")

    async def leave(self, room: str, websocket: WebSocket) -> None:
        name = self.members.get(room, {}).pop(websocket, None)
        if not self.members.get(room):
            self.members.pop(room, None)
        if name is not None:
            await self.broadcast(room, None, f"{name} left")

    async def broadcast(self, room: str, sender: str | None, text: str) -> None:
        message = {"room": room, "from": sender, "text": text}
        members = list(self.members.get(room, {}))
        # One slow or vanished client must not hold up (or break) the others.
        results = await asyncio.gather(
            *(member.send_json(message) for member in members), return_exceptions=True
        )
        for member, result in zip(members, results, strict=True):
            if isinstance(result, Exception):
                self.members.get(room, {}).pop(member, None)


app = FastAPI(title="zephyr chat")
rooms = Rooms()


@app.get("/", response_class=HTMLResponse)
async def page() -> str:
    """The browser client."""
    return PAGE


@app.websocket("/ws/{room}")
async def chat(
    websocket: WebSocket,
    room: str,
    name: Annotated[str, Query(min_length=1, max_length=32)],
) -> None:
    """Join ``room`` as ``name`` and relay every text message to the room."""
    await rooms.join(room, websocket, name)
    try:
        async for text in websocket.iter_text():
            await rooms.broadcast(room, name, text)
    finally:
        await rooms.leave(room, websocket)
