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

    Args:
        call: A function, class, partial or callable instance.

    Returns:
        The signature; every annotation, the return one included, evaluated.

    Raises:
        NameError: An annotation names something not defined at module level.
    """
    return inspect.signature(call, eval_str=True)


def get_typed_parameters(call: Callable[..., Any]) -> inspect.Signature:
    """Like ``get_typed_signature``, for callers that read only the parameters.

    A return annotation naming something imported only under
    ``TYPE_CHECKING`` (``-> AsyncGenerator[Client, None]`` on a dependency)
    is then no error: it is left out (``Signature.empty``).

    Args:
        call: A function, class, partial or callable instance.

    Returns:
        The signature, parameter annotations evaluated.

    Raises:
        NameError: A parameter annotation names something undefined.
    """
    try:
        return inspect.signature(call, eval_str=True)
    except NameError:
        plain = inspect.signature(call)
        if not isinstance(plain.return_annotation, str):
            raise
    namespace = _globals_of(call)
    # Each string evaluated in the module's namespace, as inspect itself does.
    parameters = [
        p.replace(annotation=eval(p.annotation, namespace)) if isinstance(p.annotation, str) else p
        for p in plain.parameters.values()
    ]
    return plain.replace(parameters=parameters, return_annotation=inspect.Signature.empty)


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
