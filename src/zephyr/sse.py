"""Server-Sent Events: ``ServerSentEvent`` and ``EventSourceResponse``.

Wire format per the WHATWG HTML standard, section 9.2 "Server-sent events"
(``text/event-stream``): an event is ``field: value`` lines ended by a blank
line; lines starting with ``:`` are comments, used here as keep-alive pings.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
from collections.abc import AsyncGenerator, AsyncIterable, Iterable, Mapping
from typing import Annotated, Any

from pydantic import BaseModel, Field, field_validator, model_validator

from zephyr.background import BackgroundTask
from zephyr.encoders import jsonable_encoder
from zephyr.responses import StreamingResponse

__all__ = [
    "KEEPALIVE_COMMENT",
    "EventSourceResponse",
    "ServerSentEvent",
    "encode_data",
    "format_sse_event",
    "plain_json",
]

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


_JSON_SCALARS = frozenset({str, int, bool, type(None)})


def _finite(value: Any) -> Any:
    """``value`` (JSON-compatible data) with NaN and infinities replaced by ``None``."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite(item) for item in value]
    return value


def plain_json(value: Any) -> str:
    """JSON-encode an undeclared stream item as FastAPI does.

    ``jsonable_encoder`` then ``json.dumps`` (``", "`` separators, non-ASCII
    escaped), NaN and infinities sent as ``null`` since JSON has neither.

    Args:
        value: str, number, dict, list, Pydantic model, dataclass, datetime, ...

    Returns:
        The JSON text.
    """
    if type(value) in _JSON_SCALARS:
        return json.dumps(value)
    return json.dumps(_finite(jsonable_encoder(value)))


def encode_data(data: Any) -> str:
    """JSON-encode an event's ``data``: a model by its own serializer, else :func:`plain_json`.

    Args:
        data: The payload; a Pydantic model is dumped compact with its config honoured.

    Returns:
        The JSON text.
    """
    if isinstance(data, BaseModel):
        return data.model_dump_json()
    return plain_json(data)


class ServerSentEvent(BaseModel):
    """One Server-Sent Event (a Pydantic model, so usable as a declared type).

    It can be yielded from an ``EventSourceResponse`` endpoint (also one
    whose items are declared as another type), named as the item type
    (``AsyncIterable[ServerSentEvent]``), used as a ``response_model`` or
    validated from a request body like any model.

    Args:
        data: The payload, always JSON-encoded (a string ``"hi"`` is sent as
            ``data: "hi"``): str, number, dict, list, Pydantic model, ...
            ``None`` sends no ``data`` line. May also be given positionally.
        raw_data: A string sent as-is instead of JSON ``data`` (HTML
            fragments, CSV...); multi-line text becomes several ``data:`` lines.
        event: Event type (browsers dispatch ``addEventListener(event)``); one line.
        id: Event id, sent back by browsers as ``Last-Event-ID`` on reconnect;
            one line, no NUL.
        retry: Reconnection delay in milliseconds, ``>= 0``.
        comment: Comment text (ignored by clients); may span lines.

    Raises:
        pydantic.ValidationError: (a ``ValueError``) ``event`` or ``id``
            contains CR or LF, ``id`` contains NUL, ``retry`` is negative or
            not an integer, or both ``data`` and ``raw_data`` are given.
    """

    data: Any = None
    raw_data: str | None = None
    event: str | None = None
    id: str | None = None
    retry: Annotated[int, Field(ge=0.0)] | None = None
    comment: str | None = None

    def __init__(self, data: Any = None, /, **fields: Any) -> None:
        if data is not None:
            fields["data"] = data
        super().__init__(**fields)

    @field_validator("event", "id")
    @classmethod
    def _single_line(cls, value: str | None, info: Any) -> str | None:
        if value is not None and ("\r" in value or "\n" in value):
            raise ValueError(f"SSE '{info.field_name}' must be a single line")
        return value

    @field_validator("id")
    @classmethod
    def _no_null(cls, value: str | None) -> str | None:
        if value is not None and "\x00" in value:
            raise ValueError("SSE 'id' must not contain null (NUL) characters")
        return value

    @model_validator(mode="after")
    def _one_payload(self) -> ServerSentEvent:
        if self.data is not None and self.raw_data is not None:
            # FastAPI's wording: it reaches clients in 422 bodies.
            raise ValueError(
                "Cannot set both 'data' and 'raw_data' on the same ServerSentEvent. Use 'data'"
                " for JSON-serialized payloads or 'raw_data' for pre-formatted strings."
            )
        return self

    def encode(self) -> bytes:
        """Return the event in wire format (UTF-8, ended by a blank line)."""
        data = self.data
        data_str = self.raw_data if data is None else encode_data(data)
        return format_sse_event(
            data_str=data_str, event=self.event, id=self.id, retry=self.retry, comment=self.comment
        )


def encode_item(item: Any) -> bytes:
    """Encode one stream item: text and bytes as-is, an event encoded, anything else as data."""
    if isinstance(item, bytes):
        return item
    if isinstance(item, str):
        return item.encode("utf-8")
    if isinstance(item, memoryview | bytearray):
        return bytes(item)
    if isinstance(item, ServerSentEvent):
        return item.encode()
    return format_sse_event(data_str=encode_data(item))


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
