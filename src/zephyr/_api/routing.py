"""``APIRouter``: path operation decorators, and ``include_router`` merging routers.

A router creates its routes (:class:`~zephyr._api.route.APIRoute`) with its
defaults merged into each route's options; including a router copies its
routes with the inclusion's prefix, defaults and limits, compiling API routes
again (their dependencies change), and so does a route added to it later
(:mod:`zephyr._api.inclusions`). The API layer's route names are importable
from here, as from ``fastapi.routing``.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterable, Sequence
from enum import Enum
from typing import Any, TypeVar, Unpack

from zephyr import params
from zephyr._api.handler import get_request_handler as get_request_handler
from zephyr._api.inclusions import Inclusion, place_after
from zephyr._api.options import OperationOptions, RouteOptions
from zephyr._api.route import APIRoute, generate_unique_id
from zephyr._api.websocket import APIWebSocketRoute
from zephyr._body_limit import (
    DEFAULT_BUFFERED_BODY_SIZE,
    RequestLimitsMiddleware,
    check_max_body_size,
    nearest,
)
from zephyr._form_limits import FormLimits, check_form_limits, merge_form_limits
from zephyr._frontend import FrontendRouter
from zephyr._websocket_routing import WebSocketRoute
from zephyr.api_exceptions import ZephyrError
from zephyr.datastructures import Default, DefaultPlaceholder
from zephyr.middleware import Middleware
from zephyr.responses import JSONResponse, Response
from zephyr.routing import BaseRoute, Mount, Route, Router

__all__ = [
    "APIRoute",
    "APIRouter",
    "APIWebSocketRoute",
    "Default",
    "_IncludedRouter",
    "generate_unique_id",
]

F = TypeVar("F", bound=Callable[..., Any])


def _check_paths_not_empty(routes: Iterable[BaseRoute]) -> None:
    """Refuse a route with an empty path, included without a prefix.

    ``@router.get("")`` means "the prefix itself"; with no prefix there is no
    path to serve it at.

    Raises:
        ZephyrError: Naming the first such route.
    """
    for route in routes:
        if isinstance(route, Route | WebSocketRoute) and not route.path:
            raise ZephyrError(
                f"Prefix and path cannot be both empty (path operation: {route.name})"
            )


class _IncludedRouter(BaseRoute):
    """FastAPI's entry for a router included lazily; never in a zephyr route list.

    Recent FastAPI keeps ``include_router(router)`` as one entry pointing at
    ``original_router``; zephyr copies the included routes into the including
    router, as earlier FastAPI did. The name exists for code written for
    FastAPI that looks for such entries (``isinstance``, ``match`` cases):
    with zephyr it finds none and walks the copied routes.

    Args:
        original_router: The router included.
    """

    def __init__(self, original_router: APIRouter) -> None:
        self.original_router = original_router


class APIRouter(FrontendRouter, Router):
    """A router with FastAPI's path operation decorators and ``include_router``.

    Args:
        prefix: Path prefix of every route added (no trailing ``/``).
        tags / dependencies / responses / deprecated / include_in_schema /
            default_response_class / callbacks / generate_unique_id_function /
            strict_content_type: Defaults applied to every route added.
        routes / redirect_slashes / default / on_startup / on_shutdown /
            lifespan: As for :class:`zephyr.routing.Router`.
        route_class: Class of the routes created (default ``APIRoute``).
        dependency_overrides_provider: Passed to the routes.

    Raises:
        ValueError: If ``prefix`` doesn't start with ``/`` or ends with ``/``.
    """

    def __init__(
        self,
        *,
        prefix: str = "",
        tags: list[str | Enum] | None = None,
        dependencies: Sequence[params.Depends] | None = None,
        default_response_class: type[Response] | Any = Default(JSONResponse),
        responses: dict[int | str, dict[str, Any]] | None = None,
        callbacks: list[BaseRoute] | None = None,
        routes: list[BaseRoute] | None = None,
        redirect_slashes: bool = True,
        default: Any = None,
        dependency_overrides_provider: Any = None,
        route_class: type[APIRoute] = APIRoute,
        on_startup: Sequence[Callable[[], Any]] | None = None,
        on_shutdown: Sequence[Callable[[], Any]] | None = None,
        lifespan: Any = None,
        deprecated: bool | None = None,
        include_in_schema: bool = True,
        generate_unique_id_function: Callable[[APIRoute], str] | Any = Default(generate_unique_id),
        strict_content_type: bool | Any = Default(True),
        max_body_size: int | None = None,
        form_limits: FormLimits | None = None,
        max_buffered_body_size: int | None = DEFAULT_BUFFERED_BODY_SIZE,
    ) -> None:
        # Declared before the routes exist: adding one reads them (_route_added).
        self._inclusions: list[Inclusion] = []  # where this router is included
        self._placing: int | None = None  # the index the next route added moves to
        self._last_added: BaseRoute | None = None
        super().__init__(
            routes,
            redirect_slashes=redirect_slashes,
            default=default,
            on_startup=on_startup,
            on_shutdown=on_shutdown,
            lifespan=lifespan,
        )
        if prefix:
            if not prefix.startswith("/"):
                raise ValueError("A path prefix must start with '/'")
            if prefix.endswith("/"):
                raise ValueError(
                    "A path prefix must not end with '/', as the routes will start with '/'"
                )
        self.prefix = prefix
        self.tags: list[str | Enum] = list(tags or [])
        self.dependencies = list(dependencies or [])
        self.default_response_class = default_response_class
        self.responses = dict(responses or {})
        self.callbacks = list(callbacks or [])
        self.dependency_overrides_provider = dependency_overrides_provider
        self.route_class = route_class
        self.deprecated = deprecated
        self.include_in_schema = include_in_schema
        self.generate_unique_id_function = generate_unique_id_function
        self.strict_content_type = strict_content_type
        self.max_body_size = check_max_body_size(max_body_size)
        self.form_limits = check_form_limits(form_limits)
        self.max_buffered_body_size = check_max_body_size(max_buffered_body_size)
        self._init_frontends()

    def add_api_route(
        self,
        path: str,
        endpoint: Callable[..., Any],
        *,
        response_model: Any = Default(None),
        status_code: int | None = None,
        tags: list[str | Enum] | None = None,
        dependencies: Sequence[params.Depends] | None = None,
        summary: str | None = None,
        description: str | None = None,
        response_description: str = "Successful Response",
        responses: dict[int | str, dict[str, Any]] | None = None,
        deprecated: bool | None = None,
        methods: Sequence[str] | set[str] | None = None,
        operation_id: str | None = None,
        response_model_include: Any = None,
        response_model_exclude: Any = None,
        response_model_by_alias: bool = True,
        response_model_exclude_unset: bool = False,
        response_model_exclude_defaults: bool = False,
        response_model_exclude_none: bool = False,
        include_in_schema: bool = True,
        response_class: type[Response] | Any = Default(JSONResponse),
        name: str | None = None,
        route_class_override: type[APIRoute] | None = None,
        callbacks: list[BaseRoute] | None = None,
        openapi_extra: dict[str, Any] | None = None,
        generate_unique_id_function: Callable[[APIRoute], str] | Any = Default(generate_unique_id),
        strict_content_type: bool | Any = Default(True),
        max_body_size: int | None = None,
        form_limits: FormLimits | None = None,
    ) -> None:
        """Create an ``APIRoute`` at ``prefix + path``, merging the router's defaults."""
        route_class = route_class_override or self.route_class
        if isinstance(response_class, DefaultPlaceholder):
            response_class = self.default_response_class
        if isinstance(generate_unique_id_function, DefaultPlaceholder):
            generate_unique_id_function = self.generate_unique_id_function
        if isinstance(strict_content_type, DefaultPlaceholder):
            strict_content_type = self.strict_content_type
        route = route_class(
            self.prefix + path,
            endpoint=endpoint,
            response_model=response_model,
            status_code=status_code,
            tags=[*self.tags, *(tags or [])],
            dependencies=[*self.dependencies, *(dependencies or [])],
            summary=summary,
            description=description,
            response_description=response_description,
            responses={**self.responses, **(responses or {})},
            deprecated=deprecated or self.deprecated,
            methods=methods,
            operation_id=operation_id,
            response_model_include=response_model_include,
            response_model_exclude=response_model_exclude,
            response_model_by_alias=response_model_by_alias,
            response_model_exclude_unset=response_model_exclude_unset,
            response_model_exclude_defaults=response_model_exclude_defaults,
            response_model_exclude_none=response_model_exclude_none,
            include_in_schema=include_in_schema and self.include_in_schema,
            response_class=response_class,
            name=name,
            dependency_overrides_provider=self.dependency_overrides_provider,
            callbacks=[*self.callbacks, *(callbacks or [])],
            openapi_extra=openapi_extra,
            generate_unique_id_function=generate_unique_id_function,
            strict_content_type=strict_content_type,
            max_body_size=max_body_size,
            form_limits=form_limits,
        )
        route.inherit_limits(self.max_body_size, self.form_limits, self.max_buffered_body_size)
        self.routes.append(route)

    def api_route(self, path: str, **options: Unpack[RouteOptions]) -> Callable[[F], F]:
        """Decorator form of :meth:`add_api_route`."""

        def decorator(func: F) -> F:
            self.add_api_route(path, func, **options)
            return func

        return decorator

    def _method(self, method: str, path: str, options: OperationOptions) -> Callable[[F], F]:
        return self.api_route(path, methods=[method], **options)

    def get(self, path: str, **options: Unpack[OperationOptions]) -> Callable[[F], F]:
        """Register a GET path operation; options as for :meth:`add_api_route`."""
        return self._method("GET", path, options)

    def put(self, path: str, **options: Unpack[OperationOptions]) -> Callable[[F], F]:
        """Register a PUT path operation."""
        return self._method("PUT", path, options)

    def post(self, path: str, **options: Unpack[OperationOptions]) -> Callable[[F], F]:
        """Register a POST path operation."""
        return self._method("POST", path, options)

    def delete(self, path: str, **options: Unpack[OperationOptions]) -> Callable[[F], F]:
        """Register a DELETE path operation."""
        return self._method("DELETE", path, options)

    def options(self, path: str, **options: Unpack[OperationOptions]) -> Callable[[F], F]:
        """Register an OPTIONS path operation."""
        return self._method("OPTIONS", path, options)

    def head(self, path: str, **options: Unpack[OperationOptions]) -> Callable[[F], F]:
        """Register a HEAD path operation."""
        return self._method("HEAD", path, options)

    def patch(self, path: str, **options: Unpack[OperationOptions]) -> Callable[[F], F]:
        """Register a PATCH path operation."""
        return self._method("PATCH", path, options)

    def trace(self, path: str, **options: Unpack[OperationOptions]) -> Callable[[F], F]:
        """Register a TRACE path operation."""
        return self._method("TRACE", path, options)

    def add_api_websocket_route(
        self,
        path: str,
        endpoint: Callable[..., Any],
        name: str | None = None,
        *,
        dependencies: Sequence[params.Depends] | None = None,
    ) -> None:
        """Create an ``APIWebSocketRoute`` at ``prefix + path`` with the router's dependencies.

        Args:
            path: The path template below the router's prefix.
            endpoint: ``async def endpoint(websocket: WebSocket, ...)``.
            name: Route name (default the function name).
            dependencies: ``Depends()`` run after the router's own, results unused.
        """
        route = APIWebSocketRoute(
            self.prefix + path,
            endpoint,
            name=name,
            dependencies=[*self.dependencies, *(dependencies or [])],
            dependency_overrides_provider=self.dependency_overrides_provider,
        )
        self.routes.append(route)

    def websocket(
        self,
        path: str,
        name: str | None = None,
        *,
        dependencies: Sequence[params.Depends] | None = None,
    ) -> Callable[[F], F]:
        """Decorator form of :meth:`add_api_websocket_route`."""

        def decorator(func: F) -> F:
            self.add_api_websocket_route(path, func, name=name, dependencies=dependencies)
            return func

        return decorator

    def include_router(
        self,
        router: APIRouter,
        *,
        prefix: str = "",
        tags: list[str | Enum] | None = None,
        dependencies: Sequence[params.Depends] | None = None,
        default_response_class: type[Response] | Any = Default(JSONResponse),
        responses: dict[int | str, dict[str, Any]] | None = None,
        callbacks: list[BaseRoute] | None = None,
        deprecated: bool | None = None,
        include_in_schema: bool = True,
        generate_unique_id_function: Callable[[APIRoute], str] | Any = Default(generate_unique_id),
        strict_content_type: bool | Any = Default(True),
        max_body_size: int | None = None,
        form_limits: FormLimits | None = None,
    ) -> None:
        """Copy ``router``'s routes into this router with extra prefix and defaults.

        Routes are recompiled (their dependencies change); plain routes and
        mounts are copied with the prefix. Startup/shutdown handlers are merged.

        Raises:
            ValueError: If ``prefix`` doesn't start with ``/`` or ends with ``/``.
            AssertionError: If ``router`` is this router.
            ZephyrError: If ``prefix`` is empty and a route's path is too.
        """
        if router is self:
            raise AssertionError(
                "Cannot include the same APIRouter instance into itself. "
                "Did you mean to include a different router?"
            )
        if prefix:
            if not prefix.startswith("/"):
                raise ValueError("A path prefix must start with '/'")
            if prefix.endswith("/"):
                raise ValueError(
                    "A path prefix must not end with '/', as the routes will start with '/'"
                )
        else:
            _check_paths_not_empty(router.routes)
        options: dict[str, Any] = {
            "prefix": prefix,
            "tags": tags,
            "dependencies": dependencies,
            "default_response_class": default_response_class,
            "responses": responses,
            "callbacks": callbacks,
            "deprecated": deprecated,
            "include_in_schema": include_in_schema,
            "generate_unique_id_function": generate_unique_id_function,
            "strict_content_type": strict_content_type,
            "max_body_size": check_max_body_size(max_body_size),
            "form_limits": check_form_limits(form_limits),
        }
        inclusion = Inclusion(weakref.ref(self), options, self.routes[-1] if self.routes else None)
        for route in router.routes:
            inclusion.remember(route, self._include_route(route, options))
        router._inclusions.append(inclusion)
        self._include_frontends(router, prefix, dependencies, options["max_body_size"])
        self.include_lifespan(router)

    def _route_added(self, route: BaseRoute) -> None:
        """Place a route just added, then copy it into the routers this one is included in."""
        index = self._placing
        if index is not None:
            self._placing = None
            self._routes.move(route, index)
        self._last_added = route
        for inclusion in list(self._inclusions):
            parent = inclusion.parent()
            if parent is None:
                self._inclusions.remove(inclusion)  # that router is gone
                continue
            parent._include_later(route, self, inclusion)

    def _include_later(self, route: BaseRoute, child: APIRouter, inclusion: Inclusion) -> None:
        """Copy ``route``, added to ``child`` after ``inclusion``, to its place among these."""
        if not inclusion.options["prefix"]:
            _check_paths_not_empty([route])
        self._placing = place_after(inclusion.anchor(route, child.routes), self.routes)
        try:
            inclusion.remember(route, self._include_route(route, inclusion.options))
        finally:
            self._placing = None

    def _include_route(self, route: BaseRoute, options: dict[str, Any]) -> BaseRoute | None:
        """Add this router's copy of an included ``route``; return it (``None``: no copy)."""
        self._last_added = None
        prefix: str = options["prefix"]
        if isinstance(route, APIRoute):
            self._include_api_route(route, **options)
        elif isinstance(route, APIWebSocketRoute):
            self.add_api_websocket_route(
                prefix + route.path,
                route.endpoint,
                name=route.name,
                dependencies=[*(options["dependencies"] or []), *route.dependencies],
            )
        elif isinstance(route, WebSocketRoute):
            self.add_websocket_route(prefix + route.path, route.endpoint, name=route.name)
        elif isinstance(route, Route):
            self.add_route(
                prefix + route.path,
                route.endpoint,
                methods=route.methods,
                name=route.name,
                include_in_schema=route.include_in_schema,
            )
        elif isinstance(route, Mount):
            layers = []
            if options["max_body_size"] is not None or options["form_limits"]:
                # The mounted app reads under this inclusion's limits.
                layers.append(
                    Middleware(
                        RequestLimitsMiddleware, options["max_body_size"], options["form_limits"]
                    )
                )
            self.routes.append(
                Mount(prefix + route.path, app=route.app, name=route.name, middleware=layers)
            )
        else:
            self.routes.append(route)
        return self._last_added

    def _include_api_route(self, route: APIRoute, *, prefix: str, **options: Any) -> None:
        response_class = route.response_class
        if isinstance(response_class, DefaultPlaceholder):
            response_class = options["default_response_class"]
            if isinstance(response_class, DefaultPlaceholder):
                response_class = route.response_class
        unique_id = route.generate_unique_id_function
        if isinstance(unique_id, DefaultPlaceholder):
            unique_id = options["generate_unique_id_function"]
        strict = route.strict_content_type
        if isinstance(strict, DefaultPlaceholder):
            strict = options["strict_content_type"]
        self.add_api_route(
            prefix + route.path,
            route.endpoint,
            # A generator endpoint's declared item type is its response model.
            response_model=route.stream_item_type if route.streaming else route.response_model,
            status_code=route.status_code,
            tags=[*(options["tags"] or []), *route.tags],
            dependencies=[*(options["dependencies"] or []), *route.dependencies],
            summary=route.summary,
            description=route.description,
            response_description=route.response_description,
            responses={**(options["responses"] or {}), **route.responses},
            deprecated=route.deprecated or options["deprecated"],
            methods=route.methods,
            operation_id=route.operation_id,
            response_model_include=route.response_model_include,
            response_model_exclude=route.response_model_exclude,
            response_model_by_alias=route.response_model_by_alias,
            response_model_exclude_unset=route.response_model_exclude_unset,
            response_model_exclude_defaults=route.response_model_exclude_defaults,
            response_model_exclude_none=route.response_model_exclude_none,
            include_in_schema=route.include_in_schema and options["include_in_schema"],
            response_class=response_class,
            name=route.name,
            route_class_override=type(route),
            callbacks=[*(options["callbacks"] or []), *(route.callbacks or [])],
            openapi_extra=route.openapi_extra,
            generate_unique_id_function=unique_id,
            strict_content_type=strict,
            # The route's own limit (set, or resolved in its router) wins over
            # this inclusion's, which wins over this router's.
            max_body_size=nearest(route.max_body_size, options["max_body_size"]),
            form_limits=route.form_limits,
        )
        added = self._last_added
        assert isinstance(added, APIRoute)
        inherited = merge_form_limits(route.inherited_form_limits, options["form_limits"])
        added.inherit_limits(
            self.max_body_size,
            merge_form_limits(inherited, self.form_limits),
            self.max_buffered_body_size,
        )
