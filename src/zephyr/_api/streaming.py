"""Generator path operations: stream items as JSON Lines, Server-Sent Events or raw chunks.

An endpoint that is an (async) generator function streams what it yields.
With the default response class each item becomes one line of
``application/jsonl`` (JSON Lines: UTF-8 JSON text per line, ``\\n``
terminated); with ``response_class=EventSourceResponse`` each item becomes one
SSE ``data`` event (a yielded ``ServerSentEvent`` is sent as it is). When the
return annotation names the item type (``AsyncIterator[Item]``,
``Iterator[Item]``, ``AsyncGenerator[Item, None]``...) every item is validated
and serialized by Pydantic against it; a mismatch mid-stream ends the
response abruptly (its status is already sent) and is logged.

With any other ``StreamingResponse`` class (``response_class=StreamingResponse``
or a subclass naming its media type) the yielded ``str`` / ``bytes`` chunks are
the body, sent as they come: nothing is validated or encoded as JSON.
"""

from __future__ import annotations

import collections.abc
import functools
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from typing import Any, get_args, get_origin

from pydantic import TypeAdapter, ValidationError

from zephyr.api_exceptions import ResponseValidationError
from zephyr.responses import Response, StreamingResponse
from zephyr.sse import EventSourceResponse, ServerSentEvent, format_sse_event, plain_json

__all__ = [
    "JSONL_MEDIA_TYPE",
    "as_plain_call",
    "is_event_type",
    "is_raw_stream",
    "stream_item_type",
    "stream_response",
]

JSONL_MEDIA_TYPE = "application/jsonl"

_STREAM_ORIGINS = frozenset(
    {
        collections.abc.AsyncIterator,
        collections.abc.AsyncIterable,
        collections.abc.AsyncGenerator,
        collections.abc.Iterator,
        collections.abc.Iterable,
        collections.abc.Generator,
    }
)


def stream_item_type(annotation: Any) -> Any:
    """Return ``Item`` from ``AsyncIterator[Item]`` and the like; ``None`` if not declared."""
    if get_origin(annotation) in _STREAM_ORIGINS:
        args = get_args(annotation)
        if args:
            return args[0]  # ``Any`` too: declared, so validated and documented as such
    return None


def is_event_type(item_type: Any) -> bool:
    """Whether a declared item type is ``ServerSentEvent`` (events are sent as they are)."""
    return isinstance(item_type, type) and issubclass(item_type, ServerSentEvent)


def is_raw_stream(response_class: type[Response]) -> bool:
    """Whether a generator endpoint with this response class streams raw chunks.

    Args:
        response_class: The route's (unwrapped) response class.

    Returns:
        ``True`` for ``StreamingResponse`` and its subclasses other than
        ``EventSourceResponse``: the yielded ``str``/``bytes`` are the body.
    """
    return issubclass(response_class, StreamingResponse) and not issubclass(
        response_class, EventSourceResponse
    )


def as_plain_call(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a generator function so the dependency plan calls it, not enters it.

    The plan treats generator functions as ``yield`` dependencies; the
    wrapper is a coroutine function returning the generator object instead,
    with the same signature (``functools.wraps``) for parameter analysis.
    """

    @functools.wraps(endpoint)
    async def call(*args: Any, **kwargs: Any) -> Any:
        return endpoint(*args, **kwargs)

    return call


def _validate(adapter: TypeAdapter[Any], item: Any) -> Any:
    try:
        return adapter.validate_python(item, from_attributes=True)
    except ValidationError as exc:
        errors = [
            {**error, "loc": ("response", *error["loc"])} for error in exc.errors(include_url=False)
        ]
        raise ResponseValidationError(errors, body=item) from None


def _encoder(
    adapter: TypeAdapter[Any] | None, sse: bool, dump_options: Mapping[str, Any]
) -> Callable[[Any], bytes]:
    def jsonl(item: Any) -> bytes:
        if adapter is None:
            return plain_json(item).encode("utf-8") + b"\n"
        return adapter.dump_json(_validate(adapter, item), **dump_options) + b"\n"

    def event(item: Any) -> bytes:
        if isinstance(item, ServerSentEvent):
            return item.encode()
        if adapter is None:
            return format_sse_event(data_str=plain_json(item))
        data = adapter.dump_json(_validate(adapter, item), **dump_options).decode("utf-8")
        return format_sse_event(data_str=data)

    return event if sse else jsonl


async def _map_async(items: Any, encode: Callable[[Any], bytes]) -> AsyncIterator[bytes]:
    try:
        async for item in items:
            yield encode(item)
    finally:
        aclose = getattr(items, "aclose", None)
        if aclose is not None:
            await aclose()


def _map_sync(items: Any, encode: Callable[[Any], bytes]) -> Iterator[bytes]:
    try:
        for item in items:
            yield encode(item)
    finally:
        close = getattr(items, "close", None)
        if close is not None:
            close()


def stream_response(
    result: Any,
    response_class: type[Response],
    adapter: TypeAdapter[Any] | None,
    status_code: int | None,
    dump_options: Mapping[str, Any],
) -> Response:
    """Build the streaming response for a generator endpoint's result.

    Args:
        result: The (async) generator the endpoint returned.
        response_class: The route's response class; ``EventSourceResponse``
            (or a subclass) streams SSE, another ``StreamingResponse`` class
            streams the yielded chunks as they are (see ``is_raw_stream``),
            anything else gives a JSON Lines ``StreamingResponse``.
        adapter: Validates and serializes each item (not used for raw
            chunks); ``None`` when the item type is not declared.
        status_code: The route's status code (default 200).
        dump_options: The route's ``response_model_*`` options (``exclude_none``,
            ``by_alias``...), applied to each validated item as to a response model.

    Returns:
        The response; sync generators are iterated in the thread pool.
    """
    status = status_code or 200
    if is_raw_stream(response_class):
        # The chunks are the body; the class says its media type and encodes str.
        return response_class(result, status_code=status)
    sse = issubclass(response_class, EventSourceResponse)
    encode = _encoder(adapter, sse, dump_options)
    if hasattr(result, "__aiter__"):
        content: Any = _map_async(result, encode)
    else:
        content = _map_sync(result, encode)
    if sse:
        return response_class(content, status_code=status)
    return StreamingResponse(content, status_code=status, media_type=JSONL_MEDIA_TYPE)
