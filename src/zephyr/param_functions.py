"""Marker functions used in endpoint signatures: ``Query()``, ``Depends()``...

They return the marker objects of :mod:`zephyr.params`, typed ``Any`` so that
``q: int = Query(10)`` type-checks. Keyword arguments are those of the marker
classes (Pydantic ``Field`` constraints plus OpenAPI metadata).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

from pydantic_core import PydanticUndefined

from zephyr import params

__all__ = ["Body", "Cookie", "Depends", "File", "Form", "Header", "Path", "Query", "Security"]


def Path(default: Any = ..., **kwargs: Any) -> Any:
    """Declare a path parameter; see :class:`zephyr.params.Path`."""
    return params.Path(default, **kwargs)


def Query(default: Any = PydanticUndefined, **kwargs: Any) -> Any:
    """Declare a query parameter; see :class:`zephyr.params.Query`."""
    return params.Query(default, **kwargs)


def Header(
    default: Any = PydanticUndefined, *, convert_underscores: bool = True, **kwargs: Any
) -> Any:
    """Declare a header parameter; see :class:`zephyr.params.Header`."""
    return params.Header(default, convert_underscores=convert_underscores, **kwargs)


def Cookie(default: Any = PydanticUndefined, **kwargs: Any) -> Any:
    """Declare a cookie parameter; see :class:`zephyr.params.Cookie`."""
    return params.Cookie(default, **kwargs)


def Body(
    default: Any = PydanticUndefined,
    *,
    embed: bool | None = None,
    media_type: str = "application/json",
    **kwargs: Any,
) -> Any:
    """Declare a JSON body parameter; see :class:`zephyr.params.Body`."""
    return params.Body(default, embed=embed, media_type=media_type, **kwargs)


def Form(
    default: Any = PydanticUndefined,
    *,
    media_type: str = "application/x-www-form-urlencoded",
    **kwargs: Any,
) -> Any:
    """Declare a form field; see :class:`zephyr.params.Form`."""
    return params.Form(default, media_type=media_type, **kwargs)


def File(
    default: Any = PydanticUndefined, *, media_type: str = "multipart/form-data", **kwargs: Any
) -> Any:
    """Declare an uploaded file; see :class:`zephyr.params.File`."""
    return params.File(default, media_type=media_type, **kwargs)


def Depends(
    dependency: Callable[..., Any] | None = None,
    *,
    use_cache: bool = True,
    scope: Literal["function", "request", "lifespan"] | None = None,
    max_concurrency: int | None = None,
) -> Any:
    """Declare a dependency; see :class:`zephyr.params.Depends`."""
    return params.Depends(
        dependency, use_cache=use_cache, scope=scope, max_concurrency=max_concurrency
    )


def Security(
    dependency: Callable[..., Any] | None = None,
    *,
    scopes: Sequence[str] | None = None,
    use_cache: bool = True,
) -> Any:
    """Declare a dependency with OAuth2 scopes; see :class:`zephyr.params.Security`."""
    return params.Security(dependency, scopes=scopes or (), use_cache=use_cache)
