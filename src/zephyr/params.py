"""Parameter markers: ``Query``, ``Path``, ``Header``, ``Cookie``, ``Body``, ``Form``, ``File``.

Each marker is a Pydantic ``FieldInfo`` that also records *where* the value
comes from. The API layer reads them once, when a route is compiled
(:mod:`zephyr.dependencies.parameters`); nothing here runs per request.
``Depends``/``Security`` mark dependencies instead of values.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Literal

from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from zephyr.api_exceptions import ZephyrDeprecationWarning
from zephyr.dependencies.limits import ConcurrencyLimit, check_max_concurrency, same_limit

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


# The default of the alias and ``deprecated`` arguments: tells "not given" from an
# explicit ``None``, which clears what a ``Field()`` earlier in ``Annotated`` gives.
_UNSET: Any = PydanticUndefined

_ALIAS_KEYS = ("alias", "validation_alias", "serialization_alias")


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
        alias: str | None = _UNSET,
        validation_alias: Any = _UNSET,
        serialization_alias: str | None = _UNSET,
        regex: str | None = None,
        example: Any = PydanticUndefined,
        openapi_examples: dict[str, Any] | None = None,
        deprecated: Any = _UNSET,
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
        aliases = {
            "alias": alias,
            "validation_alias": validation_alias,
            "serialization_alias": serialization_alias,
        }
        # The arguments given explicitly as ``None``, which never reach Pydantic (its
        # ``_attributes_set`` records the others given). Each clears what a ``Field()``
        # before the marker in ``Annotated`` gives (``Query(title=None)``), where a
        # key left out keeps it: the OpenAPI document reads it (title,
        # description..., ``openapi/_param_docs.py``), compilation the aliases
        # given (:attr:`given_aliases`).
        self.cleared = frozenset(
            k for k, v in {**kwargs, **aliases, "deprecated": deprecated}.items() if v is None
        )
        extra = {k: v for k, v in aliases.items() if v is not _UNSET and v is not None}
        if deprecated is not _UNSET and deprecated is not None:
            extra["deprecated"] = deprecated
        super().__init__(default=default, **extra, **self.field_kwargs)

    @property
    def given_aliases(self) -> frozenset[str]:
        """The alias arguments given explicitly, ``None`` included (see ``_UNSET``)."""
        given = self._attributes_set
        return frozenset(key for key in _ALIAS_KEYS if key in given or key in self.cleared)

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


@dataclass(frozen=True, repr=False)
class Depends:
    """Mark a parameter (or a route/router) as needing a dependency's result.

    A frozen dataclass: two markers with the same arguments are equal and
    hash alike (other tools key on them), except that each marker with a
    ``max_concurrency`` is its own limit, so it equals only itself and its
    ``dataclasses.replace`` copies that keep the same limit.

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
        max_concurrency: At most this many runs of the dependency at once,
            across every route (and app) using this marker; more callers
            wait. A run of a ``yield`` dependency lasts until its cleanup
            has finished; its sub-dependencies run before the wait. ``None``
            (default): no limit.

    Raises:
        ValueError: On an unknown ``scope``, or a ``max_concurrency`` that is
            not a positive integer.
    """

    dependency: Callable[..., Any] | None = None
    use_cache: bool = True
    scope: Literal["function", "request", "lifespan"] | None = None
    max_concurrency: int | None = None
    # The limit itself; carried over by dataclasses.replace() while the
    # count stays the same, so a copy shares its original's limit.
    _concurrency: ConcurrencyLimit | None = field(default=None, kw_only=True)

    def __post_init__(self) -> None:
        if self.scope not in (None, "function", "request", "lifespan"):
            raise ValueError('scope must be "function", "request" or "lifespan"')
        limit = check_max_concurrency(self.max_concurrency)
        if not same_limit(self._concurrency, limit):
            # Frozen: the limit is set once, here, as the marker is made.
            object.__setattr__(
                self, "_concurrency", None if limit is None else ConcurrencyLimit(limit)
            )

    @property
    def concurrency_limit(self) -> ConcurrencyLimit | None:
        """The limit of ``max_concurrency`` (``None`` without one)."""
        return self._concurrency

    def __repr__(self) -> str:
        name = getattr(self.dependency, "__name__", type(self.dependency).__name__)
        cache = "" if self.use_cache else ", use_cache=False"
        limit = "" if self.max_concurrency is None else f", max_concurrency={self.max_concurrency}"
        return f"{type(self).__name__}({name}{cache}{limit})"


@dataclass(frozen=True, repr=False)
class Security(Depends):
    """A dependency with OAuth2 scopes (collected into ``SecurityScopes``).

    Args:
        dependency: The callable (usually a security scheme or a function using one).
        scopes: The scopes this use requires (kept as a tuple, so the marker hashes).
        use_cache: See :class:`Depends`.
    """

    scopes: Sequence[str] = ()

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "scopes", tuple(self.scopes or ()))
