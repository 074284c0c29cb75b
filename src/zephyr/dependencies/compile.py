"""Compile an endpoint into a :class:`~zephyr.dependencies.models.Plan`, once per route.

All signature inspection happens here: which parameters come from where,
which callables are dependencies and how to call them, which results are
shared (``use_cache``). The request path (``solve.py``) only walks the result.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from enum import Enum
from typing import Annotated, Any, Union, get_args, get_origin

import pydantic
from pydantic import AliasChoices
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from zephyr import params
from zephyr._annotated import annotated
from zephyr._form_limits import FormLimits
from zephyr.api_exceptions import DependencyScopeError, InvalidParameterError
from zephyr.background import BackgroundTasks
from zephyr.datastructures import UploadFile
from zephyr.dependencies._declarations import alias_value, check_exit_scopes, check_unambiguous
from zephyr.dependencies._signature import get_typed_parameters, get_typed_signature
from zephyr.dependencies.extract import BodyExtractor, FormExtractor, LocationExtractor
from zephyr.dependencies.inputs import PathQueryExtractor
from zephyr.dependencies.live_overrides import compile_watching_runner, watched_steps
from zephyr.dependencies.models import (
    CallKind,
    Dependant,
    ExitScope,
    Location,
    ParamField,
    Plan,
    SpecialKind,
    Step,
)
from zephyr.dependencies.solve import Runner, compile_runner
from zephyr.requests import HTTPConnection
from zephyr.responses import Response

__all__ = [
    "analyze",
    "analyze_dependency",
    "analyze_endpoint",
    "build_plan",
    "compile_endpoint",
    "get_typed_signature",
    "lifespan_key",
]

_SEQUENCE_ORIGINS: tuple[Any, ...] = (list, set, tuple, frozenset, Sequence)
_UNION_TYPES: tuple[Any, ...] = (Union,)
try:  # ``X | Y`` unions have their own origin.
    import types as _types

    _UNION_TYPES = (Union, _types.UnionType)
except AttributeError:  # pragma: no cover
    pass


def _callable_code(call: Any) -> Any:
    """What actually runs for ``call``: partials unwrapped, callable instances' ``__call__``."""
    while isinstance(call, functools.partial):
        call = call.func
    if not (inspect.isroutine(call) or inspect.isclass(call)):
        call = getattr(call, "__call__", call)  # noqa: B004 - callable instances
    return call


def _own_kind(code: Any) -> CallKind:
    if inspect.isasyncgenfunction(code):
        return CallKind.ASYNC_GEN
    if inspect.isgeneratorfunction(code):
        return CallKind.SYNC_GEN
    if inspect.iscoroutinefunction(code):
        return CallKind.ASYNC
    return CallKind.SYNC


def _call_kind(call: Callable[..., Any]) -> CallKind:
    code = _callable_code(call)
    kind = _own_kind(code)
    if kind is CallKind.SYNC and inspect.isroutine(code) and hasattr(code, "__wrapped__"):
        # A plain function decorated with ``functools.wraps`` returns what the
        # function it wraps returns (a coroutine, a generator): go by that one.
        return _own_kind(_callable_code(inspect.unwrap(code)))
    return kind


def _union_args(tp: Any) -> tuple[Any, ...] | None:
    if get_origin(tp) in _UNION_TYPES:
        return tuple(a for a in get_args(tp) if a is not type(None))
    return None


def _strip_annotated(tp: Any) -> Any:
    while get_origin(tp) is Annotated:
        tp = get_args(tp)[0]
    return tp


def _is_json(tp: Any) -> bool:
    # ``Json[list[str]]`` is ``Annotated[list[str], Json]``: one JSON text, whatever it holds.
    while get_origin(tp) is Annotated:
        args = get_args(tp)
        if any(m is pydantic.Json or isinstance(m, pydantic.Json) for m in args[1:]):
            return True
        tp = args[0]
    return False


def is_scalar(tp: Any) -> bool:
    """Whether values of ``tp`` come from a single string (query/header/... values)."""
    if _is_json(tp):
        return True
    tp = _strip_annotated(tp)
    members = _union_args(tp)
    if members is not None:
        return all(is_scalar(m) for m in members)
    if tp is Any or tp is None or tp is type(None):
        return True
    origin = get_origin(tp)
    if origin is not None:
        return (
            origin.__class__.__name__ == "_LiteralGenericAlias" or str(origin) == "typing.Literal"
        )
    if isinstance(tp, type):
        if issubclass(tp, pydantic.BaseModel | Mapping | UploadFile) or dataclasses.is_dataclass(
            tp
        ):
            return False
        if issubclass(tp, str | bytes | Enum):
            return True
        return not issubclass(tp, list | set | tuple | frozenset | dict)
    return True


