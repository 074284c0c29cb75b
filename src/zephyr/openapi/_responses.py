"""The ``responses`` object of an operation.

The route's own response comes first, under its status code: the route's
``status_code``, else the default of its response class (``RedirectResponse``
answers 307). Its content follows the response class (none without a media
type, a string for a non-JSON class, the JSON Schema of the response model,
or the item schema of a stream); the ``responses=`` extras merge in after, and
a ``422`` is added for operations that read input.
"""

from __future__ import annotations

import copy
import http
import inspect
from typing import Any

from pydantic import Field

from zephyr._annotated import annotated
from zephyr._api.route import APIRoute, _unwrap
from zephyr._api.streaming import JSONL_MEDIA_TYPE, is_event_type, is_raw_stream
from zephyr._nocontent import has_content
from zephyr.openapi._merge import deep_update
from zephyr.openapi._schemas import REF_TEMPLATE, SchemaCollector, field_title
from zephyr.responses import JSONResponse, Response
from zephyr.sse import EventSourceResponse

__all__ = ["HTTP_VALIDATION_ERROR", "VALIDATION_ERROR", "responses"]

VALIDATION_ERROR = {
    "properties": {
        "loc": {
            "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
            "type": "array",
            "title": "Location",
        },
        "msg": {"type": "string", "title": "Message"},
        "type": {"type": "string", "title": "Error Type"},
        "input": {"title": "Input"},
        "ctx": {"type": "object", "title": "Context"},
    },
    "type": "object",
    "required": ["loc", "msg", "type"],
    "title": "ValidationError",
}
HTTP_VALIDATION_ERROR = {
    "properties": {
        "detail": {
            "items": {"$ref": REF_TEMPLATE.format(model="ValidationError")},
            "type": "array",
            "title": "Detail",
        }
    },
    "type": "object",
    "title": "HTTPValidationError",
}
_422 = {
    "description": "Validation Error",
    "content": {
        "application/json": {"schema": {"$ref": REF_TEMPLATE.format(model="HTTPValidationError")}}
    },
}


def responses(route: APIRoute, collector: SchemaCollector, has_inputs: bool) -> dict[str, Any]:
    """The operation's ``responses`` object (schemas registered with ``collector``).

    Args:
        route: The documented route.
        collector: Receives the response models to resolve.
        has_inputs: Whether the operation reads parameters or a body (so it
            may answer 422).

    Returns:
        The responses, keyed by status code, range (``"4XX"``) or ``"default"``.

    Raises:
        ValueError: A key of ``route.responses`` is none of those.
    """
    response_class = _unwrap(route.response_class)
    status = str(route.status_code or default_status(response_class))
    # A response class without a media type (Response, RedirectResponse, FileResponse)
    # documents no content; a non-JSON one documents a string, whatever the return type.
    media: str | None = getattr(response_class, "media_type", None)
    out: dict[str, Any] = {}
    main: dict[str, Any] = {"description": route.response_description}
    if media is not None and _body_allowed(status):
        content: dict[str, Any] = {}
        if route.streaming and not is_raw_stream(response_class):
            media, content = _stream_content(route, collector)
        elif not issubclass(response_class, JSONResponse):
            content["schema"] = {"type": "string"}
        elif route.response_model is not None:
            # Named like a field ``Response_<operation id>`` (kept unless a bare $ref).
            title = field_title(f"Response_{route.unique_id}")
            content["_auto_title"] = title
            collector.add(content, "schema", _titled(route.response_model, title), "serialization")
        else:
            content["schema"] = {}
        main["content"] = {media: content}
    out[status] = main
    for code, extra in route.responses.items():
        key = _response_key(code, route.path)
        entry = out.setdefault(key, {})
        extra = copy.deepcopy(dict(extra))
        model = extra.pop("model", None)
        if model is not None:
            target = entry.setdefault("content", {}).setdefault(media or "application/json", {})
            title = field_title(f"Response_{key}_{route.unique_id}")
            target["_auto_title"] = title
            collector.add(target, "schema", _titled(model, title), "serialization")
        # Extra content (another media type, examples) merges into the generated one.
        deep_update(entry, extra)
        if "description" not in entry:
            entry["description"] = _phrase(key)
    if has_inputs and "422" not in out and not any(k.upper() in ("4XX", "DEFAULT") for k in out):
        out["422"] = _422
        collector.needs_errors = True
    return out


