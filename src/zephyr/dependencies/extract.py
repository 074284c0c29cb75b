"""Per-location extractors: read raw values, validate them all in one Pydantic call.

Each extractor is built once per route (a generated model whose fields are
named ``f0, f1...`` and aliased to the request keys, so parameter names never
clash with ``BaseModel`` attributes) and called once per request. Errors are
reshaped into FastAPI's ``{"type", "loc", "msg", "input", "ctx"?}`` with the
location first in ``loc``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import pydantic
from pydantic import AliasChoices, ConfigDict, Field, TypeAdapter, ValidationError
from pydantic_core import PydanticUndefined

from zephyr._annotated import annotated
from zephyr._body_limit import buffered_too_large
from zephyr._form_limits import FORM_LIMITS_KEY, FormLimits, merge_form_limits
from zephyr.datastructures import UploadFile
from zephyr.dependencies.dictschema import dict_validator
from zephyr.dependencies.form_unions import union_annotation
from zephyr.dependencies.models import LOCATION_RANK, ParamField
from zephyr.dependencies.param_models import (
    fix_model_errors,
    is_unselected_file,
    model_key,
    model_readers,
    read_fields,
)
from zephyr.exceptions import HTTPException
from zephyr.requests import ClientDisconnect, Request

__all__ = [
    "BodyExtractor",
    "ErrorList",
    "FormExtractor",
    "LocationExtractor",
    "is_json_media",
    "own_form_keys",
]

# (owner, location rank, error dict): sorted into FastAPI's order on the error path.
ErrorList = list[tuple[int, int, dict[str, Any]]]

_BODY_RANK = LOCATION_RANK["body"]

_CONFIG = ConfigDict(arbitrary_types_allowed=True)
_ALIAS_KEYS = ("alias", "validation_alias", "serialization_alias", "alias_priority")


def _field(param: ParamField, key: str | None = None) -> tuple[Any, Any]:
    """The generated model's field of ``param``: its type and ``Field`` (aliased to ``key``)."""
    kwargs = {
        k: v
        for k, v in param.info.field_kwargs.items()  # type: ignore[attr-defined]
        if k not in _ALIAS_KEYS
    }
    default = param.default
    if "default_factory" in kwargs or default is Ellipsis:
        default = PydanticUndefined
    if key is not None:
        info = Field(default, alias=key, **kwargs)
    elif len(param.keys) > 1:
        info = Field(default, validation_alias=AliasChoices(*param.keys), **kwargs)
    else:
        info = Field(default, alias=param.external, **kwargs)
    # Constraints of a plain ``Field(gt=0)`` marker live in its metadata, not its kwargs.
    extra = [m for m in param.info.metadata if m not in info.metadata]
    annotation = param.annotation
    if param.location == "form" and len(param.models) > 1:
        annotation = union_annotation(annotation)
    if extra:
        annotation = annotated(annotation, *extra)
    return annotation, info


def field_names(params: Sequence[ParamField]) -> dict[str, str]:
    """``{generated field name: request key}`` of a location's model (see :func:`build_model`)."""
    return {f"f{i}": p.external for i, p in enumerate(params) if p.model is None}


def build_model(
    name: str, params: Sequence[ParamField], own_keys: dict[int, str] | None = None
) -> type[pydantic.BaseModel]:
    """Generate the validation model of one location (fields ``f<i>`` aliased to keys).

    A parameter typed as a whole model (``Annotated[Filters, Query()]``) is a
    field keyed ``model_key(i)`` holding that model: the location is still
    validated in one call.

    Args:
        name: The model's name.
        params: The location's parameters.
        own_keys: ``{parameter index: data key}`` for parameters read under a
            key of their own rather than their request keys (see
            :func:`own_form_keys`).
    """
    fields: dict[str, Any] = {}
    for i, param in enumerate(params):
        key = model_key(i) if param.model is not None else (own_keys or {}).get(i)
        annotation, info = _field(param, key)
        fields[f"f{i}"] = (annotation, info)
    return pydantic.create_model(name, __config__=_CONFIG, **fields)


