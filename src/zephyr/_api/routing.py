"""``APIRoute`` and ``APIRouter``: routes whose endpoints take typed parameters.

A route compiles its endpoint when it is created (see
:mod:`zephyr.dependencies.compile`) and its response serializer too: per
request it runs the plan, then turns the return value into bytes in one
Pydantic call.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from enum import Enum
from typing import Any, TypeVar, Unpack

from pydantic import PydanticSchemaGenerationError, TypeAdapter, ValidationError

from zephyr import params
from zephyr._api.options import OperationOptions, RouteOptions
from zephyr._api.plans import OverridablePlan
from zephyr._api.streaming import (
    as_plain_call,
    is_event_type,
    is_raw_stream,
    stream_item_type,
    stream_response,
)
from zephyr._api.websocket import APIWebSocketRoute
from zephyr._body_limit import (
    DEFAULT_BUFFERED_BODY_SIZE,
    RequestLimitsMiddleware,
    buffered_receive,
    check_max_body_size,
    declared_length,
    enter_limit,
    nearest,
    refuse,
)
from zephyr._form_limits import FormLimits, check_form_limits, merge_form_limits
from zephyr._frontend import FrontendRouter
from zephyr._native import api_route_takes_respond, deliver
from zephyr._nocontent import NO_CONTENT_STATUSES, reframe_headers
from zephyr._pydantic_v1 import reject_v1_models
from zephyr._routes import served_by
from zephyr._websocket_routing import WebSocketRoute
from zephyr.api_exceptions import (
    EndpointContext,
    RequestValidationError,
    ResponseValidationError,
    ZephyrError,
    endpoint_context,
)
from zephyr.background import BackgroundTasks
from zephyr.datastructures import Default, DefaultPlaceholder
from zephyr.dependencies.cleanup import DependencyStack
from zephyr.dependencies.compile import analyze_endpoint, build_plan, get_typed_signature
from zephyr.dependencies.models import Dependant, ParamField, Plan
from zephyr.dependencies.solve import solve
from zephyr.dependencies.utils import body_field, flat_body_params, should_embed_body_fields
from zephyr.encoders import NOT_NATIVE, PLAIN, json_kind, jsonable_encoder
from zephyr.middleware import Middleware
from zephyr.requests import Request
from zephyr.responses import JSONResponse, Response, plain_json_response
from zephyr.routing import BaseRoute, Mount, Route, Router
from zephyr.types import Receive, Respond, Scope, Send

__all__ = [
    "APIRoute",
    "APIRouter",
    "APIWebSocketRoute",
    "Default",
    "_IncludedRouter",
    "generate_unique_id",
]

F = TypeVar("F", bound=Callable[..., Any])


def _declared_types(
    endpoint: Callable[..., Any], response_model: Any, responses: dict[int | str, Any] | None
) -> list[tuple[str, Any]]:
    """The types a route declares: its parameters', its response model, its responses'."""
    declared = [
        (f"parameter {name!r}", parameter.annotation)
        for name, parameter in get_typed_signature(endpoint).parameters.items()
    ]
    declared.append(("response_model", response_model))
    for code, response in (responses or {}).items():
        if isinstance(response, dict) and "model" in response:
            declared.append((f"responses[{code!r}]", response["model"]))
    return declared


def _unwrap(value: Any) -> Any:
    return value.value if isinstance(value, DefaultPlaceholder) else value


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


def generate_unique_id(route: APIRoute) -> str:
    """Default operation id: ``<name><path>_<method>`` with non-word characters as ``_``."""
    operation_id = f"{route.name}{route.path_format}"
    operation_id = re.sub(r"\W", "_", operation_id)
    return f"{operation_id}_{sorted(route.methods or ['GET'])[0].lower()}"


class _JSONBytes(JSONResponse):
    """A ``JSONResponse`` whose content is already-serialized JSON bytes."""

    def render(self, content: Any) -> bytes:
        return content  # type: ignore[no-any-return]


_SWALLOWED = (
    "No response to send: the application code is raising an exception and a "
    "dependency with yield caught it without raising it again (a bare `except:` or "
    "`except Exception:` around its `yield`). Re-raise it (`raise`) in the dependency, "
    "or raise an HTTPException there to answer the request."
)
"""Why a request whose error a ``yield`` dependency suppressed fails anyway."""
_EXIT_STACK_KEY = "zephyr.exit_stack"
"""Scope key of the exit stack that ends ``yield`` dependencies after the response."""


class _Unset:
    """``route.body_field`` not computed yet."""


_UNSET = _Unset()


class APIRoute(OverridablePlan, Route):
    """A route whose endpoint declares typed parameters, dependencies and a response model.

    Args:
        path: The path template, e.g. ``"/items/{item_id}"``.
        endpoint: The path operation function (sync functions run in the thread pool).
        response_model: Type the return value is validated and serialized
            as; default the return annotation; ``None`` disables it.
        status_code: Status of successful responses (default 200, or the
            response class's default).
        tags / summary / description / response_description / responses /
            deprecated / operation_id / openapi_extra / callbacks: OpenAPI data.
        dependencies: ``Depends()`` run before the endpoint, results unused.
        methods: HTTP methods (default ``["GET"]``); ``HEAD`` is not implied.
        response_model_include / response_model_exclude /
            response_model_by_alias / response_model_exclude_unset /
            response_model_exclude_defaults / response_model_exclude_none:
            Serialization options of the response model.
        include_in_schema: List the route in OpenAPI.
        response_class: Class of the responses built from return values.
        name: Route name for ``url_path_for`` (default the function name).
        generate_unique_id_function: ``route -> operation id``.
        strict_content_type: Parse a body without ``Content-Type`` as JSON only
            when False (default True: such a body is not JSON; see the app's
            option of the same name).
        dependency_overrides_provider: Object with ``dependency_overrides``
            (usually the app); default ``scope["app"]``.
    """

    # OpenAPI callbacks and webhooks are declared with paths such as
    # "{$callback_url}/events" or "new-user": documented, never routed.
    _require_leading_slash = False

    def __init__(
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
        name: str | None = None,
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
        dependency_overrides_provider: Any = None,
        callbacks: list[BaseRoute] | None = None,
        openapi_extra: dict[str, Any] | None = None,
        generate_unique_id_function: Callable[[APIRoute], str] | Any = Default(generate_unique_id),
        strict_content_type: bool | Any = Default(True),
        max_body_size: int | None = None,
        form_limits: FormLimits | None = None,
    ) -> None:
        super().__init__(
            path, endpoint, methods=None, name=name, include_in_schema=include_in_schema
        )
        self.max_body_size = check_max_body_size(max_body_size)
        self.form_limits = check_form_limits(form_limits)
        # Form limits of the routers and inclusions above, applied under the route's own.
        self.inherited_form_limits: FormLimits = {}
        # The app's cap on bodies read whole where no max_body_size applies.
        self.buffered_body_limit: int | None = DEFAULT_BUFFERED_BODY_SIZE
        self.methods = [m.upper() for m in (methods or ["GET"])]
        self.methods = list(dict.fromkeys(self.methods))
        # Generator endpoints stream their items (JSON Lines, or SSE events).
        self.stream_item_type: Any = None
        self.streaming = inspect.isasyncgenfunction(endpoint) or inspect.isgeneratorfunction(
            endpoint
        )
        if self.streaming:
            if isinstance(response_model, DefaultPlaceholder):
                annotation = get_typed_signature(endpoint).return_annotation
                item_type = stream_item_type(annotation)
                # Declared events are sent as they are, and document no data schema.
                self.stream_item_type = None if is_event_type(item_type) else item_type
            else:
                self.stream_item_type = response_model
            response_model = None
        if isinstance(response_model, DefaultPlaceholder):
            annotation = get_typed_signature(endpoint).return_annotation
            response_model = None
            if annotation is not inspect.Signature.empty and not (
                isinstance(annotation, type) and issubclass(annotation, Response)
            ):
                response_model = annotation
        self.response_model = response_model
        reject_v1_models(_declared_types(endpoint, response_model, responses))
        self.status_code = status_code
        self.tags = list(tags or [])
        self.dependencies = list(dependencies or [])
        self.summary = summary
        self.description = description or inspect.cleandoc(endpoint.__doc__ or "")
        self.description = self.description.split("\f")[0].strip()
        self.response_description = response_description
        self.responses = dict(responses or {})
        self.deprecated = deprecated
        self.operation_id = operation_id
        self.response_model_include = response_model_include
        self.response_model_exclude = response_model_exclude
        self.response_model_by_alias = response_model_by_alias
        self.response_model_exclude_unset = response_model_exclude_unset
        self.response_model_exclude_defaults = response_model_exclude_defaults
        self.response_model_exclude_none = response_model_exclude_none
        self.response_class = response_class
        self.dependency_overrides_provider = dependency_overrides_provider
        self.callbacks = callbacks
        self.openapi_extra = openapi_extra
        self.generate_unique_id_function = generate_unique_id_function
        self.strict_content_type = strict_content_type
        self.unique_id = self.operation_id or _unwrap(generate_unique_id_function)(self)
        self._path_names = set(self.param_convertors)
        self._plan_call = as_plain_call(endpoint) if self.streaming else endpoint
        # The tree is the source of the plans (code written for FastAPI may edit
        # it: see sync_plan).
        self._init_plans(
            analyze_endpoint(
                self._plan_call, path_names=self._path_names, dependencies=self.dependencies
            )
        )
        # FastAPI's ``route.body_field``: computed when first read, unless set.
        self._body_field: ParamField | _Unset | None = _UNSET
        self._custom_handler: Callable[[Request], Awaitable[Response]] | None = None
        self._compile_response()
        # The app a body-limit entry wraps, and the route's own app: both set by _select_app.
        self._unlimited_app: Callable[..., Awaitable[None]] = self._handle
        self._own_app: Callable[..., Awaitable[None]] = self._handle
        self._select_app()

    def _select_app(self) -> None:
        """Pick the route's ASGI callable for the features it uses, once, not per request."""
        own_factory = request_handler_factory() is get_request_handler
        native = api_route_takes_respond(self, APIRoute, own_factory)
        app: Callable[..., Awaitable[None]] = self._handle
        if type(self).get_route_handler is not APIRoute.get_route_handler or not own_factory:
            # A subclass wraps the request -> response handler (FastAPI's custom route
            # class hook), or a library replaced get_request_handler: only such
            # routes pay for the extra call. Built once per route: the handler
            # reads the route's current plan per request, and a wrapper that
            # edits the tree as it builds (older sentry-sdk wraps the
            # endpoint's call) must not wrap again when limits are inherited.
            if self._custom_handler is None:
                self._custom_handler = self.get_route_handler()
            app = self._handle_custom
        if self.max_body_size is not None:
            # Only routes under a body limit pay for counting the body.
            self._unlimited_app = app
            app = self._handle_limited
        elif self.plan.body is not None and self.buffered_body_limit is not None:
            # The default cap on a JSON body read whole counts bytes as they
            # arrive (not after reading it all); routes without a body skip it.
            self._unlimited_app = app
            app = self._handle_buffered
        self.app = app
        # One bound-method object for both: rule 5 of ``zephyr._native`` compares
        # identities (a second ``self._handle_limited`` would be a new object,
        # never native).
        self.native_app = app if native else None
        # What request_response(route.get_route_handler()) gives back (see _plan_handler).
        self._own_app = app

    def inherit_limits(
        self,
        max_body_size: int | None,
        form_limits: FormLimits,
        buffered_body_limit: int | None = DEFAULT_BUFFERED_BODY_SIZE,
    ) -> None:
        """Apply the limits of the router (and inclusion) this route is added to.

        Args:
            max_body_size: The nearest limit set above the route's own, or None;
                used when the route sets none.
            form_limits: Form limits from above, under the route's own keys.
            buffered_body_limit: The app's ``max_buffered_body_size``.
        """
        before = (self.max_body_size, self.buffered_body_limit)
        self.max_body_size = nearest(self.max_body_size, max_body_size)
        self.buffered_body_limit = buffered_body_limit
        changed = (self.max_body_size, self.buffered_body_limit) != before
        if changed or form_limits != self.inherited_form_limits:
            self.inherited_form_limits = form_limits.copy()
            self._build_plan()
        self._select_app()

    async def _handle_limited(
        self, scope: Scope, receive: Receive, send: Send, respond: Respond | None = None
    ) -> None:
        limit = self.max_body_size
        assert limit is not None
        if declared_length(scope) > limit:
            await refuse(scope, receive, send)  # refused before reading a byte
            return
        # Raises BodyTooLarge (a 413 for the exception handlers) when middleware
        # above already read more than this route allows.
        receive = enter_limit(scope, receive, limit)
        if respond is None:
            await self._unlimited_app(scope, receive, send)
        else:
            await self._unlimited_app(scope, receive, send, respond)

    async def _handle_buffered(
        self, scope: Scope, receive: Receive, send: Send, respond: Respond | None = None
    ) -> None:
        limit = self.buffered_body_limit
        assert limit is not None
        # Raises the 413 (for the exception handlers) when the declared length is over.
        receive = buffered_receive(scope, receive, limit)
        if respond is None:
            await self._unlimited_app(scope, receive, send)
        else:
            await self._unlimited_app(scope, receive, send, respond)

    def _compile_response(self) -> None:
        self._response_class: type[Response] = _unwrap(self.response_class)
        self._stream_adapter: TypeAdapter[Any] | None = None
        item_type = self.stream_item_type
        raw = is_raw_stream(self._response_class)  # raw chunks are not validated
        if not (item_type is None or is_event_type(item_type) or raw):
            self._stream_adapter = TypeAdapter(item_type)
        self._fast_json = self._response_class is JSONResponse
        self.response_adapter: TypeAdapter[Any] | None = None
        if self.response_model is not None:
            self.response_adapter = _model_adapter(self.response_model, "response_model", self)
        for code, extra in self.responses.items():
            model = extra.get("model") if isinstance(extra, dict) else None
            if model is not None:
                # Checked now, so a bad model fails at startup, not in /openapi.json.
                _model_adapter(model, f"responses[{code!r}]", self)
        self._dump_options = {
            "include": self.response_model_include,
            "exclude": self.response_model_exclude,
            "by_alias": self.response_model_by_alias,
            "exclude_unset": self.response_model_exclude_unset,
            "exclude_defaults": self.response_model_exclude_defaults,
            "exclude_none": self.response_model_exclude_none,
        }

    @property
    def body_field(self) -> ParamField | None:
        """The request body as one field (FastAPI's ``route.body_field``); zephyr reads the plan.

        Computed from the tree when first read (``None`` without a body),
        unless set: libraries that add dependencies set it again.
        """
        if isinstance(self._body_field, _Unset):
            self._body_field = body_field(
                body_params=flat_body_params(self.dependant),
                name=self.unique_id,
                embed_body_fields=self._embed_body_fields,
            )
        return self._body_field

    @body_field.setter
    def body_field(self, value: ParamField | None) -> None:
        self._body_field = value

    @property
    def _embed_body_fields(self) -> bool:
        # FastAPI's private attribute, which libraries pass back to
        # ``_get_body_field``: whether the body is read field by field.
        return should_embed_body_fields(flat_body_params(self.dependant))

    def _build(self, root: Dependant) -> Plan:
        return build_plan(
            root,
            strict_content_type=bool(_unwrap(self.strict_content_type)),
            form_limits=merge_form_limits(self.form_limits, self.inherited_form_limits),
            # A max_body_size replaces the default cap (it counts every byte).
            buffered_limit=self.buffered_body_limit if self.max_body_size is None else None,
        )

    async def _handle(
        self, scope: Scope, receive: Receive, send: Send, respond: Respond | None = None
    ) -> None:
        # The ASGI app of the route; zephyr's server also passes ``respond``.
        request = Request(scope, receive, send)
        plan = self.plan
        provider = self.dependency_overrides_provider or scope.get("app")
        overrides = getattr(provider, "dependency_overrides", None)
        if overrides:
            plan = self.plan_for(overrides)
        if plan.has_generators:
            await self._handle_with_stack(plan, request, scope, receive, send, respond)
            return
        try:
            response = await self._respond(plan, request, None)
            pending = deliver(response, scope, receive, send, respond)
            if pending is not None:
                await pending
        finally:
            if plan.may_parse_form:
                await request.close()  # uploads' temporary files go now, not at GC time

    async def _handle_with_stack(
        self,
        plan: Plan,
        request: Request,
        scope: Scope,
        receive: Receive,
        send: Send,
        respond: Respond | None,
    ) -> None:
        # ``_handle`` for a plan with ``yield`` dependencies: they end after the
        # response has been sent (see zephyr.dependencies.cleanup).
        stack = DependencyStack()
        try:
            with stack.scope(plan):
                try:
                    response = await self._respond(plan, request, stack)
                    pending = deliver(response, scope, receive, send, respond)
                    if pending is not None:
                        await pending
                except BaseException as exc:
                    with stack.shielded():
                        suppressed = await stack.__aexit__(type(exc), exc, exc.__traceback__)
                    if not suppressed:
                        raise
                    # A dependency swallowed the error: the response is missing (or cut short).
                    raise ZephyrError(_SWALLOWED) from exc
                with stack.shielded():
                    await stack.aclose()
                await stack.cancelled_meanwhile()
        finally:
            if plan.may_parse_form:
                await request.close()

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
            stack: AsyncExitStack | None = request.scope.get(_EXIT_STACK_KEY)
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
            raise ZephyrError(_SWALLOWED) from exc
        tasks = BackgroundTasks()
        if response.background is not None:
            tasks.add_task(response.background)
        tasks.add_task(stack.aclose)
        response.background = tasks
        return response

    async def _handle_custom(self, scope: Scope, receive: Receive, send: Send) -> None:
        async with AsyncExitStack() as stack:
            scope[_EXIT_STACK_KEY] = stack
            handler = self._custom_handler
            assert handler is not None  # set with this app
            response = await handler(Request(scope, receive, send))
            await response(scope, receive, send)

    async def _respond(
        self, plan: Plan, request: Request, stack: AsyncExitStack | None
    ) -> Response:
        try:
            result, values = await solve(plan, request, stack)
        except RequestValidationError as exc:
            ctx = self._error_context(request)
            raise RequestValidationError(exc.errors(), body=exc.body, endpoint_ctx=ctx) from None
        background = values[plan.background_slot] if plan.background_slot >= 0 else None
        if isinstance(result, Response):
            if background is not None and result.background is None:
                result.background = background
            return result
        if self.streaming:
            response: Response = stream_response(
                result,
                self._response_class,
                self._stream_adapter,
                self.status_code,
                self._dump_options,
            )
        else:
            try:
                response = self.serialize(result)
            except ResponseValidationError as exc:
                ctx = self._error_context(request)
                errors = exc.errors()
                raise ResponseValidationError(errors, body=exc.body, endpoint_ctx=ctx) from None
        if plan.response_slot >= 0:
            sub = values[plan.response_slot]
            if sub.status_code:
                response.status_code = sub.status_code
            response.raw_headers.extend(sub.raw_headers)
        if background is not None:
            response.background = background
        if response.status_code in NO_CONTENT_STATUSES:
            # The body goes, and the framing headers follow the status.
            response.body = b""
            reframe_headers(response.raw_headers, response.status_code)
        return response

    def _error_context(self, request: Request) -> EndpointContext:
        # Only on a validation error: the operation as the client saw it
        # (a mounted app's prefix is in root_path).
        path = f"{request.method} {request.scope.get('root_path', '')}{self.path}"
        return endpoint_context(self.endpoint, path)

    def serialize(self, result: Any) -> Response:
        """Build the response for an endpoint's return value.

        Raises:
            ResponseValidationError: The value doesn't match the response model.
        """
        status = self.status_code
        adapter = self.response_adapter
        if adapter is None:
            if self._fast_json:
                kind = json_kind(result)
                if kind == PLAIN:
                    # PERF: float-free plain data: body bytes without the
                    # NaN/exponent scan, response built without __init__.
                    return plain_json_response(result, status or 200)
                if kind == NOT_NATIVE:
                    # Decimal, timedelta, sets...: spelled as jsonable_encoder does.
                    result = jsonable_encoder(result)
                return JSONResponse(result, status_code=status or 200)
            return self._make(jsonable_encoder(result), status)
        try:
            value = adapter.validate_python(result, from_attributes=True)
        except ValidationError as exc:
            errors = [
                {**error, "loc": ("response", *error["loc"])}
                for error in exc.errors(include_url=False)
            ]
            raise ResponseValidationError(errors, body=result) from None
        if self._fast_json:
            # PERF: one Rust call from validated value to body bytes.
            body = adapter.dump_json(value, **self._dump_options)
            return _JSONBytes(body, status_code=status or 200)
        return self._make(adapter.dump_python(value, mode="json", **self._dump_options), status)

    def _make(self, content: Any, status: int | None) -> Response:
        if status is None:
            return self._response_class(content)
        return self._response_class(content, status_code=status)


def _model_adapter(model: Any, where: str, route: APIRoute) -> TypeAdapter[Any]:
    """Return the ``TypeAdapter`` of a response model.

    Raises:
        ZephyrError: Pydantic cannot make a schema of ``model`` (a plain class,
            or a ``Response`` in a union return annotation).
    """
    try:
        return TypeAdapter(model)
    except PydanticSchemaGenerationError as exc:
        raise ZephyrError(
            f"{model!r} ({where} of {route.name!r}, {route.path}) is not a valid Pydantic "
            "field type, so the response cannot be validated with it. Use a Pydantic "
            "model or type; for a return annotation that is not meant as one, pass the "
            "parameter response_model=None to the path operation."
        ) from exc


def _check_paths_not_empty(router: Router) -> None:
    """Refuse a route of ``router`` with an empty path, included without a prefix.

    ``@router.get("")`` means "the prefix itself"; with no prefix there is no
    path to serve it at.

    Raises:
        ZephyrError: Naming the first such route.
    """
    for route in router.routes:
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
            _check_paths_not_empty(router)
        max_body_size = check_max_body_size(max_body_size)
        form_limits = check_form_limits(form_limits)
        for route in router.routes:
            if isinstance(route, APIRoute):
                self._include_api_route(
                    route,
                    prefix=prefix,
                    tags=tags,
                    dependencies=dependencies,
                    default_response_class=default_response_class,
                    responses=responses,
                    callbacks=callbacks,
                    deprecated=deprecated,
                    include_in_schema=include_in_schema,
                    generate_unique_id_function=generate_unique_id_function,
                    strict_content_type=strict_content_type,
                    max_body_size=max_body_size,
                    form_limits=form_limits,
                )
            elif isinstance(route, APIWebSocketRoute):
                self.add_api_websocket_route(
                    prefix + route.path,
                    route.endpoint,
                    name=route.name,
                    dependencies=[*(dependencies or []), *route.dependencies],
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
                if max_body_size is not None or form_limits:
                    # The mounted app reads under this inclusion's limits.
                    layers.append(Middleware(RequestLimitsMiddleware, max_body_size, form_limits))
                mount = Mount(
                    prefix + route.path, app=route.app, name=route.name, middleware=layers
                )
                self.routes.append(mount)
            else:
                self.routes.append(route)
        self._include_frontends(router, prefix, dependencies, max_body_size)
        self.include_lifespan(router)

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
        added = self.routes[-1]
        assert isinstance(added, APIRoute)
        inherited = merge_form_limits(route.inherited_form_limits, options["form_limits"])
        added.inherit_limits(
            self.max_body_size,
            merge_form_limits(inherited, self.form_limits),
            self.max_buffered_body_size,
        )
