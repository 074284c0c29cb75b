"""When zephyr's native server->app path applies: every rule in one place.

zephyr's server calls ``app.native_http(scope, receive, send, respond)`` when
the app has one (``zephyr.types.NativeHTTPApp``); ``respond(status, headers,
body)`` sends a whole response in one call instead of two ASGI events. Each
layer between the server and the endpoint may take that path only while it
provably does what its ASGI entry would do; anything a user can redefine or
wrap sends the request down the plain ASGI path instead, where every
middleware and override sees what it would see on any server.

=====  ===================  ==========================================  ===============
rule   layer                native only when                            decided
=====  ===================  ==========================================  ===============
1      app (``BaseApp``)    the class defining ``__call__`` also        middleware
                            defines ``native_http``; zephyr's own       stack (re)built
                            ``__call__`` not replaced on its class;
                            the stack is exactly
                            ``ServerErrorMiddleware`` ->
                            ``ExceptionMiddleware`` -> the router
2      ``Router``           no router middleware; ``__call__``,         with rule 1
                            ``app`` and ``match`` not redefined
3      ``Route``            a function endpoint, no route middleware,   route built
                            ``handle`` not redefined
4      ``APIRoute``         ``handle`` and ``get_route_handler`` not    route built
                            redefined
5      matched route        a full match (not 405), and the route's     per request
                            ``app`` is still the one rule 3/4 approved
6      response             ``__call__`` not redefined (one status,     per response
                            headers and body): :func:`deliver`
=====  ===================  ==========================================  ===============

Rules 1-4 run when an app, router or route is built, never per request.
Rules 5 and 6 are one identity comparison each on the hot path. A new
override point of any of these classes needs a line here (and a row in
``tests/toolkit/test_native_rules.py``); nothing else decides.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable
from typing import TYPE_CHECKING, Any

from zephyr.middleware.errors import ServerErrorMiddleware
from zephyr.middleware.exceptions import ExceptionMiddleware
from zephyr.responses import Response
from zephyr.types import ASGIApp, Receive, Respond, Scope, Send

if TYPE_CHECKING:
    from zephyr._app import BaseApp
    from zephyr.routing import Router

__all__ = [
    "api_route_takes_respond",
    "app_entry_layers",
    "deliver",
    "keeps",
    "register_entry",
    "route_takes_respond",
    "router_is_native",
]


def keeps(cls: type, base: type, names: Iterable[str]) -> bool:
    """Whether ``cls`` inherits each of ``names`` from ``base`` unchanged.

    Args:
        cls: The class in use (``type(obj)``).
        base: The zephyr class whose behaviour the native path reproduces.
        names: The attributes a subclass could redefine.
    """
    return all(getattr(cls, name) is getattr(base, name) for name in names)


# zephyr's app classes and the ``__call__`` each defined (register_entry).
_OWN_ENTRIES: dict[type, Any] = {}


def register_entry(cls: type) -> None:
    """Record ``cls.__call__`` as zephyr's own, so rule 1 notices if it is replaced later.

    Args:
        cls: A zephyr app class defining both ``__call__`` and ``native_http``.
    """
    _OWN_ENTRIES[cls] = cls.__dict__["__call__"]


def app_entry_layers(
    app: BaseApp, stack: ASGIApp
) -> tuple[ServerErrorMiddleware, ExceptionMiddleware] | None:
    """Rules 1 and 2: the error middlewares ``app.native_http`` stands in for, or None.

    Args:
        app: The application.
        stack: Its built middleware stack.

    Returns:
        ``(server errors, exceptions)`` when the stack is exactly the default
        one around a native router; ``None`` to serve the app as ASGI.
    """
    for cls in type(app).__mro__:
        own = _OWN_ENTRIES.get(cls)
        if own is not None and cls.__dict__.get("__call__") is not own:
            # zephyr's own ``__call__`` replaced on its class (sentry-sdk patches
            # ``Starlette.__call__`` to wrap every request in its middleware).
            return None
        if "__call__" in cls.__dict__ and own is None:
            # A ``__call__`` redefined without ``native_http`` beside it may
            # do what the native entry can't know.
            if "native_http" not in cls.__dict__:
                return None
            break
    # Exact types only: a subclass may have changed what a layer does, and
    # a router with middleware of its own must be entered through it.
    if type(stack) is not ServerErrorMiddleware:
        return None
    inner = stack.app
    if type(inner) is not ExceptionMiddleware or inner.app is not app.router:
        return None
    return (stack, inner) if router_is_native(app.router) else None


def router_is_native(router: Router) -> bool:
    """Rule 2: whether ``router.native_http`` may stand in for its ASGI entry."""
    from zephyr.routing import Router

    return router.middleware_stack == router.app and keeps(
        type(router), Router, ("__call__", "app", "match")
    )


def route_takes_respond(route: Any, has_middleware: bool) -> bool:
    """Rule 3: whether a ``Route`` of a function endpoint may be given ``respond``.

    Args:
        route: The route being built.
        has_middleware: Whether it wraps middleware of its own.
    """
    from zephyr.routing import Route

    return not has_middleware and keeps(type(route), Route, ("handle",))


def api_route_takes_respond(route: Any, api_route: type, own_handler_factory: bool) -> bool:
    """Rule 4: whether an ``APIRoute`` may be given ``respond``.

    Args:
        route: The route being built.
        api_route: The ``APIRoute`` class itself (passed in: the toolkit
            does not import the API layer).
        own_handler_factory: Whether ``zephyr.routing.get_request_handler``
            is still zephyr's; a library that replaced it (sentry-sdk wraps
            FastAPI's) must see every request through its wrapper.
    """
    from zephyr.routing import Route

    cls = type(route)
    return (
        own_handler_factory
        and keeps(cls, Route, ("handle",))
        and keeps(cls, api_route, ("get_route_handler",))
    )


def deliver(
    response: Response, scope: Scope, receive: Receive, send: Send, respond: Respond | None
) -> Awaitable[None] | None:
    """Rule 6: send ``response`` through ``respond`` if it can go whole, else return its ASGI call.

    Args:
        response: The response to send.
        scope: The ASGI scope.
        receive: The ASGI ``receive``.
        send: The ASGI ``send``.
        respond: zephyr's native whole-response callable, or ``None`` off zephyr's server.

    Returns:
        What the caller must still await: the response's background task
        after a whole response went to ``respond``, else the ASGI call
        ``response(scope, receive, send)``; ``None`` when nothing is left.
    """
    # PERF: a response keeping the base ``__call__`` is a status, headers and
    # one body: one server call instead of two event dicts and two awaits.
    if respond is None or type(response).__call__ is not _CALL:
        return response(scope, receive, send)
    respond(response.status_code, response.raw_headers, response.body)
    background = response.background
    return None if background is None else background()


_CALL = Response.__call__
