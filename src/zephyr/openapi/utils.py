"""``get_openapi``: the OpenAPI 3.1 document of an app's ``APIRoute``s.

The layout follows FastAPI's documents (operation ids, ``Body_<operation id>``
schemas, ``HTTPValidationError``), so clients and tools see the same thing.
All JSON Schemas come from one Pydantic ``generate_definitions`` call, so
shared models land once in ``components.schemas``.
"""

from __future__ import annotations

import copy
import http
import warnings
from collections.abc import Callable, Sequence
from typing import Annotated, Any, get_args, get_origin

import pydantic
from pydantic import Field, TypeAdapter, WithJsonSchema
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import CoreSchema

from zephyr._annotated import annotated
from zephyr._api.routing import APIRoute, _unwrap
from zephyr._api.streaming import JSONL_MEDIA_TYPE, is_event_type, is_raw_stream
from zephyr._nocontent import has_content
from zephyr.dependencies.compile import is_upload
from zephyr.dependencies.models import Dependant, ParamField
from zephyr.dependencies.param_models import field_lookups
from zephyr.dependencies.tree import flat_params
from zephyr.encoders import jsonable_encoder
from zephyr.openapi._form_models import FormModelEntry, documents_as_model, model_type
from zephyr.responses import JSONResponse
from zephyr.routing import BaseRoute
from zephyr.sse import EventSourceResponse

__all__ = ["get_openapi"]

REF_TEMPLATE = "#/components/schemas/{model}"
_METHODS_WITH_BODY = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"}
_FILE_SCHEMA = WithJsonSchema({"type": "string", "contentMediaType": "application/octet-stream"})

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


_LOCATION_ORDER = {"path": 0, "query": 1, "header": 2, "cookie": 3}


def _title(name: str) -> str:
    return name.replace("_", " ").title()


def _file_type(annotation: Any) -> Any:
    """Replace ``UploadFile``/``bytes`` by a type whose schema is a binary string."""
    if annotation is bytes or (isinstance(annotation, type) and is_upload(annotation)):
        return Annotated[Any, _FILE_SCHEMA]
    origin = get_origin(annotation)
    args = get_args(annotation)
    if origin is not None and args and origin is not Annotated:
        converted = tuple(_file_type(a) for a in args)
        try:
            return origin[converted] if len(converted) > 1 else origin[converted[0]]
        except TypeError:
            import typing

            return typing.Union[converted]  # noqa: UP007 - rebuilt from parts
    return annotation


def _field_type(param: ParamField, title: str | None) -> Any:
    """The annotation and ``Field`` documenting ``param`` (``title=None``: Pydantic's own)."""
    kwargs = {
        k: v
        for k, v in param.info.field_kwargs.items()  # type: ignore[attr-defined]
        if k != "title"
    }
    if param.info.title or title:
        kwargs["title"] = param.info.title or title
    if param.info.description:
        kwargs["description"] = param.info.description
    extra = kwargs.get("json_schema_extra")
    if param.info.deprecated and (extra is None or isinstance(extra, dict)):
        # Schema metadata: Pydantic ignores (and warns about) ``deprecated`` outside a model.
        kwargs["json_schema_extra"] = {**(extra or {}), "deprecated": True}
    annotation = _file_type(param.annotation) if param.is_file else param.annotation
    return annotation, Field(param.default, **kwargs)


def _security(node: Dependant, base: type | None) -> list[tuple[Any, list[str]]]:
    out: list[tuple[Any, list[str]]] = []
    for sub in node.dependencies:
        if base is not None and isinstance(sub.call, base):
            out.append((sub.call, sub.security_scopes))
        out.extend(_security(sub, base))
    return out


class _SchemaGenerator(GenerateJsonSchema):
    """Pydantic's generator, with ``bytes`` described as OpenAPI 3.1 binary content."""

    def bytes_schema(self, schema: CoreSchema) -> JsonSchemaValue:
        # OpenAPI 3.1 (and FastAPI) use contentMediaType, not the 3.0 "format: binary".
        config = self._config
        mode = config.ser_json_bytes if self.mode == "serialization" else config.val_json_bytes
        out: JsonSchemaValue = {"type": "string", "contentMediaType": "application/octet-stream"}
        if mode == "base64":
            out["contentEncoding"] = "base64"
        self.update_with_validations(out, schema, self.ValidationsMapping.bytes)
        return out


