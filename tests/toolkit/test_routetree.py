"""The compiled route table: lookup, declaration order, recompilation, scale."""

from __future__ import annotations

import time
from typing import Any

from tests.toolkit._asgi import call, scope_for
from zephyr._routetree import RouteTable
from zephyr.convertors import CONVERTOR_TYPES
from zephyr.responses import PlainTextResponse
from zephyr.routing import Match, Mount, Route, Router


def table(*templates: str) -> RouteTable:
    entries = []
    for index, template in enumerate(templates):
        route = Route(template, endpoint)
        entries.append((index, template, template, route.param_convertors))
    return RouteTable(entries)


async def endpoint(request):  # type: ignore[no-untyped-def]
    return PlainTextResponse(request.scope["route"].path)


def hits(t: RouteTable, path: str) -> list[tuple[int, Any, dict[str, Any]]]:
    return t.candidates(path)


def test_static_and_params_collected_in_index_order() -> None:
    t = table("/users/{id}", "/users/me", "/users/{id:int}", "/users/{rest:path}")
    found = hits(t, "/users/me")
    assert [(i, params) for i, _, params in found] == [
        (0, {"id": "me"}),
        (1, {}),
        (3, {"rest": "me"}),
    ]
    assert [i for i, _, _ in hits(t, "/users/5")] == [0, 2, 3]
    assert hits(t, "/users/5")[1][2] == {"id": 5}
    assert [i for i, _, _ in hits(t, "/users/5/x")] == [3]
    assert hits(t, "/nope") == []


def test_repeated_lookups_give_the_same_candidates() -> None:
    # The second lookup of a static path may skip the tree walk; it must not
    # change what is found, nor share parameter dicts between requests.
    t = table("/users/{id}", "/users/me", "/health", "/items/{id:int}")
    for _ in range(3):
        assert [(i, params) for i, _, params in hits(t, "/users/me")] == [
            (0, {"id": "me"}),
            (1, {}),
        ]
        assert [(i, params) for i, _, params in hits(t, "/health")] == [(2, {})]
        assert hits(t, "/nothing") == []
    first, second = hits(t, "/health")[0][2], hits(t, "/health")[0][2]
    assert first is not second
    assert table("/only", "/static")._static_only == set()  # Learned on use only.


def test_literal_param_mixtures_and_trailing_slash() -> None:
    t = table("/a/{x}/b/{y:int}", "/a/{x}/c", "/a/", "/{x}/{y}/")
    assert hits(t, "/a/1/b/2")[0][2] == {"x": "1", "y": 2}
    assert [i for i, _, _ in hits(t, "/a/1/c")] == [1]
    assert [i for i, _, _ in hits(t, "/a/")] == [2]
    assert [i for i, _, _ in hits(t, "/q/r/")] == [3]
    assert hits(t, "/q/r") == []
    assert hits(t, "/a//c") == []  # empty segments never match a parameter
    assert hits(t, "") == []


def test_unsupported_templates_are_rejected_for_fallback() -> None:
    t = table("/f/{name}.{ext}", "/p/{rest:path}/tail", "/ok/{x}")
    assert t.rejected == [0, 1]


def test_router_order_semantics_static_declared_after_param() -> None:
    # The first declared route that matches wins, even when a static one comes later.
    router = Router([Route("/users/{id}", endpoint), Route("/users/me", endpoint)])
    assert call(router, "/users/me").body == b"/users/{id}"
    router = Router([Route("/users/me", endpoint), Route("/users/{id}", endpoint)])
    assert call(router, "/users/me").body == b"/users/me"


def test_full_match_beats_earlier_partial() -> None:
    router = Router([Route("/x/{a}", endpoint, methods=["POST"]), Route("/x/{b:int}", endpoint)])
    assert call(router, "/x/1").body == b"/x/{b:int}"
    result = call(router, "/x/abc")
    assert result.status == 405
    assert result.headers["allow"] == "POST"


def test_fallback_routes_merge_in_declaration_order() -> None:
    inner = Router([Route("/users/{id}", endpoint)])
    router = Router(
        [
            Route("/a/{x}.{y}", endpoint),  # regex fallback
            Mount("/m", app=inner),
            Route("/m/users/{id}", endpoint),  # shadowed by the mount declared before it
            Route("/z/{x}", endpoint),
        ]
    )
    assert call(router, "/a/f.txt").body == b"/a/{x}.{y}"
    assert call(router, "/m/users/3").body == b"/users/{id}"
    assert call(router, "/z/1").body == b"/z/{x}"
    router = Router([Route("/m/users/{id}", endpoint), Mount("/m", app=inner)])
    assert call(router, "/m/users/3").body == b"/m/users/{id}"


