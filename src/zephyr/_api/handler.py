"""FastAPI's request -> response handler hook of an ``APIRoute``, and serving through it.

A route is served by its own ASGI app (``APIRoute._handle``), which runs the
compiled plan directly. FastAPI also exposes the route as a ``request ->
response`` coroutine function: ``APIRoute.get_route_handler()`` (which
subclasses override to wrap it) built by ``get_request_handler`` (which
libraries replace in ``fastapi.routing``). Only a route whose handler is
wrapped that way is served through it (:meth:`RouteHandlerHook._handle_custom`),
so the others pay nothing for the hook.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING, Any

from zephyr._routes import served_by
from zephyr.api_exceptions import ZephyrError
from zephyr.background import BackgroundTasks
from zephyr.dependencies.cleanup import DependencyStack
from zephyr.dependencies.models import Dependant, Plan
from zephyr.requests import Request
from zephyr.responses import Response
from zephyr.types import Receive, Scope, Send

if TYPE_CHECKING:
    from zephyr._api.route import APIRoute

__all__ = [
    "EXIT_STACK_KEY",
    "SWALLOWED",
    "RouteHandlerHook",
    "get_request_handler",
    "request_handler_factory",
]


def get_request_handler(
    dependant: Dependant | None = None, *, route: APIRoute, **options: Any
) -> Callable[[Request], Awaitable[Response]]:
    """Return an API route's ``request -> response`` coroutine function (FastAPI's factory).

    Every :class:`APIRoute` gets its handler from the ``get_request_handler``
    found in ``zephyr.routing`` when the route is built, so a library that
    replaces it there to wrap every route's handler (sentry-sdk's FastAPI
    integration does, as ``fastapi.routing.get_request_handler``) sees each
    request; such routes are served through ASGI, not the native path.

    Args:
        dependant: The route's root dependant (``route.dependant``); a wrapper
            may read it.
        route: The route whose compiled handler is returned.
        **options: FastAPI's other arguments (``status_code``,
            ``response_class``, ``dependency_overrides_provider``...): the
            route already holds them; accepted for wrappers that pass them on.

    Returns:
        An async callable taking a ``Request`` and returning its ``Response``.
    """
    return route._plan_handler()


def request_handler_factory() -> Callable[..., Callable[[Request], Awaitable[Response]]]:
    """The ``get_request_handler`` in force: zephyr's own, or a library's replacement."""
    import zephyr.routing

    factory: Callable[..., Callable[[Request], Awaitable[Response]]] = vars(zephyr.routing).get(
        "get_request_handler", get_request_handler
    )
    return factory


SWALLOWED = (
    "No response to send: the application code is raising an exception and a "
    "dependency with yield caught it without raising it again (a bare `except:` or "
    "`except Exception:` around its `yield`). Re-raise it (`raise`) in the dependency, "
    "or raise an HTTPException there to answer the request."
)
"""Why a request whose error a ``yield`` dependency suppressed fails anyway."""
EXIT_STACK_KEY = "zephyr.exit_stack"
"""Scope key of the exit stack that ends ``yield`` dependencies after the response."""


class RouteHandlerHook:
    """Mixin of ``APIRoute``: its ``request -> response`` handler, and the app serving it.

    The route provides its plans (``OverridablePlan``), its options and
    ``_respond``, which turns a plan's run into the response.
    """

    if TYPE_CHECKING:
        dependant: Dependant
        plan: Plan
        status_code: int | None
        response_class: Any
        dependency_overrides_provider: Any
        _custom_handler: Callable[[Request], Awaitable[Response]] | None
        _own_app: Callable[..., Awaitable[None]]

        def sync_plan(self) -> bool: ...

        def plan_for(self, overrides: dict[Any, Any]) -> Plan: ...

        async def _respond(
            self, plan: Plan, request: Request, stack: AsyncExitStack | None
        ) -> Response: ...

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        """Return this route's ``request -> response`` coroutine function.

        Subclasses override it to wrap the handler, e.g. to time requests, swap in a
        custom ``Request`` class or post-process responses.

        Returns:
            An async callable taking a ``Request`` and returning the ``Response``.
        """

        return request_handler_factory()(
            dependant=self.dependant,
            status_code=self.status_code,
            response_class=self.response_class,
            dependency_overrides_provider=self.dependency_overrides_provider,
            route=self,
        )

    def _plan_handler(self) -> Callable[[Request], Awaitable[Response]]:
        """The handler of :meth:`get_route_handler`: the compiled plan, then the response.

        Building it compiles the plan again if the tree was edited (see
        :meth:`sync_plan`). ``request_response(handler)`` gives back the
        route's own app (see :func:`~zephyr.routing.served_by`), so a route
        rebuilt that way keeps its limits and the native entry.
        """
        self.sync_plan()

        async def handler(request: Request) -> Response:
            plan = self.plan
            overrides = getattr(
                self.dependency_overrides_provider or request.scope.get("app"),
                "dependency_overrides",
                None,
            )
            if overrides:
                plan = self.plan_for(overrides)
            stack: AsyncExitStack | None = request.scope.get(EXIT_STACK_KEY)
            if stack is None:
                if plan.has_generators:
                    return await self._respond_on_own_stack(plan, request)
                return await self._respond(plan, request, None)
            # Uploads' temporary files go once the response is sent, as in _handle.
            # The wrapping handler may read the form too: always close.
            stack.push_async_callback(request.close)
            return await self._respond(plan, request, stack if plan.has_generators else None)

        return served_by(handler, lambda: self._own_app)

    async def _respond_on_own_stack(self, plan: Plan, request: Request) -> Response:
        """``_respond`` for a handler run with no exit stack of the route's (a wrapped
        handler given to ``request_response`` by other code).

        The ``yield`` dependencies end after the response has been sent: their
        cleanup is the last of the response's background tasks.
        """
        stack = DependencyStack()
        stack.push_async_callback(request.close)
        try:
            response = await self._respond(plan, request, stack)
        except BaseException as exc:
            if not await stack.__aexit__(type(exc), exc, exc.__traceback__):
                raise
            raise ZephyrError(SWALLOWED) from exc
        tasks = BackgroundTasks()
        if response.background is not None:
            tasks.add_task(response.background)
        tasks.add_task(stack.aclose)
        response.background = tasks
        return response

    async def _handle_custom(self, scope: Scope, receive: Receive, send: Send) -> None:
        async with AsyncExitStack() as stack:
            scope[EXIT_STACK_KEY] = stack
            handler = self._custom_handler
            assert handler is not None  # set with this app
            response = await handler(Request(scope, receive, send))
            await response(scope, receive, send)
