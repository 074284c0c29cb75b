"""Parameter markers: ``Query``, ``Path``, ``Header``, ``Cookie``, ``Body``, ``Form``, ``File``.

Each marker is a Pydantic ``FieldInfo`` that also records *where* the value
comes from. The API layer reads them once, when a route is compiled
(:mod:`zephyr.dependencies.compile`); nothing here runs per request.
``Depends``/``Security`` mark dependencies instead of values.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from enum import Enum
from typing import Any, Literal

from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from zephyr.api_exceptions import ZephyrDeprecationWarning

__all__ = [
    "Body",
    "Cookie",
    "Depends",
    "File",
    "Form",
    "Header",
    "Param",
    "ParamTypes",
    "Path",
    "Query",
    "Security",
]

# Keyword arguments a marker forwards to the validation field it compiles to.
_FIELD_KEYS = (
    "default_factory",
    "title",
    "description",
    "gt",
    "ge",
    "lt",
    "le",
    "min_length",
    "max_length",
    "pattern",
    "discriminator",
    "strict",
    "multiple_of",
    "allow_inf_nan",
    "max_digits",
    "decimal_places",
    "examples",
    "json_schema_extra",
    "validate_default",
    "union_mode",
    "fail_fast",
)


class ParamTypes(Enum):
    """Where a non-body parameter is read from (OpenAPI ``in``)."""

    query = "query"
    header = "header"
    path = "path"
    cookie = "cookie"


class _Marker(FieldInfo):  # type: ignore[misc]
    """Common constructor: keeps the explicit keyword arguments for compilation."""

    def __init__(
        self,
        default: Any = PydanticUndefined,
        *,
        alias: str | None = None,
        validation_alias: Any = None,
        serialization_alias: str | None = None,
        regex: str | None = None,
        example: Any = PydanticUndefined,
        openapi_examples: dict[str, Any] | None = None,
        deprecated: Any = None,
        include_in_schema: bool = True,
        media_type: str | None = None,
        **kwargs: Any,
    ) -> None:
        if regex is not None:
            warnings.warn(
                "`regex` is deprecated, use `pattern`", ZephyrDeprecationWarning, stacklevel=4
            )
            kwargs.setdefault("pattern", regex)
        if example is not PydanticUndefined:
            warnings.warn(
                "`example` is deprecated, use `examples`", ZephyrDeprecationWarning, stacklevel=4
            )
        unknown = set(kwargs) - set(_FIELD_KEYS)
        if unknown:
            raise TypeError(f"Unexpected keyword argument(s): {', '.join(sorted(unknown))}")
        # Only the arguments actually given reach Pydantic (None means "not set").
        self.field_kwargs: dict[str, Any] = {k: v for k, v in kwargs.items() if v is not None}
        self.example = example
        self.openapi_examples = openapi_examples
        self.include_in_schema = include_in_schema
        self.media_type = media_type
        extra: dict[str, Any] = {}
        if alias is not None:
            extra["alias"] = alias
        if validation_alias is not None:
            extra["validation_alias"] = validation_alias
        if serialization_alias is not None:
            extra["serialization_alias"] = serialization_alias
        if deprecated is not None:
            extra["deprecated"] = deprecated
        super().__init__(default=default, **extra, **self.field_kwargs)

    def __repr__(self) -> str:
        # The default as str() spells it, as FastAPI does: ``Query(abc)``,
        # ``Path(PydanticUndefined)``.
        return f"{type(self).__name__}({self.default})"


class Param(_Marker):  # type: ignore[misc]
    """A non-body parameter (query, header, path or cookie).

    Args:
        default: The default value; omit (or ``...``) for a required parameter.
        alias: The external name (query key, header name, cookie name).
        validation_alias / serialization_alias: Pydantic aliases.
        title / description / examples / openapi_examples / deprecated /
            include_in_schema: OpenAPI metadata.
        gt, ge, lt, le, multiple_of, allow_inf_nan, max_digits, decimal_places:
            Numeric constraints.
        min_length, max_length, pattern: Length and pattern constraints.
        strict: Pydantic strict mode for this value.
    """

    in_: ParamTypes = ParamTypes.query


class Path(Param):  # type: ignore[misc]
    """A path parameter (always required)."""

    in_ = ParamTypes.path

    def __init__(self, default: Any = ..., **kwargs: Any) -> None:
        if default is not ...:
            raise AssertionError("Path parameters cannot have a default value")
        super().__init__(default, **kwargs)


class Query(Param):  # type: ignore[misc]
    """A query string parameter; ``list[...]`` types read repeated keys."""

    in_ = ParamTypes.query


class Header(Param):  # type: ignore[misc]
    """A request header.

    Args:
        convert_underscores: Map ``_`` in the parameter name to ``-`` in the
            header name (``user_agent`` reads ``User-Agent``). Default ``True``;
            ignored when ``alias`` is given.
    """

    in_ = ParamTypes.header

    def __init__(
        self, default: Any = PydanticUndefined, *, convert_underscores: bool = True, **kwargs: Any
    ) -> None:
        self.convert_underscores = convert_underscores
        super().__init__(default, **kwargs)


class Cookie(Param):  # type: ignore[misc]
    """A cookie value."""

    in_ = ParamTypes.cookie


class Body(_Marker):  # type: ignore[misc]
    """A JSON body value.

    Args:
        embed: Expect ``{"<name>": value}`` even when this is the only body
            parameter. Several body parameters are always embedded.
        media_type: The request media type shown in OpenAPI (``application/json``).
    """

    def __init__(
        self,
        default: Any = PydanticUndefined,
        *,
        embed: bool | None = None,
        media_type: str = "application/json",
        **kwargs: Any,
    ) -> None:
        self.embed = embed
        super().__init__(default, media_type=media_type, **kwargs)


class Form(Body):  # type: ignore[misc]
    """A form field (``application/x-www-form-urlencoded`` or multipart)."""

    def __init__(
        self,
        default: Any = PydanticUndefined,
        *,
        media_type: str = "application/x-www-form-urlencoded",
        **kwargs: Any,
    ) -> None:
        super().__init__(default, embed=True, media_type=media_type, **kwargs)


class File(Form):  # type: ignore[misc]
    """An uploaded file in a ``multipart/form-data`` body (``UploadFile`` or ``bytes``)."""

    def __init__(
        self,
        default: Any = PydanticUndefined,
        *,
        media_type: str = "multipart/form-data",
        **kwargs: Any,
    ) -> None:
        super().__init__(default, media_type=media_type, **kwargs)


class Depends:
    """Mark a parameter (or a route/router) as needing a dependency's result.

    Args:
        dependency: The callable; default the parameter's annotation.
        use_cache: Reuse the value if the same dependency (and security
            scopes) appears again in the same request. Default ``True``.
        scope: ``"request"`` (default): called per request; a ``yield``
            dependency ends after the response has been sent.
            ``"function"``: per request; a ``yield`` dependency ends right
            after the endpoint returns. ``"lifespan"``: called once when the
            application starts (its lifespan startup, before the app's own
            ``lifespan``), the value shared by every request for the app's
            life; a ``yield`` dependency ends at shutdown, in reverse order
            of creation. A lifespan dependency and its sub-dependencies may
            not read request data (parameters, ``Request``, ``Response``,
            ``BackgroundTasks``, ``SecurityScopes``) nor use request-scoped
            dependencies: that raises ``DependencyScopeError`` when the
            route is added. ``dependency_overrides`` apply to it as they
            stand at startup.

    Raises:
        ValueError: On an unknown ``scope``.
    """

    def __init__(
        self,
        dependency: Callable[..., Any] | None = None,
        *,
        use_cache: bool = True,
        scope: Literal["function", "request", "lifespan"] | None = None,
    ) -> None:
        if scope not in (None, "function", "request", "lifespan"):
            raise ValueError('scope must be "function", "request" or "lifespan"')
        self.dependency = dependency
        self.use_cache = use_cache
        self.scope = scope

    def __repr__(self) -> str:
        name = getattr(self.dependency, "__name__", type(self.dependency).__name__)
        cache = "" if self.use_cache else ", use_cache=False"
        return f"{type(self).__name__}({name}{cache})"


class Security(Depends):
    """A dependency with OAuth2 scopes (collected into ``SecurityScopes``).

    Args:
        dependency: The callable (usually a security scheme or a function using one).
        scopes: The scopes this use requires.
        use_cache: See :class:`Depends`.
    """

    def __init__(
        self,
        dependency: Callable[..., Any] | None = None,
        *,
        scopes: Sequence[str] | None = None,
        use_cache: bool = True,
    ) -> None:
        super().__init__(dependency=dependency, use_cache=use_cache)
        self.scopes = list(scopes or [])