def convert_errors(
    exc: ValidationError,
    prefix: str,
    owners: dict[Any, int],
    default_owner: int,
    *,
    missing_input_none: bool = True,
    root_key: bool = True,
    names: dict[str, str] | None = None,
) -> ErrorList:
    """Reshape Pydantic errors: prefix ``loc``; top-level ``missing`` inputs become ``None``.

    Args:
        exc: The Pydantic error.
        prefix: The location (``"query"``, ``"body"``...), first in ``loc``.
        owners: ``{first loc item: owner index}`` to order errors like FastAPI.
        default_owner: Owner for errors whose first item isn't in ``owners``.
        missing_input_none: FastAPI validates each value alone, so a missing
            one reports ``input: None`` rather than the whole mapping.
        root_key: Whether ``loc[0]`` names a field (``False`` for a whole body).
        names: ``{generated field name: request key}``: a default that fails
            validation (``validate_default``) is reported under the field's
            name, which the request knows by its key.
    """
    rank = LOCATION_RANK.get(prefix, _BODY_RANK)
    out: ErrorList = []
    for error in exc.errors(include_url=False):
        loc = error["loc"]
        if names and loc and root_key and loc[0] in names:
            loc = (names[str(loc[0])], *loc[1:])
        converted: dict[str, Any] = {
            "type": error["type"],
            "loc": (prefix, *loc),
            "msg": error["msg"],
            "input": error["input"],
        }
        if missing_input_none and error["type"] == "missing" and len(loc) == 1 and root_key:
            converted["input"] = None
        if "ctx" in error:
            converted["ctx"] = error["ctx"]
        owner = owners.get(loc[0], default_owner) if (loc and root_key) else default_owner
        out.append((owner, rank, converted))
    return out


class LocationExtractor:
    """Validate every path, query, header or cookie parameter of a route at once.

    Args:
        location: ``"path"``, ``"query"``, ``"header"`` or ``"cookie"``.
        params: The route's parameters in that location.
    """

    def __init__(self, location: str, params: Sequence[ParamField]) -> None:
        self.location = location
        self.params = list(params)
        model = build_model(f"{location.title()}Params", self.params)
        self.model = model
        self.validator = model.__pydantic_validator__
        # PERF: the happy path validates into a dict (~0.25 µs less than a
        # model instance); errors still come from the model's validator.
        self.fast = dict_validator(model)
        self.names = field_names(self.params)
        self.lookups = tuple((key, p.is_sequence) for p in self.params for key in p.keys)
        self.slots = tuple((f"f{i}", p.slot) for i, p in enumerate(self.params))
        self.has_sequences = any(p.is_sequence for p in self.params)
        self._singles: list[LocationExtractor] | None = None  # Built on the first error.
        self.owners: dict[Any, int] = {}
        for p in reversed(self.params):
            self.owners[p.external] = p.owner
        self.models = model_readers(self.params, self.owners)
        if self.models:
            self.lookups = tuple(
                (p.external, p.is_sequence) for p in self.params if p.model is None
            )
            self.has_sequences = True
        self.fields = tuple((key, key, sequence) for key, sequence in self.lookups)

    def extract(self, source: Any, values: list[Any]) -> ErrorList | None:
        """Validate the values found in ``source`` and store them in ``values``.

        Args:
            source: A mapping with ``get`` (and ``getlist`` when there are
                list parameters): path params, query params, headers, cookies.
            values: The per-request value list, written at each field's slot.

        Returns:
            ``None`` on success, else the errors.
        """
        if self.has_sequences:
            data = read_fields(source, self.fields)
        else:
            data = {}
            get = source.get
            # PERF: the common all-scalar case is one dict lookup per parameter.
            for key, _ in self.lookups:
                value = get(key)
                if value is not None:
                    data[key] = value
        if self.models:
            for key, model in self.models.items():
                found = model.gather(source)
                if found is not None:
                    data[key] = found
        fast = self.fast
        if fast is not None:
            try:
                validated = fast.validate_python(data)
            except ValidationError:
                pass  # Re-validated below for the model's exact errors.
            else:
                for name, slot in self.slots:
                    values[slot] = validated[name]
                return None
        try:
            validated = self.validator.validate_python(data).__dict__
        except ValidationError as exc:
            if len(self.params) > 1:
                return self._extract_each(source, values)
            errors = convert_errors(
                exc, self.location, self.owners, self.params[0].owner, names=self.names
            )
            fix_model_errors(self.models, errors, source)
            return errors
        for name, slot in self.slots:
            values[slot] = validated[name]
        return None

    def _extract_each(self, source: Any, values: list[Any]) -> ErrorList | None:
        """Validate parameter by parameter (error path only).

        One failing field fails the whole one-call validation, but FastAPI
        validates each parameter alone: the valid ones still get their values
        (so dependencies whose inputs are fine still run, as in FastAPI), and
        each error belongs to the dependant that declared the parameter even
        when two of them read the same name.
        """
        singles = self._singles
        if singles is None:
            singles = self._singles = [LocationExtractor(self.location, [p]) for p in self.params]
        errors: ErrorList = []
        for single in singles:
            found = single.extract(source, values)
            if found:
                errors.extend(found)
        return errors or None


