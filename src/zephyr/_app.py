"""``BaseApp``: the toolkit-level application object.

The application owns a :class:`~zephyr.routing.Router`, the user middleware
list and the exception handlers, and assembles them into one ASGI stack on
its first call::

    ServerErrorMiddleware -> user middleware... -> ExceptionMiddleware -> router

The API layer (:class:`zephyr.applications.Zephyr`) extends this class
(parameters, dependency injection, OpenAPI) by overriding
:meth:`BaseApp.build_router` (to use its own router class) and
:meth:`BaseApp.build_middleware_stack`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, TypeVar

from zephyr._body_limit import RequestLimitsMiddleware, check_max_body_size
from zephyr._exception_handlers import SCOPE_KEY, handle_exception
from zephyr._native import app_entry_layers, register_entry
from zephyr.datastructures import State, URLPath
from zephyr.middleware import Middleware, wrap_middleware
from zephyr.middleware.base import BaseHTTPMiddleware
from zephyr.middleware.errors import ResponseTracker, ServerErrorMiddleware
from zephyr.middleware.exceptions import ExceptionMiddleware
from zephyr.routing import BaseRoute, Router
from zephyr.types import ASGIApp, ExceptionHandler, Receive, Respond, Scope, Send

__all__ = ["BaseApp"]

F = TypeVar("F", bound=Callable[..., Any])


class BaseApp:
    """An ASGI application: routes, middleware, exception handlers and lifespan.

    Args:
        debug: Serve traceback pages on unhandled errors (never in production).
        routes: The initial routes (``Route``, ``Mount``, ``Host``...).
        middleware: ``Middleware`` specs, outermost first, placed between the
            server-error and the exception middleware.
        exception_handlers: ``{exception class or status code: handler}``;
            ``500``/``Exception`` handlers go to ``ServerErrorMiddleware``,
            the rest to ``ExceptionMiddleware``. A handler is
            ``(request, exc) -> Response``, sync or async.
        on_startup: Callables run at lifespan startup (sync or async).
        on_shutdown: Callables run at lifespan shutdown (sync or async).
        lifespan: ``lifespan(app)`` async context manager factory (or async
            generator function); may yield a state dict. Exclusive with
            ``on_startup``/``on_shutdown``.
        max_body_size: Most request body bytes (413 beyond), counted from
            before user middleware; routers, mounts and routes may set their
            own. ``None``: no limit.

    Raises:
        ValueError: If ``lifespan`` is combined with ``on_startup``/``on_shutdown``.
    """

    def __init__(
        self,
        debug: bool = False,
        routes: Sequence[BaseRoute] | None = None,
        middleware: Sequence[Middleware] | None = None,
        exception_handlers: Mapping[Any, ExceptionHandler] | None = None,
        on_startup: Sequence[Callable[[], Any]] | None = None,
        on_shutdown: Sequence[Callable[[], Any]] | None = None,
        lifespan: Any = None,
        max_body_size: int | None = None,
    ) -> None:
        self._debug = debug
        self.max_body_size = check_max_body_size(max_body_size)
        self.state = State()
        self.router: Router = self.build_router(
            routes, on_startup=on_startup, on_shutdown=on_shutdown, lifespan=lifespan
        )
        self.exception_handlers: dict[Any, ExceptionHandler] = dict(exception_handlers or {})
        self.user_middleware: list[Middleware] = list(middleware or [])
        self.middleware_stack: ASGIApp | None = None
        self._native_stack: ASGIApp | None = None  # the stack _native_layers describes
        self._native_layers: tuple[ServerErrorMiddleware, ExceptionMiddleware] | None = None

    def build_router(
        self,
        routes: Sequence[BaseRoute] | None,
        *,
        on_startup: Sequence[Callable[[], Any]] | None,
        on_shutdown: Sequence[Callable[[], Any]] | None,
        lifespan: Any,
    ) -> Router:
        """Create the application's router (override to use another router class)."""
        return Router(routes, on_startup=on_startup, on_shutdown=on_shutdown, lifespan=lifespan)

    def build_middleware_stack(self) -> ASGIApp:
        """Assemble server-error, user and exception middleware around the router.

        Returns:
            The outermost ASGI app of the stack.
        """
        error_handler: ExceptionHandler | None = None
        handlers: dict[Any, ExceptionHandler] = {}
        for key, handler in self.exception_handlers.items():
            if key in (500, Exception):
                error_handler = handler
            else:
                handlers[key] = handler
        specs = [
            Middleware(ServerErrorMiddleware, handler=error_handler, debug=self.debug),
            *self.outer_middleware(),
            *self.user_middleware,
            Middleware(ExceptionMiddleware, handlers=handlers, debug=self.debug),
        ]
        return wrap_middleware(self.router, specs)

    def outer_middleware(self) -> list[Middleware]:
        """Layers of the app's own, between the server-error layer and user middleware.

        Returns:
            The request-limits layer when the app sets ``max_body_size``
            (the API app adds its form limits). Any layer makes the app
            entered through ASGI.
        """
        if self.max_body_size is None:
            return []
        return [Middleware(RequestLimitsMiddleware, self.max_body_size, {})]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """ASGI 3 entry point; sets ``scope["app"]``."""
        scope["app"] = self
        # PERF: the stack is built once and cached; the common path is one
        # attribute load and a None check.
        stack = self.middleware_stack
        if stack is None:
            stack = self.middleware_stack = self.build_middleware_stack()
        await stack(scope, receive, send)

    async def native_http(
        self, scope: Scope, receive: Receive, send: Send, respond: Respond
    ) -> None:
        """Serve one HTTP request from zephyr's server, which adds ``respond`` to ASGI.

        With the default stack (no user middleware) the two error middlewares'
        work is done here in one ``try`` and the router is entered natively, so
        routes can hand whole responses to ``respond``. Any other stack is
        called as ASGI: middleware sees every request and event it would see
        on any server.

        Args:
            scope: The ASGI ``http`` scope.
            receive: The ASGI ``receive``.
            send: The ASGI ``send``.
            respond: ``respond(status, headers, body)``, see ``zephyr.types.Respond``.

        Raises:
            Exception: Whatever no exception handler answered, after the 500
                response, as ``ServerErrorMiddleware`` does.
        """
        stack = self.middleware_stack
        if stack is None or stack is not self._native_stack:
            if stack is None:
                stack = self.middleware_stack = self.build_middleware_stack()
            self._native_stack = stack
            self._native_layers = app_entry_layers(self, stack)
        layers = self._native_layers
        if layers is None:
            await self(scope, receive, send)
            return
        scope["app"] = self
        errors, handlers = layers
        tables = scope[SCOPE_KEY] = handlers.tables
        # PERF: one tracker and one ``try`` replace two middleware coroutines.
        sender = ResponseTracker(send, respond)
        try:
            await self.router.native_http(scope, receive, sender, sender.respond)
        except Exception as exc:
            try:
                await handle_exception(tables, exc, scope, receive, sender, sender.started)
            except Exception as unhandled:
                await errors.answer(unhandled, scope, receive, send, sender.started)
                raise

    @property
    def debug(self) -> bool:
        """Whether unhandled errors produce traceback pages."""
        return self._debug

    @debug.setter
    def debug(self, value: bool) -> None:
        self._debug = value
        self.middleware_stack = None  # Rebuilt with the new setting on the next call.

    @property
    def routes(self) -> list[BaseRoute]:
        """The router's route list (mutable)."""
        return self.router.routes

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        """Build a route's path by name; see :meth:`Router.url_path_for`.

        Raises:
            NoMatchFound: If no route has that name and exactly those parameters.
        """
        return self.router.url_path_for(name, **path_params)

    def mount(self, path: str, app: ASGIApp, name: str | None = None) -> None:
        """Mount an ASGI app (or router) under ``path``."""
        self.router.mount(path, app=app, name=name)

    def host(self, host: str, app: ASGIApp, name: str | None = None) -> None:
        """Serve ``app`` for requests whose ``Host`` matches ``host``."""
        self.router.host(host, app=app, name=name)

    def add_route(
        self,
        path: str,
        route: Callable[..., Any],
        methods: Collection[str] | None = None,
        name: str | None = None,
        include_in_schema: bool = True,
    ) -> None:
        """Add a ``Route`` for an endpoint function or ASGI app."""
        self.router.add_route(path, route, methods, name, include_in_schema)

    def route(
        self,
        path: str,
        methods: Collection[str] | None = None,
        name: str | None = None,
        include_in_schema: bool = True,
    ) -> Callable[[F], F]:
        """Decorator form of :meth:`add_route` (kept for porting older code)."""
        return self.router.route(path, methods, name, include_in_schema)

    def add_websocket_route(
        self, path: str, route: Callable[..., Any], name: str | None = None
    ) -> None:
        """Add a ``WebSocketRoute`` for ``async def endpoint(websocket)`` or an ASGI app."""
        self.router.add_websocket_route(path, route, name=name)

    def websocket_route(self, path: str, name: str | None = None) -> Callable[[F], F]:
        """Decorator form of :meth:`add_websocket_route`."""
        return self.router.websocket_route(path, name=name)

    def add_middleware(self, middleware_class: Any, *args: Any, **kwargs: Any) -> None:
        """Add a middleware as the new outermost user middleware.

        Args:
            middleware_class: Class (or factory) called as ``cls(app, *args, **kwargs)``.
            *args: Positional arguments after the app.
            **kwargs: Keyword arguments.

        Raises:
            RuntimeError: If the application has already started serving.
        """
        if self.middleware_stack is not None:
            raise RuntimeError("Cannot add middleware after an application has started")
        self.user_middleware.insert(0, Middleware(middleware_class, *args, **kwargs))

    def middleware(self, middleware_type: str) -> Callable[[F], F]:
        """Decorator registering ``async def mw(request, call_next)`` as HTTP middleware.

        Args:
            middleware_type: Must be ``"http"``.

        Raises:
            ValueError: For any other type.
        """
        if middleware_type != "http":
            raise ValueError('Currently only middleware("http") is supported.')

        def decorator(func: F) -> F:
            self.add_middleware(BaseHTTPMiddleware, dispatch=func)
            return func

        return decorator

    def add_exception_handler(
        self, exc_class_or_status_code: int | type[Exception], handler: ExceptionHandler
    ) -> None:
        """Register a handler for an exception class or HTTP status code.

        Raises:
            RuntimeError: If the application has already started serving.
        """
        if self.middleware_stack is not None:
            raise RuntimeError("Cannot add exception handlers after an application has started")
        self.exception_handlers[exc_class_or_status_code] = handler

    def exception_handler(
        self, exc_class_or_status_code: int | type[Exception]
    ) -> Callable[[F], F]:
        """Decorator form of :meth:`add_exception_handler`."""

        def decorator(func: F) -> F:
            self.add_exception_handler(exc_class_or_status_code, func)
            return func

        return decorator

    def add_event_handler(self, event_type: str, func: Callable[[], Any]) -> None:
        """Register a ``"startup"``/``"shutdown"`` handler; see ``Router.add_event_handler``."""
        self.router.add_event_handler(event_type, func)

    def on_event(self, event_type: str) -> Callable[[F], F]:
        """Decorator form of :meth:`add_event_handler` (deprecated: use ``lifespan``)."""
        register = self.router.on_event(event_type, stacklevel=3)

        def decorator(func: F) -> F:
            register(func)
            return func

        return decorator


register_entry(BaseApp)  # rule 1 of zephyr._native: notices a replaced __call__
