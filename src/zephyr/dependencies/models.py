"""Data produced by compiling an endpoint: the dependant tree and the flat plan.

``Dependant`` is the analysed tree (one node per callable, used by OpenAPI and
to build the plan). ``Plan`` is what runs per request: an ordered list of
``Step`` calls reading and writing numbered value slots, plus one extractor
per parameter location.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import TYPE_CHECKING, Any

from pydantic.fields import FieldInfo

if TYPE_CHECKING:
    from zephyr.dependencies.extract import BodyExtractor, FormExtractor, LocationExtractor
    from zephyr.dependencies.inputs import PathQueryExtractor

__all__ = ["CallKind", "Dependant", "ParamField", "Plan", "Step"]


class CallKind(IntEnum):
    """How a step's callable is invoked."""

    ASYNC = 0  # awaited directly
    SYNC = 1  # run in the thread pool
    ASYNC_GEN = 2  # entered as an async context manager
    SYNC_GEN = 3  # entered as a context manager in the thread pool


# Location names, in the order FastAPI reports errors within one dependant.
LOCATIONS = ("path", "query", "header", "cookie", "body")
LOCATION_RANK = {name: rank for rank, name in enumerate(LOCATIONS)}


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
    location: str
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
    def keys(self) -> tuple[str, ...]:
        """The request keys that may carry the value: ``external``, then other alias choices."""
        choices = getattr(self.info.validation_alias, "choices", None)
        if not choices or self.location == "path":  # A path key is chosen when compiled.
            return (self.external,)
        others = (c for c in choices if isinstance(c, str) and c != self.external)
        return (self.external, *others)


@dataclass(eq=False)
class Dependant:
    """An analysed callable: its parameters, sub-dependencies and injections.

    Attributes:
        call: The callable (endpoint or dependency).
        kind: How it is called.
        params: Values read from the request, in signature order.
        dependencies: ``(parameter name or None, sub-dependant)`` pairs; the
            name is ``None`` for route/router-level ``dependencies=[...]``.
        specials: ``(parameter name, kind)`` for injected objects: kind is
            ``"request"``, ``"response"``, ``"background"`` or ``"security_scopes"``.
        security_scopes: Scopes accumulated from enclosing ``Security()`` uses.
        own_scopes: Scopes of this node's own ``Security()`` marker.
        use_cache: Whether a request reuses one call for the same cache key.
        exit_scope: ``"request"``, ``"function"`` (when ``yield`` dependencies
            end) or ``"lifespan"`` (created once at startup).
    """

    call: Callable[..., Any]
    kind: CallKind
    params: list[ParamField] = field(default_factory=list)
    dependencies: list[tuple[str | None, Dependant]] = field(default_factory=list)
    specials: list[tuple[str, str]] = field(default_factory=list)
    security_scopes: list[str] = field(default_factory=list)
    own_scopes: list[str] = field(default_factory=list)
    is_security: bool = False
    use_cache: bool = True
    exit_scope: str = "request"

    @property
    def cache_key(self) -> tuple[Any, tuple[str, ...]]:
        """``(callable, sorted security scopes)``: equal keys share one call per request."""
        return self.call, tuple(sorted(set(self.security_scopes)))


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
    """

    call: Callable[..., Any]
    kind: CallKind
    args: tuple[tuple[str, int], ...]
    slot: int
    owner: int
    needs: tuple[int, ...] = ()
    function_scope: bool = False


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
        has_function_scope: Whether a ``yield`` step ends right after the endpoint.
        calls: Every dependency callable of the route (to spot overrides).
        lifespan: ``(key, slot)`` of each lifespan-scoped dependency: its
            value, created at startup, is copied into the slot per request.
        lifespan_nodes: Those dependencies' trees, run at startup.
        has_inputs: Whether any extractor is set (else extraction is skipped).
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
    has_function_scope: bool = False
    calls: frozenset[Any] = frozenset()
    lifespan: tuple[tuple[Any, int], ...] = ()
    lifespan_nodes: list[Dependant] = field(default_factory=list)
    has_inputs: bool = False
    runner: Callable[[list[Any], Any], Awaitable[None]] = _no_runner