def _merged_mode(mode: str, core_schema: Any) -> str:
    return mode if _has_computed_fields(core_schema) else "validation"


def _has_computed_fields(node: Any) -> bool:
    """Whether a core schema (walked as plain data) declares a computed field anywhere."""
    if isinstance(node, dict):
        if node.get("computed_fields"):
            return True
        return any(_has_computed_fields(value) for value in node.values())
    if isinstance(node, list):
        return any(_has_computed_fields(item) for item in node)
    return False


class _Collector:
    """Gathers (key, mode, core schema) inputs, then resolves them in one call."""

    def __init__(self) -> None:
        self.inputs: list[tuple[Any, Any, Any]] = []
        self.placeholders: list[tuple[dict[str, Any], str, tuple[int, str]]] = []
        self.needs_errors = False  # some operation documents the 422 response
        # Run on the definitions once resolved (a form body's ``allOf`` of its models).
        self.after: list[Callable[[dict[str, Any]], None]] = []

    def add(self, target: dict[str, Any], key: str, tp: Any, mode: str) -> None:
        index = len(self.inputs)
        with warnings.catch_warnings():
            # A parameter's ``Field(deprecated=True)`` only documents it here; Pydantic
            # warns that it has no runtime effect outside a model, which is intended.
            warnings.filterwarnings("ignore", message=".*'deprecated' attribute.*")
            adapter: TypeAdapter[Any] = TypeAdapter(tp)
        self.inputs.append((index, mode, adapter.core_schema))
        self.placeholders.append((target, key, (index, mode)))

    def resolve(self, separate: bool) -> dict[str, Any]:
        if not self.inputs:
            return {}
        generator = _SchemaGenerator(ref_template=REF_TEMPLATE)
        if not separate:
            # One schema per model, except where computed fields make output differ.
            modes = {key: _merged_mode(mode, schema) for key, mode, schema in self.inputs}
            self.inputs = [(key, modes[key], schema) for key, _, schema in self.inputs]
            self.placeholders = [(t, k, (i, modes[i])) for t, k, (i, _) in self.placeholders]
        found, definitions = generator.generate_definitions(self.inputs)
        schemas: dict[Any, dict[str, Any]] = dict(found)
        for target, key, ref in self.placeholders:
            schema = schemas[ref]
            auto_title = target.pop("_auto_title", None)
            if "$ref" in schema and schema.get("title") == auto_title:
                # A bare reference, as in a model's fields: the title is the model's.
                schema = {k: v for k, v in schema.items() if k != "title"}
            target[key] = schema
        out = {str(name): schema for name, schema in definitions.items()}
        for hook in self.after:
            hook(out)
        return out


def _parameters(route: APIRoute, collector: _Collector) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    ordered = sorted(flat_params(route.dependant), key=lambda p: _LOCATION_ORDER.get(p.location, 9))
    for param in ordered:
        if param.location in ("body", "form") or not param.info.include_in_schema:  # type: ignore[attr-defined]
            continue
        entries = _model_parameters(param) if param.model is not None else [_parameter(param)]
        for entry, tp in entries:
            if (entry["name"], param.location) in seen:
                continue
            seen.add((entry["name"], param.location))
            collector.add(entry, "schema", tp, "validation")
            out.append(entry)
    return out


def _parameter(param: ParamField) -> tuple[dict[str, Any], Any]:
    entry: dict[str, Any] = {
        "name": param.external,
        "in": param.location,
        "required": param.required,
    }
    annotation, info = _field_type(param, _title(param.external))
    if not param.info.title:
        entry["_auto_title"] = info.title
    if param.info.description:
        entry["description"] = param.info.description
    openapi_examples = getattr(param.info, "openapi_examples", None)
    if openapi_examples:
        entry["examples"] = jsonable_encoder(openapi_examples)
    if param.info.deprecated:
        entry["deprecated"] = True
    return entry, Annotated[annotation, info]


