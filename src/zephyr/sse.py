"""Server-Sent Events: ``ServerSentEvent`` and ``EventSourceResponse``.

Wire format per the WHATWG HTML standard, section 9.2 "Server-sent events"
(``text/event-stream``): an event is ``field: value`` lines ended by a blank
line; lines starting with ``:`` are comments, used here as keep-alive pings.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncGenerator, AsyncIterable, Iterable, Mapping
from typing import Any

import pydantic_core

from zephyr.background import BackgroundTask
from zephyr.encoders import jsonable_encoder
from zephyr.responses import StreamingResponse

__all__ = ["KEEPALIVE_COMMENT", "EventSourceResponse", "ServerSentEvent", "format_sse_event"]

KEEPALIVE_COMMENT = b": ping\n\n"
"""The comment sent as a keep-alive when the stream has been quiet for ``ping`` seconds."""

DEFAULT_PING_INTERVAL = 15.0
"""Seconds of silence before a keep-alive comment (proxies often cut idle streams at 30-60 s)."""

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _lines(text: str) -> list[str]:
    return _LINE_BREAK.split(text)


def format_sse_event(
    *,
    data_str: str | None = None,
    event: str | None = None,
    id: str | None = None,
    retry: int | None = None,
    comment: str | None = None,
) -> bytes:
    """Encode one event's fields as ``text/event-stream`` bytes (UTF-8).

    Args:
        data_str: The data, already a string; each of its lines becomes one ``data:`` line.
        event: The event type (``event:``).
        id: The event id (``id:``).
        retry: Reconnection delay in milliseconds (``retry:``).
        comment: Comment text; each line becomes one ``: `` line.

    Returns:
        The event, ended by a blank line.
    """
    out: list[str] = []
    if comment is not None:
        out += [f": {line}" for line in _lines(comment)]
    if event is not None:
        out.append(f"event: {event}")
    if data_str is not None:
        out += [f"data: {line}" for line in _lines(data_str)]
    if id is not None:
        out.append(f"id: {id}")
    if retry is not None:
        out.append(f"retry: {retry}")
    out.append("\n")
    return "\n".join(out).encode("utf-8")


def encode_data(data: Any) -> str:
    """JSON-encode an event payload (str, number, dict, list, Pydantic model, ...)."""
    try:
        return pydantic_core.to_json(data).decode("utf-8")
    except pydantic_core.PydanticSerializationError:
        return pydantic_core.to_json(jsonable_encoder(data)).decode("utf-8")


class ServerSentEvent:
    """One Server-Sent Event.

    Args:
        data: The payload, always JSON-encoded (a string ``"hi"`` is sent as
            ``data: "hi"``): str, number, dict, list, Pydantic model, ...
            ``None`` sends no ``data`` line.
        event: Event type (browsers dispatch ``addEventListener(event)``); one line.
        id: Event id, sent back by browsers as ``Last-Event-ID`` on reconnect;
            one line, no NUL.
        retry: Reconnection delay in milliseconds, ``>= 0``.
        comment: Comment text (ignored by clients); may span lines.
        raw_data: A string sent as-is instead of JSON ``data`` (HTML
            fragments, CSV...); multi-line text becomes several ``data:`` lines.

    Raises:
        ValueError: ``event`` or ``id`` contains CR or LF, ``id`` contains NUL,
            ``retry`` is negative or not an int, or both ``data`` and
            ``raw_data`` are given.
    """

    __slots__ = ("comment", "data", "event", "id", "raw_data", "retry")

    def __init__(
        self,
        data: Any = None,
        event: str | None = None,
        id: str | None = None,
        retry: int | None = None,
        comment: str | None = None,
        *,
        raw_data: str | None = None,
    ) -> None:
        if data is not None and raw_data is not None:
            raise ValueError("Cannot set both 'data' and 'raw_data' on a ServerSentEvent")
        if event is not None and ("\r" in event or "\n" in event):
            raise ValueError("SSE 'event' must be a single line")
        if id is not None:
            if "\r" in id or "\n" in id:
                raise ValueError("SSE 'id' must be a single line")
            if "\x00" in id:
                raise ValueError("SSE 'id' must not contain NUL characters")
        if retry is not None and (type(retry) is not int or retry < 0):
            raise ValueError("SSE 'retry' must be a non-negative int (milliseconds)")
        self.data = data
        self.raw_data = raw_data
        self.event = event
        self.id = id
        self.retry = retry
        self.comment = comment

    def encode(self) -> bytes:
        """Return the event in wire format (UTF-8, ended by a blank line)."""
        data_str = self.raw_data if self.data is None else encode_data(self.data)
        return format_sse_event(
            data_str=data_str, event=self.event, id=self.id, retry=self.retry, comment=self.comment
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ServerSentEvent):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self.__slots__)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"ServerSentEvent({fields})"


def encode_item(item: Any) -> bytes:
    """Encode one stream item: text and bytes as-is, an event encoded, anything else as data."""
    if isinstance(item, bytes):
        return item
    if isinstance(item, str):
        return item.encode("utf-8")
    if isinstance(item, memoryview | bytearray):
        return bytes(item)
    event = item if isinstance(item, ServerSentEvent) else ServerSentEvent(item)
    return event.encode()


class EventSourceResponse(StreamingResponse):
    """A ``text/event-stream`` response streaming Server-Sent Events.

    Items from ``content`` are sent as they come: ``ServerSentEvent`` objects
    encoded, ``str``/``bytes`` as already-formatted wire text, anything else
    (dict, model, number) as a JSON ``data`` event. After ``ping`` seconds
    without an event a ``: ping`` comment keeps proxies from closing the
    connection. A client disconnect stops the stream and closes the generator
    (its ``finally`` runs). Sends ``Cache-Control: no-cache`` and
    ``X-Accel-Buffering: no`` (no buffering in nginx).

    As a path operation's ``response_class``, a generator endpoint's items are
    wrapped as ``data`` (validated against the declared item type first).

    Args:
        content: Async or sync iterable of items.
        status_code: Default ``200``.
        headers: Extra headers.
        media_type: Default ``text/event-stream``.
        background: Task run after the stream ends.
        ping: Keep-alive interval in seconds (default 15); ``None`` or ``0`` disables it.
    """

    media_type = "text/event-stream"

    def __init__(
        self,
        content: AsyncIterable[Any] | Iterable[Any],
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        background: BackgroundTask | None = None,
        *,
        ping: float | None = DEFAULT_PING_INTERVAL,
    ) -> None:
        super().__init__(content, status_code, headers, media_type, background)
        self.ping_interval = ping
        self.headers.setdefault("cache-control", "no-cache")
        self.headers.setdefault("x-accel-buffering", "no")

    def _chunks(self) -> AsyncIterable[bytes]:
        return self._with_pings(self.body_iterator)

    async def _with_pings(self, items: AsyncIterable[Any]) -> AsyncGenerator[bytes, None]:
        interval = self.ping_interval
        if not interval:
            async for item in items:
                yield encode_item(item)
            return
        # PERF: the items are pumped by one task into a one-slot queue, and a
        # timer is armed only while the queue is empty: racing every item
        # against a timeout would cost a task and an ``asyncio.wait`` per event
        # (about half of an event's cost).
        loop = asyncio.get_running_loop()
        channel: asyncio.Queue[Any] = asyncio.Queue(maxsize=1)
        pump = asyncio.ensure_future(_pump(items, channel))
        try:
            while True:
                if channel.empty():
                    timer = loop.call_later(interval, _ping_if_idle, channel)
                    message = await channel.get()
                    timer.cancel()
                else:
                    message = channel.get_nowait()
                if message is _PING:
                    yield KEEPALIVE_COMMENT
                elif message is _END:
                    return
                elif isinstance(message, _Failed):
                    raise message.error
                else:
                    yield encode_item(message[0])
        finally:
            # The generator runs inside the pump task: cancel it there, so its
            # cleanup runs before anyone calls aclose() on it.
            pump.cancel()
            await asyncio.gather(pump, return_exceptions=True)


_PING = object()
_END = object()


class _Failed:
    """The stream's iterator raised ``error``."""

    __slots__ = ("error",)

    def __init__(self, error: Exception) -> None:
        self.error = error


def _ping_if_idle(channel: asyncio.Queue[Any]) -> None:
    if channel.empty():
        channel.put_nowait(_PING)


async def _pump(items: AsyncIterable[Any], channel: asyncio.Queue[Any]) -> None:
    """Move ``items`` into ``channel`` (one at a time), then ``_END`` or ``_Failed``."""
    try:
        async for item in items:
            await channel.put((item,))
    except Exception as exc:
        await channel.put(_Failed(exc))
        return
    await channel.put(_END)
