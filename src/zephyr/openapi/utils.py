"""``get_openapi``: the OpenAPI 3.1 document of an app's ``APIRoute``s.

The layout follows FastAPI's documents (operation ids, ``Body_<operation id>``
schemas, ``HTTPValidationError``), so clients and tools see the same thing.
All JSON Schemas come from one Pydantic ``generate_definitions`` call
(``_schemas``), so shared models land once in ``components.schemas``; the
responses of an operation are built by ``_responses``, what documents a
parameter by ``_param_docs``, and declared fragments merge in by ``_merge``.
"""

from __future__ import annotations

import copy
import warnings
from collections import Counter
from collections.abc import Sequence
from typing import Annotated, Any, get_args, get_origin

import pydantic
from pydantic import AliasChoices, Field, WithJsonSchema
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from zephyr._api.route import APIRoute
from zephyr.dependencies.models import Dependant, ParamField
from zephyr.dependencies.param_models import field_lookups
from zephyr.dependencies.shapes import is_upload
from zephyr.dependencies.tree import flat_params
from zephyr.encoders import jsonable_encoder
from zephyr.openapi._form_models import (
    FormModelEntry,
    SharedKeyEntry,
    documents_as_model,
    model_type,
)
from zephyr.openapi._merge import deep_update
from zephyr.openapi._param_docs import DOC_KEYS, documented
from zephyr.openapi._responses import HTTP_VALIDATION_ERROR, VALIDATION_ERROR, responses
from zephyr.openapi._schemas import SchemaCollector as _Collector
from zephyr.openapi._schemas import field_title as _title
from zephyr.routing import BaseRoute

__all__ = ["get_openapi"]

_METHODS_WITH_BODY = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"}
_FILE_SCHEMA = WithJsonSchema({"type": "string", "contentMediaType": "application/octet-stream"})

_LOCATION_ORDER = {"path": 0, "query": 1, "header": 2, "cookie": 3}


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


# Options of a model field that change nothing in its schema: the document names
# parameters itself, and Pydantic warns that they do nothing outside a model.
_NOT_DOCUMENTED = frozenset(
    {
        "alias",
        "validation_alias",
        "serialization_alias",
        "alias_priority",
        "validate_default",
        "exclude",
        "repr",
        "frozen",
        "init",
        "init_var",
        "kw_only",
    }
)


def _field_type(param: ParamField, title: str | None) -> Any:
    """The annotation and ``Field`` documenting ``param`` (``title=None``: Pydantic's own)."""
    annotation, doc = documented(param)
    kwargs = {
        k: v
        for k, v in param.info.field_kwargs.items()  # type: ignore[attr-defined]
        if k not in DOC_KEYS and k not in _NOT_DOCUMENTED
    }
    kwargs.update((k, v) for k, v in doc.items() if k != "deprecated" and v is not None)
    if not doc.get("title") and title:
        kwargs["title"] = title
    extra = kwargs.get("json_schema_extra")
    if doc.get("deprecated") and (extra is None or isinstance(extra, dict)):
        # Schema metadata: Pydantic ignores (and warns about) ``deprecated`` outside a model.
        kwargs["json_schema_extra"] = {**(extra or {}), "deprecated": True}
    if param.is_file:
        annotation = _file_type(annotation)
    return annotation, Field(param.default, **kwargs)


def _security(node: Dependant, base: type | None) -> list[tuple[Any, list[str]]]:
    out: list[tuple[Any, list[str]]] = []
    for sub in node.dependencies:
        if base is not None and isinstance(sub.call, base):
            out.append((sub.call, sub.security_scopes))
        out.extend(_security(sub, base))
    return out


def _parameters(route: APIRoute, collector: _Collector) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    seen: dict[tuple[str, str], int] = {}  # (name, location): index in ``out``
    ordered = sorted(flat_params(route.dependant), key=lambda p: _LOCATION_ORDER.get(p.location, 9))
    for param in ordered:
        if param.location in ("body", "form") or not param.info.include_in_schema:  # type: ignore[attr-defined]
            continue
        entries = _model_parameters(param) if param.model is not None else [_parameter(param)]
        for entry, tp in entries:
            index = seen.get((entry["name"], param.location))
            if index is not None:
                # One key read by several parameters: the first documents it,
                # unless a later one requires it (then that one does, in its place).
                if out[index]["required"] or not entry["required"]:
                    continue
                out[index] = entry
            else:
                seen[(entry["name"], param.location)] = len(out)
                out.append(entry)
            collector.add(entry, "schema", tp, "validation")
    return out


