"""Signatures with string annotations evaluated (``from __future__ import annotations``)."""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable
from typing import Any

__all__ = ["get_typed_parameters", "get_typed_signature"]


def get_typed_signature(call: Callable[..., Any]) -> inspect.Signature:
    """Return ``call``'s signature with string annotations evaluated.

    A ``__signature__`` set by hand (which ``inspect`` returns as it is, strings
    included, as strawberry's GraphQL router does) is evaluated too.

    Args:
        call: A function, class, partial or callable instance.

    Returns:
        The signature; every annotation, the return one included, evaluated.

    Raises:
        NameError: An annotation names something not defined at module level.
    """
    return _evaluate_strings(call, inspect.signature(call, eval_str=True))


def get_typed_parameters(call: Callable[..., Any]) -> inspect.Signature:
    """Like ``get_typed_signature``, for callers that read only the parameters.

    A return annotation naming something imported only under
    ``TYPE_CHECKING`` (``-> AsyncGenerator[Client, None]`` on a dependency)
    is then no error: it is left out (``Signature.empty``).

    Args:
        call: A function, class, partial or callable instance.

    Returns:
        The signature, parameter annotations evaluated, no return annotation.

    Raises:
        NameError: A parameter annotation names something undefined.
    """
    try:
        signature = inspect.signature(call, eval_str=True)
    except NameError:
        # The unresolvable name may be the return annotation's: evaluate the
        # parameters alone (one of them failing raises NameError again).
        signature = inspect.signature(call)
    signature = signature.replace(return_annotation=inspect.Signature.empty)
    return _evaluate_strings(call, signature)


def _evaluate_strings(call: Any, signature: inspect.Signature) -> inspect.Signature:
    # Annotations still strings, each evaluated in the module's namespace as
    # inspect itself does; PERF: the usual signature (none left) is returned as is.
    parameters = list(signature.parameters.values())
    returned = signature.return_annotation
    if not (isinstance(returned, str) or any(isinstance(p.annotation, str) for p in parameters)):
        return signature
    namespace = _globals_of(call)
    evaluated = [
        p.replace(annotation=eval(p.annotation, namespace)) if isinstance(p.annotation, str) else p
        for p in parameters
    ]
    if isinstance(returned, str):
        returned = eval(returned, namespace)
    return signature.replace(parameters=evaluated, return_annotation=returned)


def _globals_of(call: Any) -> dict[str, Any]:
    # The module namespace the annotations were written in (what inspect uses).
    while isinstance(call, functools.partial):
        call = call.func
    code = inspect.unwrap(call) if inspect.isroutine(call) else call
    namespace = getattr(code, "__globals__", None)
    if namespace is None:
        module = sys.modules.get(getattr(code, "__module__", "") or "")
        namespace = vars(module) if module is not None else {}
    return dict(namespace)