def is_sequence(tp: Any) -> bool:
    """Whether ``tp`` is a list/set/tuple (possibly optional) read from repeated keys."""
    if _is_json(tp):
        return False
    tp = _strip_annotated(tp)
    members = _union_args(tp)
    if members is not None:
        return any(is_sequence(m) for m in members)
    origin = get_origin(tp)
    if origin is not None and isinstance(origin, type):
        return issubclass(origin, list | set | tuple | frozenset) or origin is Sequence
    return isinstance(tp, type) and issubclass(tp, list | set | tuple | frozenset)


def is_scalar_sequence(tp: Any) -> bool:
    """Whether ``tp`` is a sequence of scalars (``list[int]``...)."""
    tp = _strip_annotated(tp)
    members = _union_args(tp)
    if members is not None:
        return len(members) == 1 and is_scalar_sequence(members[0])
    if not is_sequence(tp):
        return False
    return all(is_scalar(a) for a in get_args(tp) if a is not Ellipsis)


def is_upload(tp: Any) -> bool:
    """Whether ``tp`` involves ``UploadFile`` (a file part of a multipart body)."""
    tp = _strip_annotated(tp)
    if isinstance(tp, type) and issubclass(tp, UploadFile):
        return True
    return any(is_upload(a) for a in get_args(tp))


def _split_annotation(annotation: Any) -> tuple[Any, Any]:
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


_ALIAS_ATTRIBUTES = ("alias", "validation_alias", "serialization_alias")


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
            for name in _ALIAS_ATTRIBUTES:
                setattr(item, name, None)
                item._attributes_set.pop(name, None)
            item._attributes_set.pop("alias_priority", None)
            item.alias_priority = None
        out.append(item)
    return marker, out


def _special_kind(annotation: Any) -> SpecialKind | None:
    tp = _strip_annotated(annotation)
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
            if key in params._FIELD_KEYS or key in _ALIAS_ATTRIBUTES
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
    members = _union_args(_strip_annotated(annotation)) or (_strip_annotated(annotation),)
    if any(isinstance(m, type) and issubclass(m, pydantic.BaseModel) for m in members):
        return  # ``Model | None`` in the query: a parameter model, read field by field.
    if location != "path" and is_scalar_sequence(annotation):
        return
    allowed = "a scalar type" if location == "path" else "a scalar type or a list of scalars"
    raise InvalidParameterError(
        f"{location.capitalize()} parameter {name!r} must be one of the supported types: "
        f"{allowed}, not {annotation!r}"
    )


def _param_field(
    name: str, annotation: Any, marker: FieldInfo | None, default: Any, path_names: set[str]
) -> ParamField:
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
        or _is_json(annotation)  # ``Json[Model]``: one value holding a JSON text
    ):
        return (), False
    tp = _strip_annotated(annotation)
    members = _union_args(tp)
    nullable = members is not None and len(members) < len(get_args(tp))
    found = tuple(_strip_annotated(m) for m in (members if members is not None else (tp,)))
    if found and all(isinstance(m, type) and issubclass(m, pydantic.BaseModel) for m in found):
        return found, nullable
    return (), False