def _model_parameters(param: ParamField) -> list[tuple[dict[str, Any], Any]]:
    """One parameter per field of a ``Annotated[Model, Query()]``-style parameter."""
    convert = param.location == "header" and getattr(param.info, "convert_underscores", False)
    # ``Model | None``, a default or a union: no single field must be sent.
    optional = param.nullable or not param.required or len(param.models) > 1
    out: list[tuple[dict[str, Any], Any]] = []
    fields = [(m, name, f) for m in param.models for name, f in m.model_fields.items()]
    for model, name, field in fields:
        given = field.validation_alias if isinstance(field.validation_alias, str) else field.alias
        lookups = field_lookups(name, field, model.model_config, convert=convert, sequence=False)
        external = lookups[0][0] if lookups else name
        entry: dict[str, Any] = {
            "name": external,
            "in": param.location,
            "required": field.is_required() and not optional,
        }
        info = copy.copy(field)
        info.alias = info.validation_alias = info.serialization_alias = None
        if not field.title:
            info.title = _title(given or name)
            entry["_auto_title"] = info.title
        if field.description:
            entry["description"] = field.description
        if field.deprecated:
            entry["deprecated"] = True
        out.append((entry, Annotated[field.annotation, info]))
    return out


_MULTIPART = "multipart/form-data"
_URLENCODED = "application/x-www-form-urlencoded"


def _form_media_type(params: list[ParamField]) -> str:
    """The one media type a form body is documented with.

    A file, or any field declared ``multipart/form-data``, needs a multipart
    body, so that wins; otherwise the last field's declared type stands (the
    fields of one form share it in practice).
    """
    media = _URLENCODED
    for param in params:
        declared = getattr(param.info, "media_type", None) or _URLENCODED
        if param.is_file or declared.startswith(_MULTIPART):
            return _MULTIPART
        media = declared
    return media


def _request_body(route: APIRoute, collector: _Collector) -> dict[str, Any] | None:
    plan = route.plan
    if plan.form is not None:
        params, embed = plan.form.params, True
        media = _form_media_type(params)
    elif plan.body is not None:
        params, embed = plan.body.params, plan.body.embed
        media = getattr(params[0].info, "media_type", None) or "application/json"
    else:
        return None
    content: dict[str, Any] = {}
    body: dict[str, Any] = {"content": {media: content}}
    if plan.form is not None and documents_as_model(params):
        # A form model documents as itself, not as a generated ``Body_...`` schema.
        title = params[0].info.title or _title(params[0].external)
        collector.add(content, "schema", model_type(params[0], title), "validation")
        required = params[0].required
    elif embed:
        _embedded_body(route, params, content, collector)
        required = any(p.required for p in params)
    else:
        param = params[0]
        annotation, info = _field_type(param, _title(param.external))
        if not param.info.title:
            content["_auto_title"] = info.title
        collector.add(content, "schema", Annotated[annotation, info], "validation")
        examples = getattr(param.info, "openapi_examples", None)
        if examples:
            content["examples"] = jsonable_encoder(examples)
        required = param.required
    if required:
        body["required"] = True
    return body


def _embedded_body(
    route: APIRoute, params: list[ParamField], content: dict[str, Any], collector: _Collector
) -> None:
    """Document a body of named fields as ``Body_<operation id>`` (form models in its ``allOf``)."""
    # Documented in FastAPI's order: the endpoint's own fields, then its dependencies'.
    flat = flat_params(route.dependant)
    order = {(p.location, p.external): i for i, p in reversed(list(enumerate(flat)))}
    params = sorted(params, key=lambda p: order.get((p.location, p.external), len(order)))
    models = [
        FormModelEntry(p, p.info.title or _title(p.external))
        for p in params
        if p.models and p.location == "form"
    ]
    fields = {
        p.external: _field_type(p, None) for p in params if not (p.models and p.location == "form")
    }
    model = pydantic.create_model(
        f"Body_{route.unique_id}",
        __config__=pydantic.ConfigDict(arbitrary_types_allowed=True),
        **fields,
    )
    collector.add(content, "schema", model, "validation")
    if not models:
        return
    for entry in models:
        collector.add(entry.box, "schema", entry.annotation, "validation")

    def attach(definitions: dict[str, Any]) -> None:
        name = content["schema"]["$ref"].rsplit("/", 1)[-1]
        entries = [item for entry in models for item in entry.entries(definitions)]
        definitions[name]["allOf"] = entries

    collector.after.append(attach)


