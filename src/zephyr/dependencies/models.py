"""Data produced by compiling an endpoint: the dependant tree and the flat plan.

``Dependant`` is the analysed tree (one node per callable, used by OpenAPI and
to build the plan). ``Plan`` is what runs per request: an ordered list of
``Step`` calls reading and writing numbered value slots, plus one extractor
per parameter location.
"""

from __future__ import annotations

import linecache
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import TYPE_CHECKING, Any, Literal

from pydantic.fields import FieldInfo

if TYPE_CHECKING:
    from zephyr.dependencies.extract import BodyExtractor, FormExtractor, LocationExtractor
    from zephyr.dependencies.inputs import PathQueryExtractor
    from zephyr.dependencies.limits import ConcurrencyLimit
    from zephyr.params import Depends

__all__ = [
    "CallKind",
    "Dependant",
    "ExitScope",
    "Location",
    "ParamField",
    "Plan",
    "SpecialKind",
    "Step",
]


class CallKind(IntEnum):
    """How a step's callable is invoked."""

    ASYNC = 0  # awaited directly
    SYNC = 1  # run in the thread pool
    ASYNC_GEN = 2  # entered as an async context manager
    SYNC_GEN = 3  # entered as a context manager in the thread pool


Location = Literal["path", "query", "header", "cookie", "body", "form"]
"""Where a parameter is read from (form fields report their errors as ``"body"``)."""

ExitScope = Literal["request", "function", "lifespan"]
"""When a dependency's ``yield`` teardown runs, or ``"lifespan"``: created once at startup."""

SpecialKind = Literal["request", "response", "background", "security_scopes"]
"""An object injected by type rather than read from the request."""

# Location names, in the order FastAPI reports errors within one dependant.
LOCATIONS: tuple[Location, ...] = ("path", "query", "header", "cookie", "body")
LOCATION_RANK: dict[str, int] = {name: rank for rank, name in enumerate(LOCATIONS)}


@dataclass(eq=False)
class ParamField:
    """One value read from the request.

    Attributes:
        name: The Python parameter name.
        location: ``"path"``, ``"query"``, ``"header"``, ``"cookie"``,
            ``"body"`` or ``"form"``.
        external: The key in the request (alias, converted header name...).
        annotation: The declared type (``Annotated`` metadata other than the
            marker kept).
        info: The marker (``Query()``...) with the constraints.
        default: The default value (``PydanticUndefined`` when required).
        is_sequence: Whether repeated keys are collected into a list.
        is_file: Whether the value is an uploaded file (``UploadFile``/``bytes``).
        model: For ``Annotated[SomeModel, Query()]`` (or ``Header``, ``Cookie``,
            ``Form``): the Pydantic model whose fields are each read from the
            location (the first member of a union of models); ``None`` for a
            plain value.
        models: Every model of such a parameter (``Person | Company | None``).
        nullable: Whether the model parameter accepts ``None`` (``Model | None``).
        slot: Index of the value in the per-request value list.
        owner: Post-order index of the dependant declaring it (error order).
    """

    name: str
    location: Location
    external: str
    annotation: Any
    info: FieldInfo
    default: Any
    is_sequence: bool = False
    is_file: bool = False
    model: Any = None
    models: tuple[Any, ...] = ()
    nullable: bool = False
    slot: int = -1
    owner: int = -1

    @property
    def required(self) -> bool:
        """Whether the request must provide the value."""
        return self.info.is_required() and "default_factory" not in self.info.field_kwargs  # type: ignore[attr-defined]

    @property
    def alias(self) -> str:
        """The request key (FastAPI's ``ModelField.alias``): ``external``."""
        return self.external

    @property
    def field_info(self) -> FieldInfo:
        """The marker (FastAPI's ``ModelField.field_info``): ``info``."""
        return self.info

    @property
    def keys(self) -> tuple[str, ...]:
        """The request keys that may carry the value: ``external``, then other alias choices."""
        choices = getattr(self.info.validation_alias, "choices", None)
        if not choices or self.location == "path":  # A path key is chosen when compiled.
            return (self.external,)
        if not all(isinstance(c, str) for c in choices):  # An AliasPath: see _external_name.
            return (self.external,)
        others = (c for c in choices if isinstance(c, str) and c != self.external)
        return (self.external, *others)


