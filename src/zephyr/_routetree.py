"""The compiled route table: a static dict plus a segment tree.

``Router`` used to be "try every route's regex in order"; that costs O(routes)
per request. The table here finds the routes whose *path* matches in time that
depends on the path's length, not on the number of routes:

* templates without parameters go into a dict ``path -> [(index, route)]``;
* templates made of literal segments and whole-segment parameters with a
  segment-safe convertor (``str``, ``int``, ``float``, ``uuid``), optionally
  ending in one ``{name:path}`` segment, go into a tree keyed by path segment:
  each node has a dict of literal children, a short list of parameter edges
  (one per convertor) and a list of catch-all (``path``) leaves.

Everything else (mounts, hosts, templates like ``/{a}.{b}``, custom
convertors, routes that override ``matches``) is not the table's business:
the router keeps those in an ordered fallback list. The table returns *all*
path candidates with their declaration index so the router can reproduce the
"first declared route that matches wins" rule exactly.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any, SupportsIndex

from zephyr.convertors import Convertor, IntegerConvertor, PathConvertor, StringConvertor

PARAM_REGEX = re.compile(r"{([a-zA-Z_][a-zA-Z0-9_]*)(:[a-zA-Z_][a-zA-Z0-9_]*)?}")
"""A ``{name}`` or ``{name:convertor}`` placeholder in a route template."""

Candidate = tuple[int, Any, dict[str, Any]]
"""``(declaration index, route, converted path params)``."""

_Leaf = tuple[int, Any, tuple[str, ...]]


class _ParamEdge:
    __slots__ = ("convertor", "digits", "node", "pattern", "plain")

    def __init__(self, convertor: Convertor[Any]) -> None:
        self.convertor = convertor
        self.pattern = re.compile(convertor.regex)
        # PERF: a ``str`` parameter matches any non-empty segment; skip the regex.
        self.plain = type(convertor) is StringConvertor
        # PERF: ``int``'s ``[0-9]+`` is ``isascii() and isdigit()``, then ``int()``:
        # no regex, no convert() call (~0.1 µs).
        self.digits = type(convertor) is IntegerConvertor
        self.node = _Node()


class _Node:
    __slots__ = ("catchall", "leaves", "literal", "params")

    def __init__(self) -> None:
        self.literal: dict[str, _Node] = {}
        self.params: list[_ParamEdge] = []
        self.catchall: list[_Leaf] = []
        self.leaves: list[_Leaf] = []

    def param_child(self, convertor: Convertor[Any]) -> _Node:
        for edge in self.params:
            if edge.convertor is convertor:
                return edge.node
        edge = _ParamEdge(convertor)
        self.params.append(edge)
        return edge.node


def _parse_segment(segment: str, convertors: dict[str, Convertor[Any]]) -> Any:
    """Return the literal text, ``(name, convertor)``, or ``None`` if unsupported."""
    if "{" not in segment:
        return segment
    match = PARAM_REGEX.fullmatch(segment)
    if match is None:
        return None
    name = match.group(1)
    convertor = convertors.get(name)
    return None if convertor is None else (name, convertor)


class RouteTable:
    """Path lookup over the routes that support it.

    Args:
        entries: ``(index, route, path template, {param: convertor})`` for each
            candidate route, in any order.

    Attributes:
        rejected: Indexes of the entries the table can't represent; the
            caller must match those routes itself.
    """

    __slots__ = ("_has_tree", "_root", "_static", "_static_only", "rejected")

    def __init__(self, entries: Iterable[tuple[int, Any, str, dict[str, Convertor[Any]]]]) -> None:
        self._static: dict[str, list[tuple[int, Any]]] = {}
        # Static paths that no parameterised template matches (learned on first use).
        self._static_only: set[str] = set()
        self._root = _Node()
        self._has_tree = False
        self.rejected: list[int] = []
        for index, route, path, convertors in entries:
            if not self._add(index, route, path, convertors):
                self.rejected.append(index)

    def _add(
        self, index: int, route: Any, path: str, convertors: dict[str, Convertor[Any]]
    ) -> bool:
        if not path.startswith("/"):
            return False
        if not convertors:
            if "{" in path:
                return False
            self._static.setdefault(path, []).append((index, route))
            return True
        parsed = [_parse_segment(segment, convertors) for segment in path[1:].split("/")]
        if any(part is None for part in parsed):
            return False
        node = self._root
        names: list[str] = []
        for position, part in enumerate(parsed):
            if isinstance(part, str):
                node = node.literal.setdefault(part, _Node())
                continue
            name, convertor = part
            names.append(name)
            if type(convertor) is PathConvertor:
                if position != len(parsed) - 1:
                    return False
                node.catchall.append((index, route, tuple(names)))
                self._has_tree = True
                return True
            if not convertor.segment_safe:
                return False
            node = node.param_child(convertor)
        node.leaves.append((index, route, tuple(names)))
        self._has_tree = True
        return True

    def candidates(self, path: str) -> list[Candidate]:
        """Return every route whose template matches ``path``, by declaration index.

        Args:
            path: The route path (decoded, without the mount's root path).

        Returns:
            ``(index, route, path_params)`` tuples sorted by index; empty if none.
        """
        static = self._static.get(path)
        if static is not None:
            if len(static) == 1:
                # PERF: one route per static path is the usual case: no
                # comprehension frame. Each request gets its own params dict.
                found: list[Candidate] = [(static[0][0], static[0][1], {})]
            else:
                found = [(index, route, {}) for index, route in static]
            if path in self._static_only:
                # PERF: most requests hit a static path; once the tree is known
                # to hold nothing for it, skip splitting and walking (~1 µs).
                return found
        else:
            found = []
        if self._has_tree and path.startswith("/"):
            count = len(found)
            # Position 1: the split starts with the empty text before the leading "/".
            _walk(self._root, path.split("/"), 1, (), found)
            if static is not None and len(found) == count:
                self._static_only.add(path)  # Bounded: one entry per static route.
            if len(found) > 1:
                found.sort(key=_index_of)
        elif static is not None:
            self._static_only.add(path)
        return found


def _index_of(candidate: Candidate) -> int:
    return candidate[0]


def _walk(
    node: _Node,
    segments: list[str],
    position: int,
    values: tuple[Any, ...],
    found: list[Candidate],
) -> None:
    """Depth-first search collecting every leaf the segments reach.

    PERF: follows a single way down in a loop and recurses only where a
    segment can go more than one way (a literal child and a parameter edge,
    or several parameter edges): ``/items/{id}`` is walked without a call.
    """
    end = len(segments)
    while position < end:
        if node.catchall:
            _catchall(node, segments, position, values, found)
        segment = segments[position]
        position += 1
        child = node.literal.get(segment)
        # No convertor of the table matches an empty segment.
        edges = node.params if segment else ()
        if not edges:
            if child is None:
                return
            node = child
            continue
        if child is not None:
            _walk(child, segments, position, values, found)
        going: _Node | None = None
        next_values: tuple[Any, ...] = values
        for edge in edges:
            if edge.plain:
                value: Any = segment
            elif edge.digits:
                if not (segment.isascii() and segment.isdigit()):
                    continue
                value = int(segment)
            elif edge.pattern.fullmatch(segment) is not None:
                value = edge.convertor.convert(segment)
            else:
                continue
            if going is not None:  # Several edges match: walk the earlier ones.
                _walk(going, segments, position, next_values, found)
            going, next_values = edge.node, (*values, value)
        if going is None:
            return
        node, values = going, next_values
    for index, route, names in node.leaves:
        found.append((index, route, _params(names, values)))


def _catchall(
    node: _Node,
    segments: list[str],
    position: int,
    values: tuple[Any, ...],
    found: list[Candidate],
) -> None:
    rest = "/".join(segments[position:])
    for index, route, names in node.catchall:
        found.append((index, route, dict(zip(names, (*values, rest), strict=True))))


def _params(names: tuple[str, ...], values: tuple[Any, ...]) -> dict[str, Any]:
    # PERF: one parameter is the usual case: a dict display is ~10x cheaper
    # than dict(zip(..., strict=True)).
    if len(names) == 1:
        return {names[0]: values[0]}
    return dict(zip(names, values, strict=True))


def index_of(items: Sequence[Any], item: Any) -> int:
    """The index of ``item`` itself in ``items`` (routes compare equal by path and endpoint).

    Raises:
        ValueError: ``item`` is not in ``items``.
    """
    for index, entry in enumerate(items):
        if entry is item:
            return index
    raise ValueError(f"{item!r} is not in the route list")


class RouteList(list[Any]):
    """A list that counts its mutations, and tells its owner of each route added.

    PERF: checking one integer per request replaces re-validating the table.

    Args:
        items: The routes.
        on_add: Called with each route added later (``append``, ``insert``,
            ``extend``, ``+=``), after it is in the list; ``None`` for nobody.
    """

    def __init__(
        self, items: Iterable[Any] = (), on_add: Callable[[Any], None] | None = None
    ) -> None:
        super().__init__(items)
        self.version = 0
        self.on_add = on_add

    def _added(self, items: Iterable[Any]) -> None:
        self.version += 1
        if self.on_add is not None:
            for item in items:
                self.on_add(item)

    def append(self, item: Any) -> None:
        super().append(item)
        self._added((item,))

    def extend(self, items: Iterable[Any]) -> None:
        items = list(items)
        super().extend(items)
        self._added(items)

    def insert(self, index: SupportsIndex, item: Any) -> None:
        super().insert(index, item)
        self._added((item,))

    def move(self, item: Any, index: int) -> None:
        """Put ``item`` (in the list, found by identity) at ``index``; a move adds nothing."""
        super().__delitem__(index_of(self, item))
        super().insert(index, item)
        self.version += 1

    def remove(self, item: Any) -> None:
        super().remove(item)
        self.version += 1

    def pop(self, index: SupportsIndex = -1) -> Any:
        self.version += 1
        return super().pop(index)

    def clear(self) -> None:
        super().clear()
        self.version += 1

    def reverse(self) -> None:
        super().reverse()
        self.version += 1

    def sort(self, *args: Any, **kwargs: Any) -> None:
        super().sort(*args, **kwargs)
        self.version += 1

    def __setitem__(self, index: Any, value: Any) -> None:
        super().__setitem__(index, value)
        self.version += 1

    def __delitem__(self, index: Any) -> None:
        super().__delitem__(index)
        self.version += 1

    def __iadd__(self, items: Iterable[Any]) -> RouteList:  # type: ignore[misc]
        self.extend(items)
        return self


class CompiledRoutes:
    """A ``RouteTable`` plus the ordered routes it can't hold, for one list version.

    ``fallback`` holds ``(index, route, None)``: the shape of a table
    candidate, params ``None`` meaning the route matches by itself.
    """

    __slots__ = ("fallback", "table", "version")

    def __init__(self, routes: Sequence[Any], version: int) -> None:
        entries = []
        others: list[int] = []
        for index, route in enumerate(routes):
            entry = route.table_entry()
            if entry is None:
                others.append(index)
            else:
                entries.append((index, route, entry[0], entry[1]))
        self.table = RouteTable(entries)
        self.fallback: list[tuple[int, Any, None]] = [
            (index, routes[index], None) for index in sorted(others + self.table.rejected)
        ]
        self.version = version