def test_custom_matches_override_keeps_being_called() -> None:
    calls: list[str] = []

    class Tracking(Route):
        def matches(self, scope: Any) -> Any:
            calls.append(scope["path"])
            return super().matches(scope)

    router = Router([Tracking("/t/{x}", endpoint)])
    assert call(router, "/t/1").status == 200
    assert calls == ["/t/1"]


def test_routes_mutation_recompiles() -> None:
    router = Router([Route("/a", endpoint)])
    assert call(router, "/a").status == 200
    assert call(router, "/b/1").status == 404
    router.routes.append(Route("/b/{x}", endpoint))
    assert call(router, "/b/1").status == 200
    router.routes.insert(0, Route("/b/{y:int}", endpoint))
    assert call(router, "/b/1").body == b"/b/{y:int}"
    del router.routes[0]
    assert call(router, "/b/1").body == b"/b/{x}"
    router.routes[0] = Route("/c", endpoint)
    assert call(router, "/a").status == 404
    assert call(router, "/c").status == 200
    router.routes.extend([Route("/d", endpoint)])
    router.routes += [Route("/e", endpoint)]
    assert call(router, "/d").status == 200
    assert call(router, "/e").status == 200
    router.routes.pop()
    assert call(router, "/e").status == 404
    router.routes.clear()
    assert call(router, "/c").status == 404
    router.routes = [Route("/f", endpoint)]
    assert call(router, "/f").status == 200


def _time_match(router: Router, path: str, rounds: int = 3000) -> float:
    scope = scope_for(path)
    router.match(scope)  # compile
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(rounds):
            router.match(scope)
        best = min(best, time.perf_counter() - start)
    return best


def test_matching_cost_does_not_grow_with_route_count() -> None:
    def build(count: int) -> Router:
        routes = []
        for i in range(count):
            routes.append(Route(f"/r{i}/items/{{item_id:int}}", endpoint))
            routes.append(Route(f"/s{i}/static", endpoint))
        return Router(routes)

    small, large = build(1), build(5000)
    for path_small, path_large in (
        ("/r0/items/5", "/r4999/items/5"),
        ("/s0/static", "/s4999/static"),
    ):
        assert large.match(scope_for(path_large))[0] is Match.FULL
        # Measured side by side; a linear scan would be ~1000x slower.
        t_small = _time_match(small, path_small)
        t_large = _time_match(large, path_large)
        assert t_large < 3 * t_small, (path_large, t_small, t_large)


def test_builtin_convertors_are_segment_safe() -> None:
    assert CONVERTOR_TYPES["int"].segment_safe
    assert not CONVERTOR_TYPES["path"].segment_safe


BRANCHY = [
    "/v/{a:int}",
    "/v/{a:float}",
    "/v/{a}",
    "/v/{a:uuid}",
    "/v/{a:path}",
    "/v/{a:int}/{b:int}",
    "/v/{a}/x",
    "/v/7/{b:int}",
    "/w/{a:int}/{b}/{c:float}",
    "/w/{a:int}/{b}/{c:int}",
]
BRANCHY_PATHS = [
    "/v/7",
    "/v/07",
    "/v/1.5",
    "/v/-1",
    "/v/1e5",
    "/v/\u00b2",  # superscript two: str.isdigit(), but not [0-9]
    "/v/\u0663",  # Arabic-Indic three: same
    "/v/abc",
    "/v/12345678-1234-5678-1234-567812345678",
    "/v/7/8",
    "/v/7/x",
    "/v/7/x/y",
    "/v/",
    "/v//8",
    "/w/1/b/2.5",
    "/w/1/b/3",
    "/w/1/b/x",
    "/w/1//3",
]


def test_table_agrees_with_route_regexes_for_every_convertor() -> None:
    # The table's walk (loop, recursion at branches, int shortcut) must find
    # exactly the routes whose own regex matches, with the same parameters.
    routes = [Route(template, endpoint) for template in BRANCHY]
    t = table(*BRANCHY)
    assert t.rejected == []
    for path in BRANCHY_PATHS:
        expected = []
        for index, route in enumerate(routes):
            match, child = route.matches(scope_for(path))
            if match is Match.FULL:
                expected.append((index, child["path_params"]))
        assert [(i, params) for i, _, params in hits(t, path)] == expected, path
