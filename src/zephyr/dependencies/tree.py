"""Reading and rewriting an analysed dependant tree, at compile time only.

A route keeps its tree (``route.dependant``) and builds its plans from it:
the plain plan, and one per set of dependency overrides (the tree with the
overridden nodes analysed again, :func:`with_overrides`). Code written for
FastAPI may edit the tree in place (fastapi-pagination appends a dependency
to ``route.dependant.dependencies``); :func:`tree_signature` lets the route
notice that and build its plan again when its handler is next built.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from zephyr.dependencies.analyze import analyze, analyze_dependency
from zephyr.dependencies.models import Dependant, ParamField

__all__ = ["flat_params", "tree_signature", "with_overrides"]


def flat_params(node: Dependant, seen: set[Any] | None = None) -> list[ParamField]:
    """Every request value of a tree: a node's own parameters, then its dependencies'.

    A cached dependency met again (same cache key) adds nothing the second
    time, as it runs once per request. This is FastAPI's order, used for the
    documented parameters and the embedded body's fields.

    Args:
        node: The tree's root.
        seen: Cache keys already walked (internal to the recursion).

    Returns:
        The parameters, in that order.
    """
    seen = set() if seen is None else seen
    out: list[ParamField] = list(node.params)
    for sub in node.dependencies:
        if sub.use_cache and sub.cache_key in seen:
            continue
        seen.add(sub.cache_key)
        out.extend(flat_params(sub, seen))
    return out


def tree_signature(node: Dependant) -> tuple[Any, ...]:
    """What a plan built from ``node`` depends on, to compare with a later state of the tree.

    The nodes, calls and parameter objects themselves are held (compared by
    identity: they are ``eq=False``), so a node taken out and another put in
    its place is seen, whatever their ``id``.

    Args:
        node: The tree's root.

    Returns:
        A nested tuple; equal tuples mean the same plan.
    """
    return (
        node,
        node.call,
        node.kind,
        node.name,
        node.use_cache,
        node.exit_scope,
        tuple(node.params),
        tuple(node.specials),
        tuple(node.security_scopes),
        tuple(tree_signature(sub) for sub in node.dependencies),
    )


def with_overrides(
    root: Dependant, overrides: Mapping[Any, Any], path_names: set[str]
) -> Dependant:
    """The tree with ``overrides`` applied: each overridden dependency analysed again.

    A node whose declared callable is overridden is analysed anew (its
    replacement's own parameters and dependencies, with the options of the
    marker that declared it); the nodes above it are copied, every other
    node is shared with ``root``, which is left as it was.

    Args:
        root: The route's tree.
        overrides: ``{declared callable: replacement}``.
        path_names: Parameter names of the route's path template.

    Returns:
        ``root`` itself when no override applies, else the new tree.
    """
    subs: list[Dependant] = []
    for sub in root.dependencies:
        if sub.declared in overrides:
            subs.append(_reanalyzed(sub, root, overrides, path_names))
        else:
            subs.append(with_overrides(sub, overrides, path_names))
    if all(new is old for new, old in zip(subs, root.dependencies, strict=True)):
        return root
    return dataclasses.replace(root, dependencies=subs)


def _reanalyzed(
    node: Dependant, parent: Dependant, overrides: Mapping[Any, Any], path_names: set[str]
) -> Dependant:
    marker = node.depends
    if marker is None:
        # A node made without a marker (by hand): the options it carries.
        return analyze(
            overrides[node.declared],
            path_names=path_names,
            overrides=overrides,
            security_scopes=parent.security_scopes,
            use_cache=node.use_cache,
            exit_scope=node.exit_scope,
            original=node.declared,
            name=node.name,
        )
    return analyze_dependency(node.declared, marker, parent, path_names, overrides, name=node.name)
