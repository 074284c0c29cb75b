"""The API-level application: FastAPI's constructor, decorators, OpenAPI and docs.

It extends the toolkit app (:class:`BaseApp`, also exported here) the way
FastAPI extends Starlette: an :class:`APIRouter` as router, JSON error
handlers, ``/openapi.json`` and the docs pages. The toolkit class keeps the
toolkit's defaults (plain-text errors, no schema routes).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Literal, TypeVar, Unpack

from zephyr import params
from zephyr._api.options import AddRouteOptions, IncludeOptions, OperationOptions, RouteOptions
from zephyr._api.routing import APIRoute, APIRouter, Default, generate_unique_id
from zephyr._app import BaseApp
from zephyr._body_limit import (
    DEFAULT_BUFFERED_BODY_SIZE,
    RequestLimitsMiddleware,
    check_max_body_size,
)
from zephyr._form_limits import FormLimits, check_form_limits
from zephyr._frontend import Fallback
from zephyr._native import register_entry
from zephyr.api_exceptions import (
    RequestValidationError,
    WebSocketRequestValidationError,
    ZephyrDeprecationWarning,
)
from zephyr.dependencies.lifespan import LifespanDependencies
from zephyr.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
    websocket_request_validation_exception_handler,
)
from zephyr.exceptions import HTTPException
from zephyr.middleware import Middleware
from zephyr.openapi import docs
from zephyr.requests import Request
from zephyr.responses import HTMLResponse, JSONResponse, Response
from zephyr.routing import BaseRoute, Router
from zephyr.types import ExceptionHandler, Receive, Respond, Scope, Send

__all__ = ["BaseApp", "FastAPI", "Zephyr"]

F = TypeVar("F", bound=Callable[..., Any])


class Zephyr(BaseApp):
    """A FastAPI-compatible application (``zephyr.FastAPI`` is this class).

    Args:
        debug / routes / middleware / exception_handlers / on_startup /
            on_shutdown / lifespan: As for the toolkit app.
        title / summary / description / version / openapi_tags / servers /
            terms_of_service / contact / license_info / separate_input_output_schemas:
            OpenAPI document metadata (defaults ``"FastAPI"``, ``"0.1.0"``).
        openapi_external_docs: The document's ``externalDocs`` object
            (``{"url": ..., "description": ...}``), or ``None``.
        openapi_url: Path of the OpenAPI JSON (default ``"/openapi.json"``;
            ``None`` disables it and the docs).
        docs_url / redoc_url: Paths of Swagger UI and ReDoc (``None`` disables).
        swagger_ui_oauth2_redirect_url: Path of the Swagger OAuth2 redirect page.
        dependencies: ``Depends()`` applied to every path operation.
        default_response_class: Response class of path operations.
        redirect_slashes: Redirect to the other trailing-slash variant.
        root_path: ASGI ``root_path`` for the OpenAPI ``servers`` entry.
            Deprecated (a ``ZephyrDeprecationWarning``, as FastAPI deprecates
            it): the root path is the proxy's business, so give it to the
            server (``zephyr run --root-path``), which every app then sees.
        generate_unique_id_function: ``route -> operation id``.
        strict_content_type: Parse a body as JSON only when its ``Content-Type``
            says JSON (default True). With False, a body sent with no
            ``Content-Type`` is parsed as JSON too; a browser can send such a
            body cross-site without a CORS preflight, hence the strict default.
        max_body_size: Most request body bytes, for every route and for
            middleware that reads the body (default ``None``: no app limit);
            routers, inclusions and operations may set their own. Over it: 413
            ``Content Too Large``. See :mod:`zephyr._body_limit`.
        form_limits: ``{"max_fields", "max_files", "max_part_size"}`` for the
            forms routes parse (default ``Request.form``'s); routers,
            inclusions and operations may override keys.
        max_buffered_body_size: zephyr's cap, in bytes, on a JSON or
            ``Body()`` body read whole by a route where no ``max_body_size``
            applies (default 16 MiB; ``None``: none). Over it: 413 naming the
            limit. Streams and uploads are not affected.
        webhooks: Router whose operations are documented under the OpenAPI
            ``webhooks`` (requests the app sends); default a new empty
            ``APIRouter``, also reachable as ``app.webhooks``.
        **extra: Kept in ``self.extra``.

    Attributes:
        dependency_overrides: ``{dependency: replacement}`` used by every route.
        lifespan_dependencies: Values of ``Depends(..., scope="lifespan")``
            dependencies, created when the app's lifespan starts.
    """

    def __init__(
        self,
        *,
        debug: bool = False,
        routes: list[BaseRoute] | None = None,
        title: str = "FastAPI",
        summary: str | None = None,
        description: str = "",
        version: str = "0.1.0",
        openapi_url: str | None = "/openapi.json",
        openapi_tags: list[dict[str, Any]] | None = None,
        servers: list[dict[str, Any]] | None = None,
        dependencies: Sequence[params.Depends] | None = None,
        default_response_class: type[Response] | Any = Default(JSONResponse),
        redirect_slashes: bool = True,
        docs_url: str | None = "/docs",
        redoc_url: str | None = "/redoc",
        swagger_ui_oauth2_redirect_url: str | None = "/docs/oauth2-redirect",
        swagger_ui_init_oauth: dict[str, Any] | None = None,
        swagger_ui_parameters: dict[str, Any] | None = None,
        middleware: Sequence[Middleware] | None = None,
        exception_handlers: Mapping[Any, ExceptionHandler] | None = None,
        on_startup: Sequence[Callable[[], Any]] | None = None,
        on_shutdown: Sequence[Callable[[], Any]] | None = None,
        lifespan: Any = None,
        terms_of_service: str | None = None,
        contact: dict[str, Any] | None = None,
        license_info: dict[str, Any] | None = None,
        openapi_external_docs: dict[str, Any] | None = None,
        openapi_prefix: str = "",
        root_path: str = "",
        root_path_in_servers: bool = True,
        responses: dict[int | str, dict[str, Any]] | None = None,
        callbacks: list[BaseRoute] | None = None,
        deprecated: bool | None = None,
        include_in_schema: bool = True,
        separate_input_output_schemas: bool = True,
        webhooks: APIRouter | None = None,
        generate_unique_id_function: Callable[[APIRoute], str] = Default(generate_unique_id),
        strict_content_type: bool | Any = Default(True),
        max_body_size: int | None = None,
        form_limits: FormLimits | None = None,
        max_buffered_body_size: int | None = DEFAULT_BUFFERED_BODY_SIZE,
        **extra: Any,
    ) -> None:
        self.max_body_size = check_max_body_size(max_body_size)
        self.form_limits = check_form_limits(form_limits)
        self._api_options: dict[str, Any] = {
            "dependencies": dependencies,
            "default_response_class": default_response_class,
            "redirect_slashes": redirect_slashes,
            "responses": responses,
            "callbacks": callbacks,
            "deprecated": deprecated,
            "include_in_schema": include_in_schema,
            "generate_unique_id_function": generate_unique_id_function,
            "strict_content_type": strict_content_type,
            "max_body_size": self.max_body_size,
            "form_limits": self.form_limits,
            "max_buffered_body_size": check_max_body_size(max_buffered_body_size),
        }
        handlers: dict[Any, ExceptionHandler] = {
            HTTPException: http_exception_handler,
            RequestValidationError: request_validation_exception_handler,
            WebSocketRequestValidationError: websocket_request_validation_exception_handler,
        }
        handlers.update(exception_handlers or {})
        super().__init__(
            debug=debug,
            routes=routes,
            middleware=middleware,
            exception_handlers=handlers,
            on_startup=on_startup,
            on_shutdown=on_shutdown,
            lifespan=lifespan,
            max_body_size=self.max_body_size,
        )
        self.title = title
        self.summary = summary
        self.description = description
        self.version = version
        self.openapi_url = openapi_url
        self.openapi_tags = openapi_tags
        self.servers = list(servers or [])
        self.terms_of_service = terms_of_service
        self.contact = contact
        self.license_info = license_info
        self.openapi_external_docs = openapi_external_docs
        if root_path:
            warnings.warn(
                f"FastAPI(root_path={root_path!r}) is deprecated: set the root path on the "
                f"server instead (zephyr run --root-path {root_path}; fastapi run --root-path "
                "and uvicorn --root-path take it too)",
                ZephyrDeprecationWarning,
                stacklevel=2,
            )
        self.root_path = root_path or openapi_prefix
        self.root_path_in_servers = root_path_in_servers
        self.docs_url = docs_url
        self.redoc_url = redoc_url
        self.swagger_ui_oauth2_redirect_url = swagger_ui_oauth2_redirect_url
        self.swagger_ui_init_oauth = swagger_ui_init_oauth
        self.swagger_ui_parameters = swagger_ui_parameters
        self.separate_input_output_schemas = separate_input_output_schemas
        self.openapi_version = "3.1.0"
        self.openapi_schema: dict[str, Any] | None = None
        self.dependency_overrides: dict[Callable[..., Any], Callable[..., Any]] = {}
        self.webhooks = APIRouter() if webhooks is None else webhooks
        self.lifespan_dependencies = LifespanDependencies()
        self.router.lifespan_context = self._with_lifespan_dependencies(
            self.router.lifespan_context
        )
        self.extra = extra
        self.setup()

    def _with_lifespan_dependencies(
        self, inner: Callable[[Any], AbstractAsyncContextManager[Any]]
    ) -> Callable[[Any], AbstractAsyncContextManager[Any]]:
        """Wrap the router's lifespan: lifespan dependencies exist around it."""

        @asynccontextmanager
        async def lifespan(app: Any) -> AsyncIterator[Any]:
            for route in self.routes:
                # A tree edited since the route was built (code written for
                # FastAPI does that) is compiled now, at startup, at the latest.
                sync_plan = getattr(route, "sync_plan", None)
                if sync_plan is not None:
                    sync_plan()
            running = self.lifespan_dependencies.running(self.routes, self.dependency_overrides)
            async with running, inner(app) as state:
                yield state

        return lifespan

    def frontend(
        self,
        path: str,
        *,
        directory: str | os.PathLike[str],
        fallback: Fallback = "auto",
        check_dir: Literal["auto"] | bool = "auto",
        dependencies: Sequence[params.Depends] | None = None,
    ) -> None:
        """Serve a single-page app's build directory below ``path``, after every route.

        See :meth:`APIRouter.frontend <zephyr._api.routing.APIRouter.frontend>`
        and :mod:`zephyr._frontend`; the app's dependencies run first.
        """
        self.api_router.frontend(
            path,
            directory=directory,
            fallback=fallback,
            check_dir=check_dir,
            dependencies=dependencies,
        )

    def outer_middleware(self) -> list[Middleware]:
        """The request limits layer, when the app sets limits or has user middleware.

        With user middleware and no limits of its own, the layer answers the
        413 of a limit handed down by the app this one is mounted in, when
        that middleware reads the body (outside the exception handlers).
        """
        if self.max_body_size is None and not self.form_limits and not self.user_middleware:
            return []
        return [Middleware(RequestLimitsMiddleware, self.max_body_size, self.form_limits)]

    def build_router(
        self,
        routes: Sequence[BaseRoute] | None,
        *,
        on_startup: Sequence[Callable[[], Any]] | None,
        on_shutdown: Sequence[Callable[[], Any]] | None,
        lifespan: Any,
    ) -> Router:
        """Create the app's :class:`APIRouter` with the app-wide route defaults."""
        options = self._api_options
        return APIRouter(
            routes=list(routes or []),
            on_startup=on_startup,
            on_shutdown=on_shutdown,
            lifespan=lifespan,
            dependency_overrides_provider=self,
            **options,
        )

    @property
    def api_router(self) -> APIRouter:
        """The application's router, typed as an ``APIRouter``."""
        assert isinstance(self.router, APIRouter)
        return self.router

    def setup(self) -> None:
        """Add the ``/openapi.json``, ``/docs`` and ``/redoc`` routes that are enabled."""
        if not self.openapi_url:
            return
        openapi_url = self.openapi_url

        async def openapi(request: Request) -> Response:
            root_path = request.scope.get("root_path", "").rstrip("/")
            document = self.openapi()
            if root_path and self.root_path_in_servers:
                document = _with_root_server(document, root_path)
            return JSONResponse(document)

        self.add_route(openapi_url, openapi, include_in_schema=False)
        self._add_docs_routes(openapi_url)

    def _add_docs_routes(self, openapi_url: str) -> None:
        """Add Swagger UI, its OAuth2 redirect page, ReDoc and the assets they load.

        The pages name their assets below the request's ``root_path``, where
        the assets route (in the compiled table, so other routes pay nothing
        for it, but not in ``app.routes``) serves the vendored files; without
        either page there is no assets route either.
        """
        title = self.title
        oauth2_url = self.swagger_ui_oauth2_redirect_url

        def assets(request: Request) -> Any:
            root_path = request.scope.get("root_path", "").rstrip("/")
            return root_path, docs.docs_asset_urls(root_path + docs.DOCS_STATIC_PATH)

        if self.docs_url:

            async def swagger_ui_html(request: Request) -> Response:
                root_path, urls = assets(request)
                html: HTMLResponse = docs.get_swagger_ui_html(
                    openapi_url=root_path + openapi_url,
                    title=f"{title} - Swagger UI",
                    swagger_js_url=urls.swagger_js_url,
                    swagger_css_url=urls.swagger_css_url,
                    swagger_favicon_url=urls.swagger_favicon_url,
                    oauth2_redirect_url=root_path + oauth2_url if oauth2_url else None,
                    init_oauth=self.swagger_ui_init_oauth,
                    swagger_ui_parameters=self.swagger_ui_parameters,
                )
                return html

            self.add_route(self.docs_url, swagger_ui_html, include_in_schema=False)
            if oauth2_url:

                async def swagger_ui_redirect(request: Request) -> Response:
                    # The vendored script, inlined: one request for the popup.
                    html: HTMLResponse = docs.get_swagger_ui_oauth2_redirect_html()
                    return html

                self.add_route(oauth2_url, swagger_ui_redirect, include_in_schema=False)
        if self.redoc_url:

            async def redoc_html(request: Request) -> Response:
                root_path, urls = assets(request)
                html: HTMLResponse = docs.get_redoc_html(
                    openapi_url=root_path + openapi_url,
                    title=f"{title} - ReDoc",
                    redoc_js_url=urls.redoc_js_url,
                    redoc_favicon_url=urls.redoc_favicon_url,
                    with_google_fonts=False,  # the page makes no external request
                )
                return html

            self.add_route(self.redoc_url, redoc_html, include_in_schema=False)
        if self.docs_url or self.redoc_url:
            # Not in ``app.routes``: that list holds what FastAPI's does.
            self.router._add_own_route(docs.docs_static_route())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """ASGI 3 entry point; a ``root_path`` given to the app overrides the server's."""
        if self.root_path:
            scope["root_path"] = self.root_path
        await super().__call__(scope, receive, send)

    def native_http(
        self, scope: Scope, receive: Receive, send: Send, respond: Respond
    ) -> Coroutine[Any, Any, None]:
        """zephyr's server entry (ASGI plus ``respond``); see :meth:`BaseApp.native_http`."""
        if self.root_path:
            scope["root_path"] = self.root_path
        return super().native_http(scope, receive, send, respond)

    def openapi(self) -> dict[str, Any]:
        """Return the OpenAPI 3.1 document (generated once, then cached in ``openapi_schema``)."""
        if self.openapi_schema is None:
            from zephyr.openapi.utils import get_openapi

            self.openapi_schema = get_openapi(
                title=self.title,
                version=self.version,
                openapi_version=self.openapi_version,
                summary=self.summary,
                description=self.description,
                terms_of_service=self.terms_of_service,
                contact=self.contact,
                license_info=self.license_info,
                routes=self.routes,
                webhooks=self.webhooks.routes,
                tags=self.openapi_tags,
                servers=self.servers,
                separate_input_output_schemas=self.separate_input_output_schemas,
                external_docs=self.openapi_external_docs,
            )
        return self.openapi_schema

    # Path operations: thin forwards to the router.

    def add_api_route(
        self, path: str, endpoint: Callable[..., Any], **options: Unpack[AddRouteOptions]
    ) -> None:
        """Add a path operation; see :meth:`APIRouter.add_api_route`."""
        self.api_router.add_api_route(path, endpoint, **options)

    def api_route(self, path: str, **options: Unpack[RouteOptions]) -> Callable[[F], F]:
        """Decorator form of :meth:`add_api_route`."""
        return self.api_router.api_route(path, **options)

    def get(self, path: str, **options: Unpack[OperationOptions]) -> Callable[[F], F]:
        """Register a GET path operation."""
        return self.api_router.get(path, **options)

    def put(self, path: str, **options: Unpack[OperationOptions]) -> Callable[[F], F]:
        """Register a PUT path operation."""
        return self.api_router.put(path, **options)

    def post(self, path: str, **options: Unpack[OperationOptions]) -> Callable[[F], F]:
        """Register a POST path operation."""
        return self.api_router.post(path, **options)

    def delete(self, path: str, **options: Unpack[OperationOptions]) -> Callable[[F], F]:
        """Register a DELETE path operation."""
        return self.api_router.delete(path, **options)

    def options(self, path: str, **options: Unpack[OperationOptions]) -> Callable[[F], F]:
        """Register an OPTIONS path operation."""
        return self.api_router.options(path, **options)

    def head(self, path: str, **options: Unpack[OperationOptions]) -> Callable[[F], F]:
        """Register a HEAD path operation."""
        return self.api_router.head(path, **options)

    def patch(self, path: str, **options: Unpack[OperationOptions]) -> Callable[[F], F]:
        """Register a PATCH path operation."""
        return self.api_router.patch(path, **options)

    def trace(self, path: str, **options: Unpack[OperationOptions]) -> Callable[[F], F]:
        """Register a TRACE path operation."""
        return self.api_router.trace(path, **options)

    def add_api_websocket_route(
        self,
        path: str,
        endpoint: Callable[..., Any],
        name: str | None = None,
        *,
        dependencies: Sequence[params.Depends] | None = None,
    ) -> None:
        """Add a WebSocket endpoint with typed parameters; see :class:`APIWebSocketRoute`."""
        self.api_router.add_api_websocket_route(
            path, endpoint, name=name, dependencies=dependencies
        )

    def websocket(
        self,
        path: str,
        name: str | None = None,
        *,
        dependencies: Sequence[params.Depends] | None = None,
    ) -> Callable[[F], F]:
        """Register a WebSocket endpoint (decorator form of :meth:`add_api_websocket_route`).

        Args:
            path: The path template.
            name: Route name for ``url_path_for`` (default the function name).
            dependencies: ``Depends()`` run before the endpoint, results unused.
        """
        return self.api_router.websocket(path, name=name, dependencies=dependencies)

    def include_router(self, router: APIRouter, **options: Unpack[IncludeOptions]) -> None:
        """Include an ``APIRouter``'s routes; see :meth:`APIRouter.include_router`."""
        self.api_router.include_router(router, **options)
        self.openapi_schema = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(title={self.title!r})"


register_entry(Zephyr)  # rule 1 of zephyr._native: notices a replaced __call__

FastAPI = Zephyr
"""The name FastAPI code imports; the same class as :class:`Zephyr`."""


def _with_root_server(document: dict[str, Any], root_path: str) -> dict[str, Any]:
    """``document`` with ``root_path`` as its first server, per request (the cache is shared)."""
    servers = list(document.get("servers", []))
    if any(server.get("url") == root_path for server in servers):
        return document
    servers.insert(0, {"url": root_path})
    out: dict[str, Any] = {}
    for key, value in document.items():
        if key != "servers":
            out[key] = value
        if key == "info":
            out["servers"] = servers
    return out