def analyze(
    call: Callable[..., Any],
    *,
    path_names: set[str],
    overrides: Mapping[Any, Any] | None = None,
    security_scopes: Sequence[str] = (),
    use_cache: bool = True,
    exit_scope: ExitScope | None = None,
    marker: params.Depends | None = None,
    original: Callable[..., Any] | None = None,
    name: str | None = None,
) -> Dependant:
    """Analyse ``call``'s signature into a :class:`Dependant` tree.

    Args:
        call: The endpoint or dependency.
        path_names: Parameter names of the route's path template.
        overrides: ``{original dependency: replacement}`` applied to sub-dependencies.
        security_scopes: Scopes accumulated from enclosing ``Security()``.
        use_cache: From the ``Depends()`` marker.
        exit_scope: ``"function"``/``"request"`` for ``yield`` dependencies.
        marker: The ``Depends``/``Security`` marker that led here, if any.
        original: The callable as written in ``Depends()``, when ``call`` may
            be its override.
        name: The parameter receiving the value (``None``: the endpoint, or a
            route-level dependency).

    Returns:
        The tree's root node for ``call``.

    Raises:
        TypeError: If a parameter can't be classified.
    """
    own_scopes = list(marker.scopes) if isinstance(marker, params.Security) else []
    node = Dependant(
        call=call,
        kind=_call_kind(call),
        security_scopes=[*security_scopes, *own_scopes],
        own_scopes=own_scopes,
        is_security=isinstance(marker, params.Security),
        use_cache=use_cache,
        exit_scope=exit_scope or "request",
        original=original,
        limit=marker.concurrency_limit if marker is not None else None,
        name=name,
        depends=marker,
    )
    for parameter in get_typed_parameters(call).parameters.values():
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        annotation, found = _split_annotation(alias_value(parameter.annotation))
        default = parameter.default
        check_unambiguous(parameter.name, found, default)
        if isinstance(default, FieldInfo | params.Depends):
            found, default = default, inspect.Parameter.empty
        if isinstance(found, params.Depends):
            dependency = found.dependency or _strip_annotated(annotation)
            sub = analyze_dependency(
                dependency, found, node, path_names, overrides, name=parameter.name
            )
            node.dependencies.append(sub)
            continue
        special = _special_kind(annotation) if found is None else None
        if special is not None:
            node.specials.append((parameter.name, special))
            continue
        if found is not None and default is inspect.Parameter.empty:
            default = found.default
        elif found is None and default is inspect.Parameter.empty:
            default = PydanticUndefined
        node.params.append(_param_field(parameter.name, annotation, found, default, path_names))
    if node.exit_scope == "lifespan":
        _check_lifespan(node)
    return node


_SPECIAL_LABELS: dict[SpecialKind, str] = {
    "request": "Request",
    "response": "Response",
    "background": "BackgroundTasks",
    "security_scopes": "SecurityScopes",
}


def _check_lifespan(node: Dependant) -> None:
    """Refuse request data in a lifespan-scoped dependency (it runs once, at startup)."""
    name = getattr(node.call, "__name__", type(node.call).__name__)
    reason = None
    if node.params:
        param = node.params[0]
        reason = f"parameter {param.name!r} is read from the request ({param.location})"
    elif node.specials:
        param_name, kind = node.specials[0]
        label = _SPECIAL_LABELS[kind]
        reason = f"parameter {param_name!r} asks for the request's {label}"
    if reason is not None:
        raise DependencyScopeError(
            f"Lifespan-scoped dependency {name!r} can't use request data: {reason}. "
            "Lifespan dependencies are created once at startup."
        )


def analyze_dependency(
    dependency: Callable[..., Any],
    marker: params.Depends,
    parent: Dependant | None,
    path_names: set[str],
    overrides: Mapping[Any, Any] | None,
    *,
    name: str | None = None,
) -> Dependant:
    """Analyse a dependency declared with ``marker`` below ``parent``.

    Args:
        dependency: The callable as declared (``overrides`` may replace it).
        marker: Its ``Depends``/``Security`` marker (cache, scope, scopes, limit).
        parent: The node declaring it (its security scopes and lifespan scope
            carry over); ``None`` for a node analysed on its own.
        path_names / overrides / name: As for :func:`analyze`.

    Returns:
        The dependency's node, with its own sub-dependencies.

    Raises:
        DependencyScopeError: A lifespan-scoped parent depends on a
            request- or function-scoped dependency.
    """
    call = overrides.get(dependency, dependency) if overrides else dependency
    exit_scope: ExitScope | None = marker.scope
    if parent is not None and parent.exit_scope == "lifespan":
        # Everything a lifespan dependency needs is created at startup too.
        if exit_scope not in (None, "lifespan"):
            name = getattr(dependency, "__name__", repr(dependency))
            raise DependencyScopeError(
                f"Lifespan-scoped dependency {getattr(parent.call, '__name__', parent.call)!r} "
                f"can't depend on {name!r}, declared with scope={exit_scope!r}"
            )
        exit_scope = "lifespan"
    node = analyze(
        call,
        path_names=path_names,
        overrides=overrides,
        security_scopes=parent.security_scopes if parent is not None else (),
        use_cache=marker.use_cache,
        exit_scope=exit_scope,
        marker=marker,
        original=dependency,
        name=name,
    )
    if parent is not None:
        check_exit_scopes(parent, node)
    return node


