"""``APIWebSocketRoute``: a WebSocket route whose endpoint takes typed parameters.

The endpoint is compiled like a path operation (see
:mod:`zephyr.dependencies.compile`): the ``WebSocket`` is injected by
annotation, path/query/header/cookie parameters are validated in one call per
location, ``Depends``/``Security`` run in order. Invalid inputs raise
``WebSocketRequestValidationError`` (the application closes with 1008).
``yield`` dependencies end after the endpoint returns, that is once the
conversation is over.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast

from zephyr import params
from zephyr._api.plans import OverridablePlan
from zephyr._exception_handlers import wrap_route_middleware
from zephyr._websocket_routing import WebSocketRoute
from zephyr.api_exceptions import (
    RequestValidationError,
    WebSocketRequestValidationError,
    endpoint_context,
)
from zephyr.dependencies.cleanup import DependencyStack
from zephyr.dependencies.compile import analyze_endpoint, build_plan
from zephyr.dependencies.models import Dependant, Plan
from zephyr.dependencies.solve import solve
from zephyr.middleware import Middleware
from zephyr.requests import Request
from zephyr.types import Receive, Scope, Send
from zephyr.websockets import WebSocket

__all__ = ["APIWebSocketRoute"]


class APIWebSocketRoute(OverridablePlan, WebSocketRoute):
    """A WebSocket route with FastAPI-style parameters and dependencies.

    WebSocket routes are not part of the OpenAPI document.

    Args:
        path: The path template, e.g. ``"/ws/{room}"``.
        endpoint: ``async def endpoint(websocket: WebSocket, ...)``.
        name: Route name for ``url_path_for`` (default the function name).
        dependencies: ``Depends()`` run before the endpoint, results unused.
        dependency_overrides_provider: Object with ``dependency_overrides``
            (usually the app); default ``scope["app"]``.
        middleware: ``Middleware`` specs wrapped around this route only.

    Raises:
        TypeError: If the endpoint declares body, form or file parameters
            (a WebSocket handshake has no body).
    """

    # As for APIRoute: a router's route may have the path "" (its inclusion
    # prefix alone routes it, e.g. ``include_router(graphql, prefix="/graphql")``).
    _require_leading_slash = False

    def __init__(
        self,
        path: str,
        endpoint: Callable[..., Any],
        *,
        name: str | None = None,
        dependencies: Sequence[params.Depends] | None = None,
        dependency_overrides_provider: Any = None,
        middleware: Sequence[Middleware] | None = None,
    ) -> None:
        super().__init__(path, endpoint, name=name)
        self.dependencies = list(dependencies or [])
        self.dependency_overrides_provider = dependency_overrides_provider
        self._path_names = set(self.param_convertors)
        self._init_plans(
            analyze_endpoint(
                self.endpoint, path_names=self._path_names, dependencies=self.dependencies
            )
        )
        self.app = wrap_route_middleware(self._handle, middleware)

    def _build(self, root: Dependant) -> Plan:
        plan = build_plan(root)
        if plan.body is not None or plan.form is not None:
            names = ", ".join(
                field.name for field in plan.fields if field.location in ("body", "form")
            )
            raise TypeError(
                f"WebSocket endpoint {self.name!r} declares body parameters ({names}); "
                "a WebSocket handshake has no body: use Query, Header, Cookie or Path."
            )
        return plan

    async def _handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        websocket = WebSocket(scope, receive, send)
        plan = self.plan
        provider = self.dependency_overrides_provider or scope.get("app")
        overrides = getattr(provider, "dependency_overrides", None)
        if overrides:
            plan = self.plan_for(overrides)
        # The plan reads only path/query/header/cookie values (no body, checked
        # at compile time), which every HTTPConnection provides.
        connection = cast(Request, websocket)
        try:
            if plan.has_generators:
                stack = DependencyStack()
                with stack.scope(plan):
                    try:
                        await solve(plan, connection, stack)
                    except BaseException as exc:
                        with stack.shielded():
                            if not await stack.__aexit__(type(exc), exc, exc.__traceback__):
                                raise
                    else:
                        with stack.shielded():
                            await stack.aclose()
                        await stack.cancelled_meanwhile()
                return
            await solve(plan, connection, None)
        except RequestValidationError as exc:
            path = f"WEBSOCKET {scope.get('root_path', '')}{self.path}"
            ctx = endpoint_context(self.endpoint, path)
            raise WebSocketRequestValidationError(exc.errors(), endpoint_ctx=ctx) from None
