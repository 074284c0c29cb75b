"""Rules on how a parameter or dependency is declared, applied when a route is compiled.

What a ``type`` alias stands for, declarations that say a thing twice, and
which exit scopes may nest: each refused with a clear error when the route
is added, not on its first request.
"""

from __future__ import annotations

import typing
from typing import Any

import typing_extensions
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from zephyr import params
from zephyr.api_exceptions import DependencyScopeError, InvalidParameterError
from zephyr.dependencies.models import CallKind, Dependant

__all__ = ["alias_value", "check_exit_scopes", "check_unambiguous"]


def _type_alias_types() -> tuple[type, ...]:
    # ``type X = ...`` makes a typing.TypeAliasType (3.12+); typing_extensions
    # has its own class on the Pythons before that (and on some after).
    found = (getattr(typing, "TypeAliasType", None), typing_extensions.TypeAliasType)
    return tuple(dict.fromkeys(t for t in found if isinstance(t, type)))


_TYPE_ALIAS_TYPES = _type_alias_types()


def alias_value(annotation: Any) -> Any:
    """What a parameter's ``type`` alias stands for (``type Db = Annotated[..., Depends()]``).

    One level, as FastAPI reads it: the alias's markers then locate the
    parameter as if written out. A generic alias (``Alias[int]``) stays as is.

    Args:
        annotation: A parameter's annotation.

    Returns:
        The alias's value, or ``annotation`` itself when it is no alias.
    """
    if isinstance(annotation, _TYPE_ALIAS_TYPES):
        return getattr(annotation, "__value__", annotation)
    return annotation


def check_unambiguous(name: str, found: Any, default: Any) -> None:
    """Refuse a parameter that says where it comes from, or its default, twice.

    ``Annotated[int, Query(default=1)]`` next to an ``=`` default, and a
    marker in ``Annotated`` with another marker as the ``=`` default
    (``Annotated[int, Depends(f)] = Depends(f)``), leave unclear which one
    wins, so (as FastAPI does) the route is refused when it is declared
    rather than one of them silently ignored. A plain value as the default
    of an ``Annotated[..., Depends()]`` parameter, and a plain Pydantic
    ``Field()`` in ``Annotated``, are no request-parameter markers and pass.

    Args:
        name: The parameter's name, for the message.
        found: The marker found in its ``Annotated`` metadata, or ``None``.
        default: The parameter's ``=`` default (``Parameter.empty`` if none).

    Raises:
        InvalidParameterError: For a ``Query()``-like marker with a default
            inside ``Annotated``, or markers both in ``Annotated`` and as the
            ``=`` default.
    """
    if isinstance(found, params.Depends):
        if isinstance(default, params.Depends):
            raise InvalidParameterError(
                f"Cannot specify `Depends` in `Annotated` and default value together for {name!r}"
            )
        return
    if not isinstance(found, params._Marker):
        return
    if found.default not in (PydanticUndefined, Ellipsis):
        raise InvalidParameterError(
            f"`{type(found).__name__}` default value cannot be set in `Annotated` for {name!r}. "
            "Set the default value with `=` instead."
        )
    if isinstance(default, params.Depends):
        raise InvalidParameterError(
            "Cannot specify a FastAPI annotation in `Annotated` and `Depends` as a default "
            f"value together for {name!r}"
        )
    if isinstance(default, FieldInfo):
        raise InvalidParameterError(
            f"Cannot specify FastAPI annotations in `Annotated` and default value together "
            f"for {name!r}"
        )


def check_exit_scopes(parent: Dependant, sub: Dependant) -> None:
    """Refuse a ``yield`` dependency ending with the request that needs one ending sooner.

    A ``scope="function"`` dependency ends right after the endpoint, while a
    request-scoped ``yield`` dependency that received it still holds it until
    the response is sent: it would hold a closed session.

    Raises:
        DependencyScopeError: ``parent`` is such a dependency, ``sub`` function-scoped.
    """
    is_dependency = parent.original is not None  # not the endpoint (a streaming one yields)
    if (
        is_dependency
        and parent.kind >= CallKind.ASYNC_GEN
        and parent.exit_scope == "request"
        and sub.exit_scope == "function"
    ):
        name = getattr(parent.declared, "__name__", repr(parent.declared))
        raise DependencyScopeError(
            f'The dependency "{name}" has a scope of "request", it cannot depend on '
            'dependencies with scope "function"'
        )
