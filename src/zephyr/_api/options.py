"""Keyword options of the path operation decorators, as ``TypedDict``s (PEP 692).

``app.get(path, **options)`` and friends take the same long list of keyword
arguments as :meth:`APIRouter.add_api_route`. Declaring them once here, and
typing ``**options`` with ``Unpack[...]``, lets type checkers check user code
(a misspelt ``status_cod=`` or a wrong type is an error) without repeating
the list in every method.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import Enum
from typing import TYPE_CHECKING, Any, TypedDict

from zephyr import params
from zephyr._form_limits import FormLimits
from zephyr.responses import Response
from zephyr.routing import BaseRoute

if TYPE_CHECKING:
    from zephyr._api.route import APIRoute

__all__ = ["AddRouteOptions", "IncludeOptions", "OperationOptions", "RouteOptions"]


class OperationOptions(TypedDict, total=False):
    """Options of ``get``/``post``/...: see :class:`~zephyr._api.route.APIRoute` for each."""

    response_model: Any
    status_code: int | None
    tags: list[str | Enum] | None
    dependencies: Sequence[params.Depends] | None
    summary: str | None
    description: str | None
    response_description: str
    responses: dict[int | str, dict[str, Any]] | None
    deprecated: bool | None
    operation_id: str | None
    response_model_include: Any
    response_model_exclude: Any
    response_model_by_alias: bool
    response_model_exclude_unset: bool
    response_model_exclude_defaults: bool
    response_model_exclude_none: bool
    include_in_schema: bool
    response_class: type[Response] | Any
    name: str | None
    callbacks: list[BaseRoute] | None
    openapi_extra: dict[str, Any] | None
    generate_unique_id_function: Callable[[APIRoute], str] | Any
    strict_content_type: bool | Any
    max_body_size: int | None
    form_limits: FormLimits | None


class RouteOptions(OperationOptions, total=False):
    """Options of ``api_route``: those of an operation plus its HTTP ``methods``."""

    methods: Sequence[str] | set[str] | None


class AddRouteOptions(RouteOptions, total=False):
    """Options of ``add_api_route``: also the route class to use for this route."""

    route_class_override: type[APIRoute] | None


class IncludeOptions(TypedDict, total=False):
    """Options of ``include_router``: defaults applied to the included routes."""

    prefix: str
    tags: list[str | Enum] | None
    dependencies: Sequence[params.Depends] | None
    default_response_class: type[Response] | Any
    responses: dict[int | str, dict[str, Any]] | None
    callbacks: list[BaseRoute] | None
    deprecated: bool | None
    include_in_schema: bool
    generate_unique_id_function: Callable[[APIRoute], str] | Any
    strict_content_type: bool | Any
    max_body_size: int | None
    form_limits: FormLimits | None