def _parameter(param: ParamField) -> tuple[dict[str, Any], Any]:
    entry: dict[str, Any] = {
        "name": param.external,
        "in": param.location,
        "required": param.required,
    }
    annotation, info = _field_type(param, _title(param.external))
    doc = documented(param)[1]
    if not doc.get("title"):
        entry["_auto_title"] = info.title
    if doc.get("description"):
        entry["description"] = doc["description"]
    _add_examples(entry, param)
    if doc.get("deprecated"):
        entry["deprecated"] = True
    return entry, Annotated[annotation, info]


def _add_examples(target: dict[str, Any], param: ParamField) -> None:
    """Add a parameter's or body's ``openapi_examples``, else its deprecated ``example``."""
    openapi_examples = getattr(param.info, "openapi_examples", None)
    example = getattr(param.info, "example", PydanticUndefined)
    if openapi_examples:
        target["examples"] = jsonable_encoder(openapi_examples)
    elif example is not PydanticUndefined:
        target["example"] = jsonable_encoder(example)


def _model_parameters(param: ParamField) -> list[tuple[dict[str, Any], Any]]:
    """One parameter per field of a ``Annotated[Model, Query()]``-style parameter."""
    convert = param.location == "header" and getattr(param.info, "convert_underscores", False)
    # A default or a union: no single field must be sent. A required ``Model | None``
    # still answers 422 when none of it is sent: its required fields stay required.
    optional = not param.required or len(param.models) > 1
    out: list[tuple[dict[str, Any], Any]] = []
    fields = [(m, name, f) for m in param.models for name, f in m.model_fields.items()]
    for model, name, field in fields:
        given = field.validation_alias if isinstance(field.validation_alias, str) else field.alias
        if not model.model_config.get("validate_by_alias", True):
            given = None  # Read by its name only: titled by it too.
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
            info.title = _title(_first_choice(field) or given or name)
            entry["_auto_title"] = info.title
        if field.description:
            entry["description"] = field.description
        if field.deprecated:
            entry["deprecated"] = True
        out.append((entry, Annotated[field.annotation, info]))
    return out


def _first_choice(field: FieldInfo) -> str | None:
    """The first key of a field's ``AliasChoices`` (its documented name), if it has one."""
    alias = field.validation_alias
    if isinstance(alias, AliasChoices) and isinstance(alias.choices[0], str):
        return alias.choices[0]
    return None


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
        if not documented(param)[1].get("title"):
            content["_auto_title"] = info.title
        collector.add(content, "schema", Annotated[annotation, info], "validation")
        _add_examples(content, param)
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
    # A key the plan reads once sits where it first appears; several form fields
    # reading one key each sit where they appear (the plan's fields are copies of
    # the tree's, with the same marker objects).
    position: dict[tuple[int, str, str], int] = {}
    for i, p in enumerate(flat):
        position.setdefault((id(p.info), p.name, p.external), i)
    counts = Counter((p.location, p.external) for p in params)

    def rank(p: ParamField) -> int:
        first = order.get((p.location, p.external), len(order))
        if counts[(p.location, p.external)] == 1:
            return first
        return position.get((id(p.info), p.name, p.external), first)

    params = sorted(params, key=rank)
    has_models = any(p.models and p.location == "form" for p in params)
    entries: list[FormModelEntry | SharedKeyEntry] = []
    fields: dict[str, Any] = {}
    for p in params:
        if p.models and p.location == "form":
            entries.append(FormModelEntry(p, p.info.title or _title(p.external)))
        elif has_models and p.external in fields:
            # Beside form models, a later field under a documented key is an
            # ``allOf`` entry of its own (without them, the last one is the property).
            annotation, info = _field_type(p, None)
            title = p.info.title or _title(p.name)
            entries.append(SharedKeyEntry(p.external, Annotated[annotation, info], title))
        else:
            fields[p.external] = _field_type(p, None)
    model = pydantic.create_model(
        f"Body_{route.unique_id}",
        __config__=pydantic.ConfigDict(arbitrary_types_allowed=True),
        **fields,
    )
    collector.add(content, "schema", model, "validation")
    if not entries:
        return
    for entry in entries:
        collector.add(entry.box, "schema", entry.annotation, "validation")

    def attach(definitions: dict[str, Any]) -> None:
        name = content["schema"]["$ref"].rsplit("/", 1)[-1]
        definitions[name]["allOf"] = [
            item for entry in entries for item in entry.entries(definitions)
        ]

    collector.after.append(attach)