def _responses(route: APIRoute, collector: _Collector, has_inputs: bool) -> dict[str, Any]:
    response_class = _unwrap(route.response_class)
    status = str(route.status_code or getattr(response_class, "status_code", 200))
    # A response class without a media type (Response, RedirectResponse, FileResponse)
    # documents no content; a non-JSON one documents a string, whatever the return type.
    media: str | None = getattr(response_class, "media_type", None)
    responses: dict[str, Any] = {}
    main: dict[str, Any] = {"description": route.response_description}
    if media is not None and _body_allowed(status):
        content: dict[str, Any] = {}
        if route.streaming and not is_raw_stream(response_class):
            media, content = _stream_content(route, collector)
        elif not issubclass(response_class, JSONResponse):
            content["schema"] = {"type": "string"}
        elif route.response_model is not None:
            # Named like a field ``Response_<operation id>`` (kept unless a bare $ref).
            title = _title(f"Response_{route.unique_id}")
            content["_auto_title"] = title
            collector.add(content, "schema", _titled(route.response_model, title), "serialization")
        else:
            content["schema"] = {}
        main["content"] = {media: content}
    responses[status] = main
    for code, extra in route.responses.items():
        key = _response_key(code, route.path)
        entry = responses.setdefault(key, {})
        extra = copy.deepcopy(dict(extra))
        model = extra.pop("model", None)
        if model is not None:
            target = entry.setdefault("content", {}).setdefault(media or "application/json", {})
            title = _title(f"Response_{key}_{route.unique_id}")
            target["_auto_title"] = title
            collector.add(target, "schema", _titled(model, title), "serialization")
        # Extra content (another media type, examples) merges into the generated one.
        _deep_update(entry, extra)
        if "description" not in entry:
            entry["description"] = _phrase(key)
    if (
        has_inputs
        and "422" not in responses
        and not any(k.upper() in ("4XX", "DEFAULT") for k in responses)
    ):
        responses["422"] = _422
        collector.needs_errors = True
    return responses


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


def _stream_content(route: APIRoute, collector: _Collector) -> tuple[str, dict[str, Any]]:
    """Media type and ``itemSchema`` of a generator endpoint (JSON Lines or SSE events)."""
    item = route.stream_item_type
    # Named like a field ``StreamItem_<operation id>`` (kept unless a bare $ref).
    title = _title(f"StreamItem_{route.unique_id}")
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


def _operation(
    route: APIRoute,
    method: str,
    collector: _Collector,
    schemes: dict[str, Any],
    security_base: type | None,
) -> dict[str, Any]:
    operation: dict[str, Any] = {}
    if route.tags:
        operation["tags"] = [getattr(t, "value", t) for t in route.tags]
    operation["summary"] = route.summary or _title(route.name)
    if route.description:
        operation["description"] = route.description
    operation["operationId"] = route.unique_id if route.operation_id is None else route.operation_id
    if route.deprecated:
        operation["deprecated"] = True
    parameters = _parameters(route, collector)
    if parameters:
        operation["parameters"] = parameters
    body = _request_body(route, collector) if method in _METHODS_WITH_BODY else None
    if body is not None:
        operation["requestBody"] = body
    has_inputs = bool(flat_params(route.dependant))
    operation["responses"] = _responses(route, collector, has_inputs)
    # One requirement per scheme, in first-use order, with every scope asked for.
    requirements: dict[str, list[str]] = {}
    for scheme, scopes in _security(route.dependant, security_base):
        schemes[scheme.scheme_name] = jsonable_encoder(
            scheme.model, by_alias=True, exclude_none=True
        )
        merged = requirements.setdefault(scheme.scheme_name, [])
        merged.extend(scope for scope in scopes if scope not in merged)
    if requirements:
        operation["security"] = [{name: scopes} for name, scopes in requirements.items()]
    if route.callbacks:
        operation["callbacks"] = _callbacks(route.callbacks, collector, schemes, security_base)
    if route.openapi_extra:
        _deep_update(operation, route.openapi_extra)
    return operation