def analyze_endpoint(
    endpoint: Callable[..., Any],
    *,
    path_names: set[str],
    dependencies: Iterable[params.Depends] = (),
    overrides: Mapping[Any, Any] | None = None,
) -> Dependant:
    """Analyse an endpoint with its route-level dependencies into one tree.

    Args:
        endpoint: The path operation function.
        path_names: The route template's parameter names.
        dependencies: ``Depends()`` from the route and its routers: the
            root's first sub-dependants, their results unused.
        overrides: Dependency overrides to apply (see ``dependency_overrides``).

    Returns:
        The endpoint's node (see :func:`build_plan`).
    """
    root = analyze(endpoint, path_names=path_names, overrides=overrides)
    extra = [
        analyze_dependency(d.dependency, d, root, path_names, overrides)
        for d in dependencies
        if d.dependency is not None
    ]
    root.dependencies[:0] = extra
    return root


def compile_endpoint(
    endpoint: Callable[..., Any],
    *,
    path_names: set[str],
    dependencies: Iterable[params.Depends] = (),
    overrides: Mapping[Any, Any] | None = None,
    strict_content_type: bool = True,
    form_limits: FormLimits | None = None,
    buffered_limit: int | None = None,
) -> Plan:
    """Analyse an endpoint with its route-level dependencies and build its plan.

    Args:
        endpoint / path_names / dependencies / overrides: As for
            :func:`analyze_endpoint`.
        strict_content_type: Whether a body without ``Content-Type`` is not
            JSON (default True; see :class:`BodyExtractor`).
        form_limits: The route's form limits (see :mod:`zephyr._form_limits`).
        buffered_limit: Cap on a JSON body read whole, where no
            ``max_body_size`` applies (see :class:`BodyExtractor`).

    Returns:
        The compiled :class:`Plan`.
    """
    root = analyze_endpoint(
        endpoint, path_names=path_names, dependencies=dependencies, overrides=overrides
    )
    return build_plan(
        root,
        strict_content_type=strict_content_type,
        form_limits=form_limits,
        buffered_limit=buffered_limit,
    )


class _Flattener:
    """Post-order walk of a dependant tree into steps, slots and fields."""

    def __init__(self) -> None:
        self.steps: list[Step] = []
        self.fields: list[ParamField] = []
        self.initial: list[Any] = []
        self.cache: dict[Any, int] = {}
        self.specials: dict[SpecialKind, int] = {}
        self.calls: set[Any] = set()
        self.lifespan: dict[Any, int] = {}
        self.lifespan_nodes: list[Dependant] = []
        self.body_keys: dict[str, ParamField] = {}

    def slot(self, value: Any = None) -> int:
        self.initial.append(value)
        return len(self.initial) - 1

    def special(self, kind: SpecialKind, node: Dependant, annotation_owner: Any) -> int:
        if kind == "security_scopes":
            return self.slot(_security_scopes(annotation_owner, node.security_scopes))
        if kind not in self.specials:
            self.specials[kind] = self.slot()
        return self.specials[kind]

    def lifespan_ref(self, node: Dependant) -> int:
        """Slot of a lifespan dependency's value: filled per request from the app's store."""
        key = lifespan_key(node)
        if key not in self.lifespan:
            self.lifespan[key] = self.slot()
            self.lifespan_nodes.append(node)
            self.calls.update(_tree_calls(node))
        return self.lifespan[key]

    def visit(self, node: Dependant, is_root: bool = False) -> tuple[int, int]:
        """Add ``node``'s step (after its dependencies'); return ``(step index, slot)``.

        A lifespan dependency adds no step: its index is ``-1``.
        """
        key = node.cache_key
        if not is_root:
            if node.exit_scope == "lifespan":
                return -1, self.lifespan_ref(node)
            self.calls.add(node.declared)
            if node.use_cache and key in self.cache:
                index = self.cache[key]
                return index, self.steps[index].slot
        needs: list[int] = []
        args: list[tuple[str, int]] = []
        for sub in node.dependencies:
            index, slot = self.visit(sub)
            if index >= 0:
                needs.append(index)
            if sub.name is not None:
                args.append((sub.name, slot))
        owner = len(self.steps)
        for original in node.params:
            shared = self.body_keys.get(original.external) if original.location == "body" else None
            if shared is not None:
                # The same body key again (e.g. ``item: Item`` in the endpoint and in a
                # dependency): one value of the body, read once, given to both.
                args.append((original.name, shared.slot))
                continue
            field = dataclasses.replace(original, slot=self.slot(), owner=owner)
            self.fields.append(field)
            if field.location == "body":
                self.body_keys[field.external] = field
            args.append((field.name, field.slot))
        for name, kind in node.specials:
            args.append((name, self.special(kind, node, _annotation_of(node.call, name))))
        self.steps.append(
            Step(
                call=_wrap_call(node),
                kind=node.kind,
                args=tuple(args),
                slot=self.slot(),
                owner=owner,
                needs=tuple(needs),
                function_scope=node.exit_scope == "function",
                cache_key=key if node.use_cache and not is_root else None,
                limit=node.limit,
            )
        )
        self.cache.setdefault(key, owner)
        return owner, self.steps[owner].slot