def is_json_media(content_type: str | None) -> bool:
    """Whether a ``Content-Type`` is ``application/json`` or ``application/*+json``."""
    if not content_type:
        return False
    media = content_type.partition(";")[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


BODY_PARSE_ERROR = "There was an error parsing the body"
"""FastAPI's 400 detail for a body that cannot be read as text at all."""


def _parse_json(body: bytes) -> Any:
    """``json.loads`` the body, as FastAPI does on its error path.

    Raises:
        json.JSONDecodeError: Text that is not JSON (a 422 ``json_invalid``).
        HTTPException: 400 for any other failure to parse it: bytes that are
            not UTF-8/16/32 text, nesting too deep to parse (FastAPI's answer).
    """
    try:
        return json.loads(body)
    except json.JSONDecodeError:
        raise
    except Exception:
        # A body the client sent must not become a 500, whatever the parser raised.
        raise HTTPException(400, BODY_PARSE_ERROR) from None


def _undecodable(exc: ValidationError) -> bool:
    """Whether validation failed because raw body bytes are not UTF-8 text."""
    return any(error["type"] == "string_unicode" for error in exc.errors())


def _json_error(exc: json.JSONDecodeError) -> dict[str, Any]:
    return {
        "type": "json_invalid",
        "loc": ("body", exc.pos),
        "msg": "JSON decode error",
        "input": {},
        "ctx": {"error": exc.msg},
    }


def _missing(loc: tuple[Any, ...]) -> dict[str, Any]:
    return {"type": "missing", "loc": loc, "msg": "Field required", "input": None}


class BodyExtractor:
    """Validate the JSON body of a route, straight from bytes on the happy path.

    A single body parameter is the whole body unless ``Body(embed=True)``;
    several are embedded as ``{"<name>": value, ...}``.

    Args:
        params: The route's body parameters.
        embed: Whether values are embedded by name.
        strict_content_type: Whether a body without ``Content-Type`` is not
            JSON (default True, FastAPI's CSRF guard); from the route's option.
        buffered_limit: Most body bytes when no ``max_body_size`` applies
            (see ``DEFAULT_BUFFERED_BODY_SIZE``); ``None``: no cap here.
    """

    def __init__(
        self,
        params: Sequence[ParamField],
        embed: bool,
        *,
        strict_content_type: bool = True,
        buffered_limit: int | None = None,
    ) -> None:
        self.params = list(params)
        self.buffered_limit = buffered_limit
        self.embed = embed
        self.strict_content_type = strict_content_type
        self.owners = {p.external: p.owner for p in reversed(self.params)}
        self.first_owner = self.params[0].owner
        self.names = field_names(self.params)
        if embed:
            model = build_model("Body", self.params)
            self.validator: Any = model.__pydantic_validator__
            self.slots = tuple((f"f{i}", p.slot) for i, p in enumerate(self.params))
        else:
            param = self.params[0]
            annotation, info = _field(param)
            if info.metadata:
                annotation = annotated(annotation, *info.metadata)
            self.adapter: TypeAdapter[Any] = TypeAdapter(annotation)
            self.validator = self.adapter.validator
            self.required = param.required
            self.default_factory: Callable[[], Any] | None = param.info.field_kwargs.get(  # type: ignore[attr-defined]
                "default_factory"
            )
            self.default = param.default
            # ``validate_default=True``: the default goes through validation too.
            self.validate_default = bool(param.info.field_kwargs.get("validate_default"))  # type: ignore[attr-defined]
            self.slot = param.slot

    async def extract(self, request: Request, values: list[Any]) -> ErrorList | None:
        """Read the body, validate it and store the values.

        Returns:
            ``None`` on success, else the errors.
        """
        try:
            body = await request.body()
        except (HTTPException, ClientDisconnect):
            raise  # a body limit's 413, or nobody left to answer
        except Exception:
            # Anything else going wrong while reading is FastAPI's 400.
            raise HTTPException(400, BODY_PARSE_ERROR) from None
        limit = self.buffered_limit
        if limit is not None and len(body) > limit:
            raise buffered_too_large(limit)
        content_type = request.headers.get("content-type")
        if content_type is None:
            # A body without a Content-Type is JSON only where the route says so
            # (``strict_content_type=False``): see the app's option.
            is_json = bool(body) and not self.strict_content_type
        else:
            is_json = bool(body) and is_json_media(content_type)
        if self.embed:
            return self._embedded(body, is_json, values)
        if not body:
            if self.required:
                return [(self.first_owner, _BODY_RANK, _missing(("body",)))]
            factory = self.default_factory
            value = factory() if factory is not None else self.default
            if self.validate_default:
                try:
                    value = self.validator.validate_python(value)
                except ValidationError as exc:
                    return convert_errors(exc, "body", {}, self.first_owner, root_key=False)
            values[self.slot] = value
            return None
        try:
            if is_json:
                # PERF: validated from bytes in Rust: no json.loads, no dict walk.
                values[self.slot] = self.validator.validate_json(body)
            else:
                values[self.slot] = self.validator.validate_python(body, from_attributes=True)
            return None
        except ValidationError:
            pass
        # Error path: re-run the way FastAPI does (parse, then validate the
        # Python value) so messages, types and inputs come out identical.
        data: Any = body
        if is_json:
            try:
                data = _parse_json(body)
            except json.JSONDecodeError as exc:
                return [(self.first_owner, _BODY_RANK, _json_error(exc))]
        try:
            values[self.slot] = self.validator.validate_python(data, from_attributes=True)
            return None
        except ValidationError as exc:
            if not is_json and _undecodable(exc):
                # A non-JSON body declared as text that is no UTF-8: the 422 body
                # could not echo it (FastAPI answers 500 there), so it is a 400.
                raise HTTPException(400, BODY_PARSE_ERROR) from None
            return convert_errors(exc, "body", {}, self.first_owner, root_key=False)

    def _embedded(self, body: bytes, is_json: bool, values: list[Any]) -> ErrorList | None:
        if is_json:
            try:
                validated = self.validator.validate_json(body).__dict__
                self._store(validated, values)
                return None
            except ValidationError:
                pass
            try:
                data = _parse_json(body)
            except json.JSONDecodeError as exc:
                return [(self.first_owner, _BODY_RANK, _json_error(exc))]
            if not isinstance(data, dict):
                # JSON that is no object (``null``, a list) holds none of the
                # fields: each one is missing, defaults or not (FastAPI's answer).
                return [(p.owner, _BODY_RANK, _missing(("body", p.external))) for p in self.params]
        else:
            data = {}
        try:
            validated = self.validator.validate_python(data, from_attributes=True).__dict__
        except ValidationError as exc:
            return convert_errors(exc, "body", self.owners, self.first_owner, names=self.names)
        self._store(validated, values)
        return None

    def _store(self, validated: dict[str, Any], values: list[Any]) -> None:
        for name, slot in self.slots:
            values[slot] = validated[name]


class FormExtractor:
    """Validate form fields and uploaded files (``request.form()``) in one call.

    Args:
        params: The route's ``Form()``/``File()`` parameters.
        limits: The route's form limits; keys it leaves unset come from the
            app it is mounted in (``scope[FORM_LIMITS_KEY]``), then from
            ``Request.form``'s defaults.
    """

    def __init__(self, params: Sequence[ParamField], limits: FormLimits | None = None) -> None:
        self.params = list(params)
        self.limits: FormLimits = limits.copy() if limits else {}
        # All three keys set: the request needs no look at inherited limits.
        self.complete_limits = len(self.limits) == 3
        own = own_form_keys(self.params)
        model = build_model("Form", self.params, own)
        self.validator = model.__pydantic_validator__
        self.names = field_names(self.params)
        self.owners = {p.external: p.owner for p in reversed(self.params)}
        self.slots = tuple((f"f{i}", p.slot) for i, p in enumerate(self.params))
        # (own data key or None, keys in priority order, is a list, is a file,
        # read the file into bytes)
        self.lookups = tuple(
            (own.get(i), p.keys, p.is_sequence, p.is_file, _reads_bytes(p))
            for i, p in enumerate(self.params)
            if p.model is None
        )
        # Errors under an own key are reported under the request key read.
        self.own_keys = own
        self.own_params = {key: self.params[i] for i, key in own.items()}
        # (owner, slot, validator of one parameter): built on the first error.
        self._singles: list[tuple[int, int, Any]] | None = None
        for key, param in self.own_params.items():
            self.owners[key] = param.owner
        self.models = model_readers(self.params, self.owners)

    async def extract(self, request: Request, values: list[Any]) -> ErrorList | None:
        """Parse the form, validate it and store the values.

        Returns:
            ``None`` on success, else the errors.
        """
        limits = self.limits
        if not self.complete_limits:
            inherited = request.scope.get(FORM_LIMITS_KEY)
            if inherited:
                limits = merge_form_limits(limits, inherited)
        form = await request.form(**limits)
        data: dict[str, Any] = {}
        for own, keys, sequence, is_file, read in self.lookups:
            for key in keys:  # The first key with a value wins (alias choices).
                if sequence:
                    items = form.getlist(key)
                    if is_file:  # A file input with no file chosen is no file.
                        items = [item for item in items if not is_unselected_file(item)]
                    if not items:
                        continue
                    data[own or key] = [await _read(item) for item in items] if read else items
                    break
                value = form.get(key)
                # An empty text field counts as absent, like a missing one.
                if value is None or value == "" or is_unselected_file(value):
                    continue
                data[own or key] = await _read(value) if read else value
                break
        for key, model in self.models.items():
            found = model.gather(form)
            if found is not None:
                data[key] = found
        try:
            validated = self.validator.validate_python(data).__dict__
        except ValidationError as exc:
            errors = convert_errors(
                exc, "body", self.owners, self.params[0].owner, names=self.names
            )
            fix_model_errors(self.models, errors, form)
            if self.own_params:
                self._fix_own_errors(errors, form)
            if len(self.params) > 1:
                self._store_valid(data, values, {owner for owner, _, _ in errors})
            return errors
        for name, slot in self.slots:
            values[slot] = validated[name]
        return None

    def _store_valid(self, data: dict[str, Any], values: list[Any], failed: set[int]) -> None:
        """Store the values of the dependants whose inputs had no error (error path only).

        FastAPI validates each parameter alone, so a dependency whose own form
        inputs are fine still runs (and sees its values) when another's fail.

        Args:
            data: The input of the failed validation.
            values: The per-request value list.
            failed: The owners with an error (their parameters are not re-run,
                so their default factories are not called twice).
        """
        singles = self._singles
        if singles is None:
            singles = self._singles = []
            for i, param in enumerate(self.params):
                key = model_key(i) if param.model is not None else self.own_keys.get(i)
                model = pydantic.create_model("Form", __config__=_CONFIG, f0=_field(param, key))
                singles.append((param.owner, param.slot, model.__pydantic_validator__))
        for owner, slot, validator in singles:
            if owner in failed:
                continue
            try:
                values[slot] = validator.validate_python(data).__dict__["f0"]
            except ValidationError:
                pass

    def _fix_own_errors(self, errors: ErrorList, form: Any) -> None:
        """Name the request key a parameter read under an own key came from (error path)."""
        for _, _, error in errors:
            prefix, *rest = error["loc"]
            param = self.own_params.get(rest[0]) if rest else None
            if param is not None:
                found = (k for k in param.keys if form.get(k) not in (None, ""))
                error["loc"] = (prefix, next(found, param.external), *rest[1:])


def own_form_keys(params: Sequence[ParamField]) -> dict[int, str]:
    """Give a data key of its own to each form parameter sharing a key with another shape.

    Two parameters may read one form key (an alias, an alias choice) as
    different things: a list and a single value, an ``UploadFile`` and its
    bytes. Keyed by the request key, their values would overwrite each other,
    so such parameters are validated under keys no request can send.

    Returns:
        ``{parameter index: data key}`` (empty in the usual case).
    """
    shapes: dict[str, set[tuple[bool, bool]]] = {}
    for param in params:
        if param.model is None:
            for key in param.keys:
                shapes.setdefault(key, set()).add((param.is_sequence, _reads_bytes(param)))
    return {
        i: f"\x00field{i}"
        for i, param in enumerate(params)
        if param.model is None and any(len(shapes[key]) > 1 for key in param.keys)
    }


def _reads_bytes(param: ParamField) -> bool:
    """Whether a form parameter is a file read into ``bytes`` (not an ``UploadFile``)."""
    return param.is_file and _wants_bytes(param.annotation)


async def _read(value: Any) -> Any:
    if isinstance(value, UploadFile):
        content = await value.read()
        # Rewound: another parameter may take the same upload as an ``UploadFile``.
        await value.seek(0)
        return content
    return value


def _wants_bytes(annotation: Any) -> bool:
    text = repr(annotation)
    return annotation is bytes or "bytes" in text