class _Operations:
    """Builds the operations of one document, which share its schemas and security schemes.

    Attributes:
        collector: The document's JSON Schemas, resolved once all operations are built.
        schemes: The security schemes used, by name (``components.securitySchemes``).
    """

    def __init__(self, security_base: type | None) -> None:
        self.collector = _Collector()
        self.schemes: dict[str, Any] = {}
        self._security_base = security_base
        self._operation_ids: set[str] = set()

    def path_item(self, route: APIRoute) -> dict[str, Any]:
        """The operations of ``route``, one per method (``{"get": {...}}``)."""
        # Documented from the route's tree as it stands (code may have edited it).
        route.sync_plan()
        return {method.lower(): self._operation(route, method) for method in route.methods or ()}

    def _operation(self, route: APIRoute, method: str) -> dict[str, Any]:
        collector = self.collector
        operation: dict[str, Any] = {}
        if route.tags:
            operation["tags"] = [getattr(t, "value", t) for t in route.tags]
        operation["summary"] = route.summary or _title(route.name)
        if route.description:
            operation["description"] = route.description
        operation["operationId"] = self._operation_id(route)
        if route.deprecated:
            operation["deprecated"] = True
        parameters = _parameters(route, collector)
        if parameters:
            operation["parameters"] = parameters
        body = _request_body(route, collector) if method in _METHODS_WITH_BODY else None
        if body is not None:
            operation["requestBody"] = body
        has_inputs = bool(flat_params(route.dependant))
        operation["responses"] = responses(route, collector, has_inputs)
        security = self._requirements(route)
        if security:
            operation["security"] = security
        if route.callbacks:
            operation["callbacks"] = self._callbacks(route.callbacks)
        if route.openapi_extra:
            deep_update(operation, route.openapi_extra)
        return operation

    def _operation_id(self, route: APIRoute) -> str:
        """The route's operation id; warns when an earlier operation has it too.

        Clients generated from the document name a method per operation id, so
        a duplicate loses one of them (a route with two methods and the default
        ids, or a ``generate_unique_id_function`` that is not unique).
        """
        operation_id = route.unique_id if route.operation_id is None else route.operation_id
        if operation_id in self._operation_ids:
            code = getattr(route.endpoint, "__code__", None)
            where = f" at {code.co_filename}" if code is not None else ""
            name = getattr(route.endpoint, "__name__", repr(route.endpoint))
            warnings.warn(
                f"Duplicate Operation ID {operation_id} for function {name}{where}",
                UserWarning,
                stacklevel=2,
            )
        self._operation_ids.add(operation_id)
        return operation_id

    def _requirements(self, route: APIRoute) -> list[dict[str, list[str]]]:
        # One requirement per scheme, in first-use order, with every scope asked for.
        requirements: dict[str, list[str]] = {}
        for scheme, scopes in _security(route.dependant, self._security_base):
            self.schemes[scheme.scheme_name] = jsonable_encoder(
                scheme.model, by_alias=True, exclude_none=True
            )
            merged = requirements.setdefault(scheme.scheme_name, [])
            merged.extend(scope for scope in scopes if scope not in merged)
        return [{name: scopes} for name, scopes in requirements.items()]

    def _callbacks(self, routes: Sequence[BaseRoute]) -> dict[str, Any]:
        """OpenAPI callback objects: ``{route name: {URL expression: path item}}``."""
        callbacks: dict[str, Any] = {}
        for route in routes:
            if isinstance(route, APIRoute):
                items = callbacks.setdefault(route.name, {})
                items[route.path] = self.path_item(route)
        return callbacks


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
    operations = _Operations(security_base)
    paths: dict[str, dict[str, Any]] = {}
    hooks: dict[str, dict[str, Any]] = {}
    for target, group, key in ((paths, routes, "path_format"), (hooks, webhooks or (), "path")):
        for route in group:
            if isinstance(route, APIRoute) and route.include_in_schema:
                item = operations.path_item(route)
                target.setdefault(getattr(route, key), {}).update(item)
    definitions = operations.collector.resolve(separate_input_output_schemas)
    if operations.collector.needs_errors:
        definitions["ValidationError"] = VALIDATION_ERROR
        definitions["HTTPValidationError"] = HTTP_VALIDATION_ERROR
    document["paths"] = paths
    if hooks:
        document["webhooks"] = hooks
    components: dict[str, Any] = {}
    if definitions:
        components["schemas"] = dict(sorted(definitions.items()))
    if operations.schemes:
        components["securitySchemes"] = operations.schemes
    if components:
        document["components"] = components
    if tags:
        document["tags"] = tags
    if external_docs:
        document["externalDocs"] = external_docs
    return jsonable_encoder(document, by_alias=True, exclude_none=True)  # type: ignore[no-any-return]
