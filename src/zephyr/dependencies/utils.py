"""FastAPI's dependency helpers (``fastapi.dependencies.utils``), over zephyr's analysis.

Libraries built on FastAPI add dependencies to a route after it was made:
fastapi-pagination analyses a ``Depends()`` with
:func:`get_parameterless_sub_dependant`, appends the node to
``route.dependant.dependencies``, recomputes ``route.body_field`` with
``_get_body_field(body_params=_get_flat_body_params(route.dependant), ...)``
and builds the route's handler again. The nodes here are zephyr's
:class:`~zephyr.dependencies.models.Dependant` (FastAPI's public shape), so
the route compiles its plan from the edited tree; the body fields are
:class:`~zephyr.dependencies.models.ParamField` (with ``name``, ``alias``
and ``field_info`` as FastAPI's ``ModelField`` has). Everything here runs
when routes are set up, never per request.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

import pydantic
from pydantic_core import PydanticUndefined

from zephyr import params
from zephyr._routes import compile_path
from zephyr.dependencies import _signature
from zephyr.dependencies.analyze import analyze, analyze_dependency
from zephyr.dependencies.models import Dependant, ExitScope, ParamField
from zephyr.dependencies.tree import flat_params
from zephyr.formparsers import (
    MULTIPART_NOT_INSTALLED,
    MULTIPART_WRONG_PACKAGE,
    check_multipart_install,
)

# FastAPI's names for python-multipart's install check (zephyr.formparsers).
ensure_multipart_is_installed = check_multipart_install
multipart_not_installed_error = MULTIPART_NOT_INSTALLED
multipart_incorrect_install_error = MULTIPART_WRONG_PACKAGE

__all__ = [
    "body_field",
    "ensure_multipart_is_installed",
    "flat_body_params",
    "get_dependant",
    "get_flat_dependant",
    "get_parameterless_sub_dependant",
    "get_typed_annotation",
    "get_typed_return_annotation",
    "get_typed_signature",
    "lenient_issubclass",
    "multipart_incorrect_install_error",
    "multipart_not_installed_error",
    "should_embed_body_fields",
]


def _path_names(path: str) -> set[str]:
    return set(compile_path(path)[2])


def get_dependant(
    *,
    path: str,
    call: Callable[..., Any],
    name: str | None = None,
    own_oauth_scopes: Sequence[str] | None = None,
    parent_oauth_scopes: Sequence[str] | None = None,
    use_cache: bool = True,
    scope: ExitScope | None = None,
) -> Dependant:
    """Analyse ``call`` (an endpoint or a dependency) into a tree, as for a route at ``path``.

    Args:
        path: The route's path template (its ``{names}`` are path parameters).
        call: The callable.
        name: The parameter that receives its value, if it is a dependency.
        own_oauth_scopes: Scopes of its own ``Security()`` use.
        parent_oauth_scopes: Scopes accumulated from the ``Security()`` uses above.
        use_cache: Whether one request calls it once for the same cache key.
        scope: ``"request"``, ``"function"`` or ``"lifespan"`` (see ``Depends``).

    Returns:
        Its node.
    """
    marker = None
    if own_oauth_scopes:
        marker = params.Security(call, scopes=own_oauth_scopes, use_cache=use_cache, scope=scope)
    return analyze(
        call,
        path_names=_path_names(path),
        # The marker's own scopes are added to these by the analysis.
        security_scopes=list(parent_oauth_scopes or ()),
        use_cache=use_cache,
        exit_scope=scope,
        marker=marker,
        name=name,
    )


def get_parameterless_sub_dependant(*, depends: params.Depends, path: str) -> Dependant:
    """Analyse a route-level ``Depends()`` (its result unused) for a route at ``path``.

    Args:
        depends: The marker; its ``dependency`` must be set.
        path: The route's path template.

    Returns:
        The node, with ``name`` ``None``, to add to ``route.dependant.dependencies``.

    Raises:
        ValueError: The marker names no dependency.
    """
    if depends.dependency is None or not callable(depends.dependency):
        raise ValueError("A parameter-less dependency must have a callable dependency")
    return analyze_dependency(depends.dependency, depends, None, _path_names(path), None)


def get_flat_dependant(dependant: Dependant, *, skip_repeats: bool = False) -> Dependant:
    """One node holding every request value of the tree (FastAPI's flat dependant).

    Args:
        dependant: The tree's root.
        skip_repeats: Accepted for FastAPI's signature: a cached dependency
            met again always adds nothing (it runs once per request).

    Returns:
        A node of ``dependant``'s call whose ``params`` are the tree's, in
        FastAPI's order, and with no dependencies.
    """
    return Dependant(
        call=dependant.call,
        kind=dependant.kind,
        params=flat_params(dependant),
        name=dependant.name,
        use_cache=dependant.use_cache,
    )


def flat_body_params(dependant: Dependant) -> list[ParamField]:
    """The body and form fields of a whole tree, in FastAPI's order.

    Args:
        dependant: The tree's root (usually ``route.dependant``).

    Returns:
        The fields.
    """
    return [p for p in flat_params(dependant) if p.location in ("body", "form")]


def should_embed_body_fields(fields: Sequence[ParamField]) -> bool:
    """Whether a body of ``fields`` is an object keyed by field (not one field's value).

    Several fields, or one declared with ``Body(embed=True)``, or one plain
    form field, are read by name; a single body (or form model) is the whole
    body.

    Args:
        fields: The route's body fields (see :func:`flat_body_params`).

    Returns:
        ``True`` when the body is embedded.
    """
    if not fields:
        return False
    if len({field.name for field in fields}) > 1:
        return True
    first = fields[0]
    if getattr(first.info, "embed", False):
        return True
    return first.location == "form" and first.model is None


def body_field(
    *, body_params: Sequence[ParamField], name: str, embed_body_fields: bool
) -> ParamField | None:
    """The whole request body as one field (FastAPI's ``route.body_field``).

    Args:
        body_params: The route's body fields (see :func:`flat_body_params`).
        name: The route's unique id: an embedded body's model is ``Body_<name>``.
        embed_body_fields: See :func:`should_embed_body_fields`.

    Returns:
        ``None`` without a body; the one field when it is the whole body;
        else a ``body`` field whose type is a model of the fields.
    """
    if not body_params:
        return None
    first = body_params[0]
    if not embed_body_fields:
        return first
    fields: dict[str, Any] = {p.name: (p.annotation, p.info) for p in body_params}
    model = pydantic.create_model(
        f"Body_{name}",
        __config__=pydantic.ConfigDict(arbitrary_types_allowed=True),
        **fields,
    )
    required = any(p.required for p in body_params)
    is_form = any(p.location == "form" for p in body_params)
    marker = params.Form() if is_form else params.Body()
    return ParamField(
        name="body",
        location="form" if is_form else "body",
        external="body",
        annotation=model,
        info=marker,
        default=PydanticUndefined if required else None,
    )


def get_typed_signature(call: Callable[..., Any]) -> inspect.Signature:
    """FastAPI's: ``call``'s parameters, string annotations evaluated, no return annotation.

    Decorators read it to build a wrapper's ``__signature__`` (fastapi-cache2's
    ``@cache`` adds a ``Request`` and a ``Response`` parameter to it).

    Args:
        call: A function, class, partial or callable instance.

    Returns:
        The signature with its parameters; the return annotation left out.

    Raises:
        NameError: A parameter annotation names something undefined.
    """
    return _signature.get_typed_parameters(call)


def get_typed_annotation(annotation: Any, globalns: dict[str, Any]) -> Any:
    """FastAPI's: an annotation, evaluated in ``globalns`` when it is a string.

    Args:
        annotation: An annotation as written (``"list[Item]"``, ``int``...).
        globalns: The namespace its names are looked up in (a module's globals).

    Returns:
        The annotation; ``None`` for ``"None"``, as in a signature.

    Raises:
        NameError: The string names something undefined.
    """
    if not isinstance(annotation, str):
        return annotation
    evaluated = eval(annotation, dict(globalns))  # as inspect.signature(eval_str=True)
    return None if evaluated is type(None) else evaluated


def get_typed_return_annotation(call: Callable[..., Any]) -> Any:
    """FastAPI's: ``call``'s return annotation, evaluated; ``None`` when it has none.

    Args:
        call: A function, class, partial or callable instance.

    Returns:
        The return annotation (``None`` for none, as for ``-> None``).

    Raises:
        NameError: An annotation names something undefined.
    """
    returned = _signature.get_typed_signature(call).return_annotation
    return None if returned is inspect.Signature.empty else returned


def lenient_issubclass(cls: Any, class_or_tuple: type | tuple[type, ...]) -> bool:
    """``issubclass`` that answers ``False`` for what is not a class (``list[int]``...).

    Args:
        cls: Anything (a class, a generic alias, ``None``...).
        class_or_tuple: The class (or classes) to test against.

    Returns:
        Whether ``cls`` is a class and a subclass of ``class_or_tuple``.
    """
    try:
        return isinstance(cls, type) and issubclass(cls, class_or_tuple)
    except TypeError:  # ``list[int]`` passes for a type but is no class
        return False


# FastAPI's private names for the same helpers, which libraries import.
_get_flat_body_params = flat_body_params
_should_embed_body_fields = should_embed_body_fields
_get_body_field = body_field
