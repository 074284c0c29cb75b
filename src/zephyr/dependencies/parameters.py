"""One parameter of an endpoint or dependency: its marker, location and request key.

``Annotated[int, Field(alias="wire"), Query()]``, ``q: str = Query()`` and a
bare ``q: str`` all come down to one :class:`ParamField`: where the value is
read (path, query, header, cookie, body, form), under which key, with which
default and constraints. Parameters asking for the ``Request``, ``Response``,
``BackgroundTasks`` or ``SecurityScopes`` are special kinds instead. Called
by :mod:`zephyr.dependencies.analyze` when a route is compiled.
"""

from __future__ import annotations

import copy
import inspect
from typing import Annotated, Any, get_args, get_origin

import pydantic
from pydantic import AliasChoices
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from zephyr import params
from zephyr._annotated import annotated
from zephyr.api_exceptions import InvalidParameterError
from zephyr.background import BackgroundTasks
from zephyr.dependencies.models import Location, ParamField, SpecialKind
from zephyr.dependencies.shapes import (
    is_json,
    is_scalar,
    is_scalar_sequence,
    is_sequence,
    is_upload,
    strip_annotated,
    union_args,
)
from zephyr.requests import HTTPConnection
from zephyr.responses import Response

__all__ = ["param_field", "special_kind", "split_annotation"]


def split_annotation(annotation: Any) -> tuple[Any, Any]:
    """Split ``Annotated[T, ..., marker]`` into (type with other metadata, marker)."""
    if get_origin(annotation) is not Annotated:
        return annotation, None
    base, *metadata = get_args(annotation)
    markers = [m for m in metadata if isinstance(m, FieldInfo | params.Depends)]
    if not markers:
        return annotation, None
    marker = markers[-1]
    rest = [m for m in metadata if m is not marker]
    if isinstance(marker, FieldInfo):
        marker, rest = _take_aliases(marker, rest)
    if rest:
        base = annotated(base, *rest)
    return base, marker


def _take_aliases(marker: FieldInfo, rest: list[Any]) -> tuple[FieldInfo, list[Any]]:
    """Move the aliases of a ``Field()`` before the marker onto the marker.

    ``Annotated[int, Field(alias="wire"), Query()]`` reads ``wire``; the alias
    must not stay in the type's metadata, where it would rename the field of
    the generated validation model. A marker with aliases of its own, or an
    explicit ``alias=None`` (which clears the ``Field()``'s), keeps its own.
    """
    take = not (
        marker.alias is not None
        or marker.validation_alias is not None
        or getattr(marker, "given_aliases", None)
    )
    out: list[Any] = []
    for item in rest:
        if isinstance(item, FieldInfo) and (item.alias or item.validation_alias):
            if take:
                marker = copy.copy(marker)
                marker.alias = item.alias
                marker.validation_alias = item.validation_alias
            item = copy.copy(item)
            # Its own record: a shallow copy shares the dict with the Field(),
            # which another parameter may use as it is (aliases included).
            item._attributes_set = dict(item._attributes_set)
            for name in params._ALIAS_KEYS:
                setattr(item, name, None)
                item._attributes_set.pop(name, None)
            item._attributes_set.pop("alias_priority", None)
            item.alias_priority = None
        out.append(item)
    return marker, out


def special_kind(annotation: Any) -> SpecialKind | None:
    """The object an unmarked parameter asks for (``Request``, ``Response``...), or ``None``."""
    tp = strip_annotated(annotation)
    if not isinstance(tp, type):
        return None
    if issubclass(tp, HTTPConnection):
        return "request"
    if issubclass(tp, Response):
        return "response"
    if issubclass(tp, BackgroundTasks):
        return "background"
    # SecurityScopes lives in zephyr.security; recognised by name to avoid the import.
    if tp.__name__ == "SecurityScopes":
        return "security_scopes"
    return None


def _external_name(name: str, marker: FieldInfo) -> str:
    """The request key of a parameter: its validation alias, alias, or name.

    A validation alias with an ``AliasPath`` in it names no key of the
    request (FastAPI reads such a parameter under its alias or name).
    """
    if isinstance(marker.validation_alias, str):
        return marker.validation_alias
    choices = getattr(marker.validation_alias, "choices", None)  # AliasChoices: first name
    if choices and all(isinstance(choice, str) for choice in choices):
        return str(choices[0])
    if marker.alias:
        return marker.alias
    if isinstance(marker, params.Header) and marker.convert_underscores:
        return name.replace("_", "-")
    return name


def _path_key(name: str, marker: FieldInfo, path_names: set[str]) -> str:
    """The path parameter's key: its first alias choice in the route's path, else its name."""
    alias: Any = marker.validation_alias
    choices = alias.choices if isinstance(alias, AliasChoices) else [alias]
    if all(isinstance(choice, str) for choice in choices):
        # Choices name the route's path parameter (one router, several prefixes).
        for choice in choices:
            if choice in path_names:
                return str(choice)
    return marker.alias or name


