"""``APIRoute``: a route whose endpoint takes typed parameters.

A route compiles its endpoint when it is created (see
:mod:`zephyr.dependencies.compile`) and its response serializer too: per
request it runs the plan, then turns the return value into bytes in one
Pydantic call. The app serving it is chosen once, for the features it uses
(a body limit, a wrapped handler: see :mod:`zephyr._api.handler`).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from enum import Enum
from typing import Any

from pydantic import PydanticSchemaGenerationError, TypeAdapter, ValidationError

from zephyr import params
from zephyr._api.handler import (
    SWALLOWED,
    RouteHandlerHook,
    get_request_handler,
    request_handler_factory,
)
from zephyr._api.plans import OverridablePlan
from zephyr._api.streaming import (
    as_plain_call,
    is_event_type,
    is_raw_stream,
    stream_item_type,
    stream_response,
)
from zephyr._body_limit import (
    DEFAULT_BUFFERED_BODY_SIZE,
    buffered_receive,
    check_max_body_size,
    declared_length,
    enter_limit,
    nearest,
    refuse,
)
from zephyr._form_limits import FormLimits, check_form_limits, merge_form_limits
from zephyr._native import api_route_takes_respond, deliver
from zephyr._nocontent import NO_CONTENT_STATUSES, reframe_headers
from zephyr._pydantic_v1 import reject_v1_models
from zephyr.api_exceptions import (
    EndpointContext,
    RequestValidationError,
    ResponseValidationError,
    ZephyrError,
    endpoint_context,
)
from zephyr.datastructures import Default, DefaultPlaceholder
from zephyr.dependencies.cleanup import DependencyStack
from zephyr.dependencies.compile import analyze_endpoint, build_plan, get_typed_signature
from zephyr.dependencies.models import Dependant, ParamField, Plan
from zephyr.dependencies.solve import solve
from zephyr.dependencies.utils import body_field, flat_body_params, should_embed_body_fields
from zephyr.encoders import NOT_NATIVE, PLAIN, json_kind, jsonable_encoder
from zephyr.requests import Request
from zephyr.responses import JSONResponse, Response, plain_json_response
from zephyr.routing import BaseRoute, Route
from zephyr.types import Receive, Respond, Scope, Send

__all__ = ["APIRoute", "generate_unique_id"]


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


def generate_unique_id(route: APIRoute) -> str:
    """Default operation id: ``<name><path>_<method>`` with non-word characters as ``_``."""
    operation_id = f"{route.name}{route.path_format}"
    operation_id = re.sub(r"\W", "_", operation_id)
    return f"{operation_id}_{sorted(route.methods or ['GET'])[0].lower()}"


class _JSONBytes(JSONResponse):
    """A ``JSONResponse`` whose content is already-serialized JSON bytes."""

    def render(self, content: Any) -> bytes:
        return content  # type: ignore[no-any-return]


class _Unset:
    """``route.body_field`` not computed yet."""


_UNSET = _Unset()


class APIRoute(OverridablePlan, RouteHandlerHook, Route):
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
                    raise ZephyrError(SWALLOWED) from exc
                with stack.shielded():
                    await stack.aclose()
                await stack.cancelled_meanwhile()
        finally:
            if plan.may_parse_form:
                await request.close()

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