@dataclass(eq=False)
class Dependant:
    """An analysed callable: its parameters, sub-dependencies and injections.

    The tree has FastAPI's public shape (``dependencies`` is a list of
    ``Dependant``, each with its ``name`` and ``call``; ``query_params`` and
    the other per-location lists), so code written against FastAPI's
    ``route.dependant`` reads it, and may edit it: a route builds its plan
    from its tree, again when the tree changed (see
    :meth:`~zephyr.routing.APIRoute.sync_plan`). Nothing reads it per request.

    Attributes:
        call: The callable (endpoint or dependency).
        kind: How it is called.
        params: Values read from the request, in signature order.
        dependencies: Sub-dependants, in signature order after the
            route/router-level ``dependencies=[...]``.
        name: The parameter that receives this dependency's value; ``None``
            for the endpoint and for route/router-level dependencies.
        depends: The ``Depends``/``Security`` marker that declared it
            (``None`` for the endpoint): its options are applied again when
            an override replaces the callable.
        specials: ``(parameter name, kind)`` for injected objects: kind is
            ``"request"``, ``"response"``, ``"background"`` or ``"security_scopes"``.
        security_scopes: Scopes accumulated from enclosing ``Security()`` uses.
        own_scopes: Scopes of this node's own ``Security()`` marker.
        use_cache: Whether a request reuses one call for the same cache key.
        exit_scope: ``"request"``, ``"function"`` (when ``yield`` dependencies
            end) or ``"lifespan"`` (created once at startup).
        original: The callable as written in ``Depends()`` (``call`` is its
            override when one applies); ``None`` for an endpoint.
        limit: The ``max_concurrency`` limit of the marker that declared it.
    """

    call: Callable[..., Any]
    kind: CallKind
    params: list[ParamField] = field(default_factory=list)
    dependencies: list[Dependant] = field(default_factory=list)
    name: str | None = None
    depends: Depends | None = None
    specials: list[tuple[str, SpecialKind]] = field(default_factory=list)
    security_scopes: list[str] = field(default_factory=list)
    own_scopes: list[str] = field(default_factory=list)
    is_security: bool = False
    use_cache: bool = True
    exit_scope: ExitScope = "request"
    original: Callable[..., Any] | None = None
    limit: ConcurrencyLimit | None = None

    @property
    def path_params(self) -> list[ParamField]:
        """The path parameters of this node (a new list: edit ``params``)."""
        return [p for p in self.params if p.location == "path"]

    @property
    def query_params(self) -> list[ParamField]:
        """The query parameters of this node (a new list: edit ``params``)."""
        return [p for p in self.params if p.location == "query"]

    @property
    def header_params(self) -> list[ParamField]:
        """The header parameters of this node (a new list: edit ``params``)."""
        return [p for p in self.params if p.location == "header"]

    @property
    def cookie_params(self) -> list[ParamField]:
        """The cookie parameters of this node (a new list: edit ``params``)."""
        return [p for p in self.params if p.location == "cookie"]

    @property
    def body_params(self) -> list[ParamField]:
        """The body and form fields of this node (a new list: edit ``params``)."""
        return [p for p in self.params if p.location in ("body", "form")]

    @property
    def declared(self) -> Callable[..., Any]:
        """The callable as declared, before any dependency override."""
        return self.call if self.original is None else self.original

    @property
    def uses_scopes(self) -> bool:
        """Whether the security scopes in force can change this dependency's value.

        So when it declares scopes (``Security(f, scopes=[...])``), takes
        ``SecurityScopes``, is a security scheme, or a dependency of it does.
        """
        if self.own_scopes or any(kind == "security_scopes" for _, kind in self.specials):
            return True
        from zephyr.security.base import SecurityBase  # (the security package imports params)

        if isinstance(self.call, SecurityBase):
            return True
        return any(sub.uses_scopes for sub in self.dependencies)

    @property
    def cache_key(self) -> tuple[Any, tuple[str, ...], ExitScope]:
        """``(callable, sorted security scopes, exit scope)``: equal keys share one call.

        The scopes count only where they can change the value (``uses_scopes``):
        a database session needed both inside and outside ``Security()`` is
        made once per request. The exit scope counts: a ``scope="function"``
        session and a ``scope="request"`` one are two sessions.
        """
        scopes = tuple(sorted(set(self.security_scopes))) if self.uses_scopes else ()
        return self.call, scopes, self.exit_scope


@dataclass(eq=False, slots=True)
class Step:
    """One call of the plan.

    Attributes:
        call: The callable.
        kind: How it is invoked.
        args: ``(parameter name, value slot)`` pairs building its kwargs.
        slot: Where its result goes.
        owner: Post-order index (matches ``ParamField.owner``).
        needs: Indexes (into ``Plan.steps``) of the steps it depends on.
        function_scope: Whether a ``yield`` teardown runs right after the endpoint.
        cache_key: The key under which a request reuses this call (see
            ``Dependant.cache_key``); ``None`` for the endpoint and for
            ``use_cache=False`` dependencies.
        limit: Its ``max_concurrency`` limit, held for the call (or, for a
            ``yield`` dependency, until its exit has finished).
    """

    call: Callable[..., Any]
    kind: CallKind
    args: tuple[tuple[str, int], ...]
    slot: int
    owner: int
    needs: tuple[int, ...] = ()
    function_scope: bool = False
    cache_key: Any = None
    limit: ConcurrencyLimit | None = None