def _inferred_marker(
    name: str,
    annotation: Any,
    default: Any,
    path_names: set[str],
    *,
    field: FieldInfo | None = None,
) -> params._Marker:
    """The marker of a parameter declared without one (or with a plain ``Field()``).

    A scalar is a query parameter; anything else, a list of scalars included,
    is the body (as FastAPI reads it: a list in the query needs ``Query()``).

    Args:
        field: The plain ``Field()`` whose settings the marker takes over.
    """
    kwargs: dict[str, Any] = {}
    if field is not None:
        kwargs = {
            key: value
            for key, value in field._attributes_set.items()
            if key in params._FIELD_KEYS or key in params._ALIAS_KEYS
        }
        kwargs.pop("default", None)
    marker: params._Marker
    if name in path_names:
        # A path always carries the value: required, whatever default the Field()
        # gives (FastAPI keeps an explicit ``Path(default_factory=...)`` optional).
        kwargs.pop("default_factory", None)
        marker = params.Path(**kwargs)
    elif is_upload(annotation):
        marker = params.File(default, **kwargs)
    elif is_scalar(annotation):
        marker = params.Query(default, **kwargs)
    else:
        marker = params.Body(default, **kwargs)
    if field is not None:
        marker.metadata = list(field.metadata)
    return marker


def _check_single_value_type(name: str, location: str, annotation: Any) -> None:
    """Refuse a type that no path segment (or query/header/cookie values) can carry.

    A path parameter is one string, so it must be a scalar; query, header and
    cookie parameters may also be lists of scalars (repeated keys).

    Raises:
        InvalidParameterError: For a model, a mapping, or a list of models.
    """
    if annotation is inspect.Parameter.empty or is_scalar(annotation):
        return
    members = union_args(strip_annotated(annotation)) or (strip_annotated(annotation),)
    if any(isinstance(m, type) and issubclass(m, pydantic.BaseModel) for m in members):
        return  # ``Model | None`` in the query: a parameter model, read field by field.
    if location != "path" and is_scalar_sequence(annotation):
        return
    allowed = "a scalar type" if location == "path" else "a scalar type or a list of scalars"
    raise InvalidParameterError(
        f"{location.capitalize()} parameter {name!r} must be one of the supported types: "
        f"{allowed}, not {annotation!r}"
    )


def param_field(
    name: str, annotation: Any, marker: FieldInfo | None, default: Any, path_names: set[str]
) -> ParamField:
    """Describe one request value of a signature: where it is read, under which key.

    Args:
        name: The parameter's name.
        annotation: Its type, the marker taken out (see :func:`split_annotation`).
        marker: Its ``Query()``/``Body()``/... or plain ``Field()``; ``None``
            to infer the location from the type.
        default: The default from the signature (``inspect.Parameter.empty``
            if none).
        path_names: The route template's parameter names.

    Returns:
        The parameter's field, not yet given a value slot.

    Raises:
        InvalidParameterError: A type no path segment or query value can carry.
    """
    if marker is None:
        marker = _inferred_marker(name, annotation, default, path_names)
    elif default is not inspect.Parameter.empty and not isinstance(marker, params.Path):
        # Copied: one marker object may be shared through an ``Annotated`` alias.
        marker = copy.copy(marker)
        marker.default = default
    default_value = marker.default
    if default_value is Ellipsis:
        default_value = PydanticUndefined
    if not isinstance(marker, params._Marker):
        # A plain ``pydantic.Field`` in ``Annotated``: located as if unmarked
        # (a list is a body here), keeping its aliases, factory and constraints.
        marker = _inferred_marker(name, annotation, default_value, path_names, field=marker)
    location: Location
    if isinstance(marker, params.Form):
        location = "form"
    elif isinstance(marker, params.Body):
        location = "body"
    elif isinstance(marker, params.Param):
        location = _PARAM_LOCATIONS[marker.in_]
    else:  # pragma: no cover - every marker is one of the above
        location = "query"
    models, nullable = _location_models(annotation, marker)
    model = models[0] if models else None
    external = _external_name(name, marker)
    if location == "path":
        external = _path_key(name, marker, path_names)
    if model is None and location in ("path", "query", "header", "cookie"):
        _check_single_value_type(name, location, annotation)
    return ParamField(
        name=name,
        location=location,
        external=external,
        annotation=Any if annotation is inspect.Parameter.empty else annotation,
        info=marker,
        default=default_value,
        is_sequence=model is None and location != "body" and is_sequence(annotation),
        is_file=model is None and (isinstance(marker, params.File) or is_upload(annotation)),
        model=model,
        models=models,
        nullable=nullable,
    )


_PARAM_LOCATIONS: dict[params.ParamTypes, Location] = {
    params.ParamTypes.path: "path",
    params.ParamTypes.query: "query",
    params.ParamTypes.header: "header",
    params.ParamTypes.cookie: "cookie",
}


def _location_models(annotation: Any, marker: FieldInfo) -> tuple[tuple[Any, ...], bool]:
    """The models of ``Annotated[Model, Query()]`` (or Header/Cookie/Form), and if ``None`` is ok.

    A union of models (``Person | Company | None``) reads every member's
    fields from the location; anything else is no model parameter: ``()``.
    """
    if (
        isinstance(marker, params.Path)
        or (isinstance(marker, params.Body) and not isinstance(marker, params.Form))
        or is_json(annotation)  # ``Json[Model]``: one value holding a JSON text
    ):
        return (), False
    tp = strip_annotated(annotation)
    members = union_args(tp)
    nullable = members is not None and len(members) < len(get_args(tp))
    found = tuple(strip_annotated(m) for m in (members if members is not None else (tp,)))
    if found and all(isinstance(m, type) and issubclass(m, pydantic.BaseModel) for m in found):
        return found, nullable
    return (), False