def default_status(response_class: type[Response]) -> int:
    """The status a response class answers with when the route names none.

    That is the default of its ``status_code`` argument (``RedirectResponse``:
    307), or 200 when it takes none or has no integer default.
    """
    try:
        parameter = inspect.signature(response_class.__init__).parameters.get("status_code")
    except (TypeError, ValueError):  # pragma: no cover - a C-level or odd __init__
        return 200
    if parameter is not None and isinstance(parameter.default, int):
        return parameter.default
    return 200


# Descriptions of the keys that are not one status: RFC 9110's class names.
_RANGE_PHRASES = {
    "1XX": "Informational",
    "2XX": "Successful",
    "3XX": "Redirection",
    "4XX": "Client Error",
    "5XX": "Server Error",
    "default": "Default Response",
}


def _response_key(code: Any, path: str) -> str:
    """The key of an additional response, as OpenAPI's Responses Object spells it.

    Returns:
        ``"404"``, a range in upper case (``"5xx"`` gives ``"5XX"``) or ``"default"``.

    Raises:
        ValueError: ``code`` is neither a status code (100-599), a range
            (``"4XX"``) nor ``"default"``.
    """
    key = str(code)
    if key.isdigit() and 100 <= int(key) <= 599:
        return key
    spelled = "default" if key.lower() == "default" else key.upper()
    if spelled in _RANGE_PHRASES:
        return spelled
    raise ValueError(
        f"responses of {path}: {key!r} is not an HTTP status code, a range such as "
        "'4XX', or 'default'"
    )


def _titled(tp: Any, title: str) -> Any:
    return annotated(tp, Field(title=title))


def _stream_content(route: APIRoute, collector: SchemaCollector) -> tuple[str, dict[str, Any]]:
    """Media type and ``itemSchema`` of a generator endpoint (JSON Lines or SSE events)."""
    item = route.stream_item_type
    # Named like a field ``StreamItem_<operation id>`` (kept unless a bare $ref).
    title = field_title(f"StreamItem_{route.unique_id}")
    if not issubclass(_unwrap(route.response_class), EventSourceResponse):
        content: dict[str, Any] = {}
        if item is None:
            content["itemSchema"] = {}
        else:
            content["_auto_title"] = title
            collector.add(content, "itemSchema", _titled(item, title), "serialization")
        return JSONL_MEDIA_TYPE, content
    data: dict[str, Any] = {"type": "string"}
    event: dict[str, Any] = {
        "type": "object",
        "properties": {
            "data": data,
            "event": {"type": "string"},
            "id": {"type": "string"},
            "retry": {"type": "integer", "minimum": 0},
        },
    }
    if is_event_type(item):
        # ``response_model=ServerSentEvent``: events document no data schema,
        # but the model is listed among the components, as FastAPI does.
        collector.add({}, "schema", item, "serialization")
    elif item is not None:
        data["contentMediaType"] = "application/json"
        data["_auto_title"] = title
        collector.add(data, "contentSchema", _titled(item, title), "serialization")
        event["required"] = ["data"]
    return "text/event-stream", {"itemSchema": event}


def _phrase(code: str) -> str:
    if code in _RANGE_PHRASES:
        return _RANGE_PHRASES[code]
    try:
        return http.HTTPStatus(int(code)).phrase
    except ValueError:
        return "Additional Response"


def _body_allowed(status: str) -> bool:
    if not status.isdigit():
        return True
    return has_content(int(status))