def lifespan_key(node: Dependant) -> Any:
    """The key of a lifespan dependency's value: the declared callable (before overrides)."""
    return node.declared


def _tree_calls(node: Dependant) -> set[Any]:
    calls = {lifespan_key(node)}
    for sub in node.dependencies:
        calls |= _tree_calls(sub)
    return calls


def _wrap_call(node: Dependant) -> Callable[..., Any]:
    # Generators are wrapped once here, not per request.
    if node.kind is CallKind.ASYNC_GEN:
        return asynccontextmanager(node.call)
    if node.kind is CallKind.SYNC_GEN:
        return contextmanager(node.call)
    return node.call


def _annotation_of(call: Callable[..., Any], name: str) -> Any:
    annotation = get_typed_parameters(call).parameters[name].annotation
    return _strip_annotated(annotation)


def _security_scopes(cls: Any, scopes: list[str]) -> Any:
    return cls(scopes=list(scopes))


def build_plan(
    root: Dependant,
    *,
    strict_content_type: bool = True,
    form_limits: FormLimits | None = None,
    buffered_limit: int | None = None,
) -> Plan:
    """Flatten an analysed tree into a :class:`Plan` with its extractors.

    Raises:
        ValueError: If an extractor's validation model can't be generated.
    """
    flat = _Flattener()
    flat.visit(root, is_root=True)
    by_location: dict[str, list[ParamField]] = {}
    for field in flat.fields:
        by_location.setdefault(field.location, []).append(field)
    located = {
        location: LocationExtractor(location, fields)
        for location, fields in by_location.items()
        if location in ("path", "query", "header", "cookie")
    }
    path, query = located.get("path"), located.get("query")
    inputs = None
    if path is not None and query is not None:
        inputs = PathQueryExtractor.build(path, query)
    body_fields = by_location.get("body")
    form_fields = by_location.get("form")
    body = form = None
    if form_fields:
        # Body-typed values next to form fields are read from the form too.
        form = FormExtractor([*form_fields, *(body_fields or [])], form_limits or {})
    elif body_fields:
        embed = len(body_fields) > 1 or bool(getattr(body_fields[0].info, "embed", False))
        body = BodyExtractor(
            body_fields,
            embed,
            strict_content_type=strict_content_type,
            buffered_limit=buffered_limit,
        )
    has_function_scope = any(s.function_scope and s.kind >= CallKind.ASYNC_GEN for s in flat.steps)
    runner = _runner(flat, has_function_scope)  # (before the slots are counted: it may add one)
    return Plan(
        root=root,
        steps=flat.steps,
        fields=flat.fields,
        size=len(flat.initial),
        initial=flat.initial,
        path=path,
        query=query,
        header=located.get("header"),
        cookie=located.get("cookie"),
        inputs=inputs,
        body=body,
        form=form,
        request_slot=flat.specials.get("request", -1),
        response_slot=flat.specials.get("response", -1),
        background_slot=flat.specials.get("background", -1),
        has_generators=any(s.kind >= CallKind.ASYNC_GEN for s in flat.steps),
        has_async_generators=any(s.kind is CallKind.ASYNC_GEN for s in flat.steps),
        has_function_scope=has_function_scope,
        calls=frozenset(flat.calls),
        lifespan=tuple(flat.lifespan.items()),
        lifespan_nodes=flat.lifespan_nodes,
        has_inputs=bool(flat.fields),
        may_parse_form=form is not None or "request" in flat.specials,
        runner=runner,
    )


def _runner(flat: _Flattener, has_function_scope: bool) -> Runner:
    """The plan's runner: generated, or watching for overrides (see ``live_overrides``)."""
    watched = watched_steps(flat.steps, has_function_scope)
    if not watched:
        return compile_runner(flat.steps)
    if "request" not in flat.specials:
        flat.specials["request"] = flat.slot()  # where the runner finds the request's route
    return compile_watching_runner(
        flat.steps,
        watched,
        request_slot=flat.specials["request"],
        response_slot=flat.specials.get("response", -1),
        background_slot=flat.specials.get("background", -1),
    )
