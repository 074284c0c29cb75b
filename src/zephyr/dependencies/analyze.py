"""Analyse an endpoint and its dependencies into a :class:`Dependant` tree, once per route.

All signature inspection happens here (and in
:mod:`zephyr.dependencies.parameters` for each parameter): which callables
are dependencies and how to call them, which parameters come from where, and
which scopes may nest. :mod:`zephyr.dependencies.compile` flattens the tree
into a plan; the request path only walks the plan.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from zephyr import params
from zephyr.api_exceptions import DependencyScopeError
from zephyr.dependencies._declarations import alias_value, check_exit_scopes, check_unambiguous
from zephyr.dependencies._signature import get_typed_parameters
from zephyr.dependencies.models import CallKind, Dependant, ExitScope, SpecialKind
from zephyr.dependencies.parameters import param_field, special_kind, split_annotation
from zephyr.dependencies.shapes import strip_annotated

__all__ = ["analyze", "analyze_dependency", "analyze_endpoint"]


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
        annotation, found = split_annotation(alias_value(parameter.annotation))
        default = parameter.default
        check_unambiguous(parameter.name, found, default)
        if isinstance(default, FieldInfo | params.Depends):
            found, default = default, inspect.Parameter.empty
        if isinstance(found, params.Depends):
            dependency = found.dependency or strip_annotated(annotation)
            sub = analyze_dependency(
                dependency, found, node, path_names, overrides, name=parameter.name
            )
            node.dependencies.append(sub)
            continue
        special = special_kind(annotation) if found is None else None
        if special is not None:
            node.specials.append((parameter.name, special))
            continue
        if found is not None and default is inspect.Parameter.empty:
            default = found.default
        elif found is None and default is inspect.Parameter.empty:
            default = PydanticUndefined
        node.params.append(param_field(parameter.name, annotation, found, default, path_names))
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