def _callbacks(
    routes: Sequence[BaseRoute],
    collector: _Collector,
    schemes: dict[str, Any],
    security_base: type | None,
) -> dict[str, Any]:
    """OpenAPI callback objects: ``{route name: {URL expression: path item}}``."""
    callbacks: dict[str, Any] = {}
    for route in routes:
        if isinstance(route, APIRoute):
            items = callbacks.setdefault(route.name, {})
            items[route.path] = _path_item(route, collector, schemes, security_base)
    return callbacks


def _path_item(
    route: APIRoute,
    collector: _Collector,
    schemes: dict[str, Any],
    security_base: type | None,
) -> dict[str, Any]:
    # Documented from the route's tree as it stands (code may have edited it).
    route.sync_plan()
    return {
        method.lower(): _operation(route, method, collector, schemes, security_base)
        for method in route.methods or ()
    }


def _deep_update(target: dict[str, Any], extra: dict[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _deep_update(target[key], value)
        else:
            target[key] = value


def get_openapi(
    *,
    title: str,
    version: str,
    openapi_version: str = "3.1.0",
    summary: str | None = None,
    description: str | None = None,
    routes: Sequence[BaseRoute],
    webhooks: Sequence[BaseRoute] | None = None,
    tags: list[dict[str, Any]] | None = None,
    servers: list[dict[str, Any]] | None = None,
    terms_of_service: str | None = None,
    contact: dict[str, Any] | None = None,
    license_info: dict[str, Any] | None = None,
    separate_input_output_schemas: bool = True,
    external_docs: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Build the OpenAPI document for ``routes``.

    Args:
        title / version / summary / description / terms_of_service / contact /
            license_info: The ``info`` object (OpenAPI 3.1 section 4.8.2).
        openapi_version: The ``openapi`` field. Default ``"3.1.0"``.
        routes: The app's routes; ``APIRoute``s with ``include_in_schema`` are documented.
        webhooks: Operations the app sends (OpenAPI 3.1 ``webhooks``), keyed
            by route path (a name such as ``"new-subscription"``).
        tags: Top-level tag objects.
        servers: Server objects.
        separate_input_output_schemas: Name models differently for requests
            and responses (``Item-Input``/``Item-Output``) when their schemas differ.
        external_docs: The document's ``externalDocs`` object
            (``{"url": ..., "description": ...}``), or ``None``.

    Returns:
        The document as plain JSON-compatible data.
    """
    try:
        from zephyr.security.base import SecurityBase

        security_base: type | None = SecurityBase
    except ImportError:  # pragma: no cover - the security package is optional here
        security_base = None
    info: dict[str, Any] = {"title": title}
    if summary:
        info["summary"] = summary
    if description:
        info["description"] = description
    if terms_of_service:
        info["termsOfService"] = terms_of_service
    if contact:
        info["contact"] = contact
    if license_info:
        info["license"] = license_info
    info["version"] = version
    document: dict[str, Any] = {"openapi": openapi_version, "info": info}
    if servers:
        document["servers"] = servers
    collector = _Collector()
    schemes: dict[str, Any] = {}
    paths: dict[str, dict[str, Any]] = {}
    hooks: dict[str, dict[str, Any]] = {}
    for target, group, key in ((paths, routes, "path_format"), (hooks, webhooks or (), "path")):
        for route in group:
            if isinstance(route, APIRoute) and route.include_in_schema:
                item = _path_item(route, collector, schemes, security_base)
                target.setdefault(getattr(route, key), {}).update(item)
    definitions = collector.resolve(separate_input_output_schemas)
    if collector.needs_errors:
        definitions["ValidationError"] = VALIDATION_ERROR
        definitions["HTTPValidationError"] = HTTP_VALIDATION_ERROR
    document["paths"] = paths
    if hooks:
        document["webhooks"] = hooks
    components: dict[str, Any] = {}
    if definitions:
        components["schemas"] = dict(sorted(definitions.items()))
    if schemes:
        components["securitySchemes"] = schemes
    if components:
        document["components"] = components
    if tags:
        document["tags"] = tags
    if external_docs:
        document["externalDocs"] = external_docs
    return jsonable_encoder(document, by_alias=True, exclude_none=True)  # type: ignore[no-any-return]