async def _no_runner(values: list[Any], stack: Any) -> None:
    raise RuntimeError("plan built without a runner")


@dataclass(eq=False)
class Plan:
    """Everything needed to serve one request of a route, computed once.

    Attributes:
        root: The endpoint's dependant tree.
        steps: Calls in execution order; the last one is the endpoint.
        fields: Every ``ParamField`` of the route (each appears once).
        size: Number of value slots.
        initial: Template of the value list (constants pre-filled).
        path, query, header, cookie: Extractors, ``None`` when unused.
        inputs: Path and query together (happy path only), ``None`` unless
            both are set and plain.
        body: JSON body extractor, ``None`` when the route has no body.
        form: Form extractor, ``None`` when the route has no form fields.
        request_slot / response_slot / background_slot: Slots of injected
            objects, ``-1`` when nobody asks for them.
        has_generators: Whether any step needs an exit stack.
        has_async_generators: Whether an ``async`` ``yield`` dependency is among
            them (its cleanup may await: it runs shielded from cancellation).
        has_function_scope: Whether a ``yield`` step ends right after the endpoint.
        calls: Every dependency callable of the route (to spot overrides).
        lifespan: ``(key, slot)`` of each lifespan-scoped dependency: its
            value, created at startup, is copied into the slot per request.
        lifespan_nodes: Those dependencies' trees, run at startup.
        has_inputs: Whether any extractor is set (else extraction is skipped).
        may_parse_form: Whether anything of the plan can parse the request's
            form (a form extractor, or the ``Request`` itself injected), so
            its uploads must be closed after the response.
        runner: Generated coroutine running ``steps`` (see ``compile_runner``).
    """

    root: Dependant
    steps: list[Step]
    fields: list[ParamField]
    size: int
    initial: list[Any]
    path: LocationExtractor | None = None
    query: LocationExtractor | None = None
    header: LocationExtractor | None = None
    cookie: LocationExtractor | None = None
    inputs: PathQueryExtractor | None = None
    body: BodyExtractor | None = None
    form: FormExtractor | None = None
    request_slot: int = -1
    response_slot: int = -1
    background_slot: int = -1
    has_generators: bool = False
    has_async_generators: bool = False
    has_function_scope: bool = False
    calls: frozenset[Any] = frozenset()
    lifespan: tuple[tuple[Any, int], ...] = ()
    lifespan_nodes: list[Dependant] = field(default_factory=list)
    has_inputs: bool = False
    may_parse_form: bool = False
    runner: Callable[[list[Any], Any], Awaitable[None]] = _no_runner

    def describe(self) -> str:
        """A readable dump of the plan, for debugging: steps, extractors, slots, runner.

        Returns:
            Several lines of text: each step with its call kind, keyword
            arguments (``name=v[slot]``), result slot, the steps it needs and
            its cache key; each extractor with the fields it fills; the
            injected and lifespan slots; the generated runner's source.
        """
        lines = [f"plan of {_name(self.root.call)}: {len(self.steps)} steps, {self.size} slots"]
        for index, step in enumerate(self.steps):
            args = ", ".join(f"{name}=v[{slot}]" for name, slot in step.args)
            line = f"  step {index}: v[{step.slot}] = {step.kind.name.lower()} {_name(step.call)}"
            line += f"({args})"
            if step.needs:
                line += f" after steps {', '.join(map(str, step.needs))}"
            if step.function_scope:
                line += " [function scope]"
            if step.cache_key is not None:
                call, scopes, _ = step.cache_key  # the exit scope is shown above
                line += f" cache key ({_name(call)}, {scopes!r})"
            lines.append(line)
        for location in ("path", "query", "header", "cookie", "body", "form"):
            extractor = getattr(self, location)
            if extractor is None:
                continue
            reads = ", ".join(f"{p.external!r}->v[{p.slot}]" for p in extractor.params)
            lines.append(f"  {location}: {type(extractor).__name__} {reads}")
        if self.inputs is not None:
            lines.append("  path+query: validated in one call while both are valid")
        injected = [
            f"{kind}=v[{slot}]"
            for kind, slot in (
                ("request", self.request_slot),
                ("response", self.response_slot),
                ("background", self.background_slot),
            )
            if slot >= 0
        ]
        if injected:
            lines.append(f"  injected: {', '.join(injected)}")
        for key, slot in self.lifespan:
            lines.append(f"  lifespan: v[{slot}] = {_name(key)} (created at startup)")
        code = getattr(self.runner, "__code__", None)
        if code is not None and code.co_filename.startswith("<zephyr plan "):
            lines.append(f"  runner {code.co_filename}:")
            source = linecache.getlines(code.co_filename)
            lines.extend("    " + text.rstrip("\n") for text in source)
        return "\n".join(lines)


def _name(call: Any) -> str:
    return getattr(call, "__qualname__", None) or type(call).__name__
