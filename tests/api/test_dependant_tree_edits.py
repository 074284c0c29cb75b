"""A route's dependency tree, edited after the route was made, as FastAPI libraries do.

fastapi-pagination appends a node to ``route.dependant.dependencies`` (made by
``get_parameterless_sub_dependant``), sets ``route.body_field`` again and
rebuilds ``route.app = request_response(route.get_route_handler())``. The
route compiles its plan from the edited tree when its handler is built (or
when OpenAPI documents it), never per request; dependency overrides apply to
the added nodes too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from functools import wraps
from typing import Annotated, Any

import pytest
from pydantic import BaseModel

from zephyr import APIRouter, BackgroundTasks, Body, Depends, FastAPI, Query
from zephyr.dependencies import utils
from zephyr.dependencies.models import Dependant
from zephyr.dependencies.tree import with_overrides
from zephyr.routing import APIRoute, _IncludedRouter, request_response
from zephyr.testclient import TestClient


def only_route(app: FastAPI, path: str) -> APIRoute:
    (route,) = [r for r in app.routes if isinstance(r, APIRoute) and r.path == path]
    return route


def paging(page: int = Query(1, ge=1), size: int = Query(10, le=50)) -> dict[str, int]:
    return {"page": page, "size": size}


seen: list[dict[str, int]] = []


async def record_paging(
    values: Annotated[dict[str, int], Depends(paging)],
) -> AsyncIterator[None]:
    seen.append(values)
    yield
    seen.append({"closed": 1})


def token(x_token: Annotated[str, Query()] = "t") -> str:
    return x_token


class Item(BaseModel):
    name: str


def inner(q: int = 0) -> int:
    return q


def app_with_items() -> FastAPI:
    app = FastAPI()

    @app.get("/items")
    def items(tok: Annotated[str, Depends(token)]) -> dict[str, str]:
        return {"tok": tok}

    return app


def add_record_paging(route: APIRoute) -> None:
    """What fastapi-pagination's ``add_pagination`` does to one route."""
    dep = Depends(record_paging)
    route.dependencies.append(dep)
    route.dependant.dependencies.append(
        utils.get_parameterless_sub_dependant(depends=dep, path=route.path_format)
    )
    route.body_field = utils._get_body_field(
        body_params=utils._get_flat_body_params(route.dependant),
        name=route.unique_id,
        embed_body_fields=route._embed_body_fields,
    )
    route.app = request_response(route.get_route_handler())


def test_the_tree_has_fastapis_public_shape() -> None:
    route = only_route(app_with_items(), "/items")
    (sub,) = route.dependant.dependencies
    assert isinstance(sub, Dependant)
    assert (sub.name, sub.call.__name__) == ("tok", "token")
    assert [p.name for p in sub.query_params] == ["x_token"]
    assert (sub.query_params[0].alias, sub.header_params, sub.body_params) == ("x_token", [], [])
    assert route.dependant.name is None and route.body_field is None


def test_an_appended_dependency_runs_after_the_handler_is_rebuilt() -> None:
    seen.clear()
    app = app_with_items()
    route = only_route(app, "/items")
    before = route.plan
    add_record_paging(route)
    assert route.plan is not before  # compiled when the handler was built
    assert route.sync_plan() is False  # and only then
    with TestClient(app) as client:
        ok = client.get("/items", params={"page": 2, "size": 5})
        plan = route.plan
        invalid = client.get("/items", params={"size": 51})
        schema = client.get("/openapi.json").json()
    assert route.plan is plan  # requests compile nothing
    assert ok.json() == {"tok": "t"}
    # The yield dependency ends after the response, on the route's own stack.
    assert seen == [{"page": 2, "size": 5}, {"closed": 1}]
    assert invalid.status_code == 422
    assert invalid.json()["detail"][0]["loc"] == ["query", "size"]
    names = [p["name"] for p in schema["paths"]["/items"]["get"]["parameters"]]
    assert names == ["x_token", "page", "size"]


def test_openapi_follows_an_edit_without_a_rebuilt_handler() -> None:
    app = app_with_items()
    route = only_route(app, "/items")
    route.dependant.dependencies.append(
        utils.get_parameterless_sub_dependant(depends=Depends(paging), path="/items")
    )
    with TestClient(app) as client:
        schema = client.get("/openapi.json").json()
        # The route's own app reads the plan that the document compiled.
        invalid = client.get("/items", params={"page": 0})
    names = [p["name"] for p in schema["paths"]["/items"]["get"]["parameters"]]
    assert names == ["x_token", "page", "size"]
    assert invalid.status_code == 422


def test_request_response_of_the_handler_is_the_routes_own_app() -> None:
    # Rebuilding route.app from its handler keeps what the route's app does:
    # its body limit and zephyr's native entry.
    app = FastAPI()

    @app.post("/search", max_body_size=30)
    def search(item: Item) -> Item:
        return item

    route = only_route(app, "/search")
    add_record_paging(route)
    assert route.app is route._own_app and route.native_app is not None
    with TestClient(app) as client:
        assert client.post("/search", json={"name": "x"}).status_code == 200
        assert client.post("/search", json={"name": "x" * 40}).status_code == 413


events: list[str] = []


async def session() -> AsyncIterator[str]:
    events.append("open")
    yield "s"
    events.append("close")


def test_a_wrapped_handler_ends_yield_dependencies_after_the_response() -> None:
    # A custom route class wraps the handler, so request_response wraps that
    # wrapper: the handler keeps its own exit stack, closed after the
    # response's background tasks.
    events.clear()

    class Timed(APIRoute):
        def get_route_handler(self) -> Any:
            inner = super().get_route_handler()

            async def timed(request: Any) -> Any:
                events.append("before")
                response = await inner(request)
                events.append("after")
                return response

            return timed

    router = APIRouter(route_class=Timed)

    @router.get("/s")
    def read(s: Annotated[str, Depends(session)], tasks: BackgroundTasks) -> dict[str, str]:
        tasks.add_task(events.append, "task")
        return {"s": s}

    app = FastAPI()
    app.include_router(router)
    route = only_route(app, "/s")
    route.app = request_response(route.get_route_handler())
    with TestClient(app) as client:
        assert client.get("/s").json() == {"s": "s"}
    assert events == ["before", "open", "after", "task", "close"]


def test_startup_compiles_an_edited_tree() -> None:
    app = app_with_items()
    route = only_route(app, "/items")
    route.dependant.dependencies.append(
        utils.get_parameterless_sub_dependant(depends=Depends(paging), path="/items")
    )
    with TestClient(app) as client:  # the lifespan runs: startup
        invalid = client.get("/items", params={"size": 51})
    assert invalid.status_code == 422


def test_overrides_apply_to_the_edited_tree() -> None:
    seen.clear()
    app = app_with_items()
    route = only_route(app, "/items")
    add_record_paging(route)
    app.dependency_overrides[paging] = lambda: {"page": 7, "size": 7}
    with TestClient(app) as client:
        overridden = client.get("/items", params={"size": 500})  # no longer validated
        app.dependency_overrides.clear()
        plain = client.get("/items", params={"size": 500})
    assert overridden.status_code == 200
    assert seen[0] == {"page": 7, "size": 7}
    assert plain.status_code == 422


def test_replacing_the_endpoints_call_while_building_the_handler_wraps_once() -> None:
    # Older sentry-sdk wraps ``dependant.call`` in every handler build: the
    # route builds its handler once, and serves the wrapped call.
    calls: list[str] = []

    class Wrapping(APIRoute):
        def get_route_handler(self) -> Any:
            original = self.dependant.call

            @wraps(original)
            def wrapped(*args: Any, **kwargs: Any) -> Any:
                calls.append("wrapped")
                return original(*args, **kwargs)

            self.dependant.call = wrapped
            return super().get_route_handler()

    router = APIRouter(route_class=Wrapping)

    @router.get("/n/{n}")
    def read(n: int) -> int:
        return n

    app = FastAPI(max_body_size=1000)  # inherited limits: the route is set up again
    app.include_router(router, prefix="/p", max_body_size=100)
    with TestClient(app) as client:
        assert client.get("/p/n/3").json() == 3
        assert client.get("/p/n/4").json() == 4
    assert calls == ["wrapped", "wrapped"]


def test_body_field_helpers() -> None:
    app = FastAPI()

    @app.post("/one")
    def one(item: Item) -> None: ...

    @app.post("/two")
    def two(item: Item, count: Annotated[int, Body()] = 1) -> None: ...

    single, double = only_route(app, "/one"), only_route(app, "/two")
    assert single._embed_body_fields is False
    assert single.body_field is not None and single.body_field.annotation is Item
    assert double._embed_body_fields is True
    field = double.body_field
    assert field is not None and field.name == "body"
    assert field.annotation.__name__ == "Body_two_two_post"
    assert field.annotation.model_validate({"item": {"name": "x"}}).count == 1
    assert [p.name for p in utils.flat_body_params(double.dependant)] == ["item", "count"]
    double.body_field = None
    assert double.body_field is None


@pytest.mark.parametrize(
    ("cls", "expected"),
    [(bool, True), (int, True), (list[int], False), (None, False), ("int", False)],
)
def test_lenient_issubclass(cls: Any, expected: bool) -> None:
    assert utils.lenient_issubclass(cls, int) is expected


def test_get_dependant_and_flat_dependant() -> None:
    def outer(item_id: int, inner_value: Annotated[int, Depends(inner)]) -> int:
        return item_id + inner_value

    node = utils.get_dependant(path="/items/{item_id}", call=outer)
    assert [p.name for p in node.path_params] == ["item_id"]
    assert node.dependencies[0].name == "inner_value"
    flat = utils.get_flat_dependant(node)
    assert [p.name for p in flat.params] == ["item_id", "q"] and flat.dependencies == []
    with pytest.raises(ValueError, match="callable dependency"):
        utils.get_parameterless_sub_dependant(depends=Depends(), path="/")


def test_included_router_entries_never_appear() -> None:
    router = APIRouter()
    router.add_api_route("/x", lambda: None)
    app = FastAPI()
    app.include_router(router)
    assert not any(isinstance(r, _IncludedRouter) for r in app.routes)
    assert _IncludedRouter(router).original_router is router


def test_get_dependant_with_scopes_and_overrides_of_a_marker_less_node() -> None:
    node = utils.get_dependant(
        path="/", call=inner, own_oauth_scopes=["read"], parent_oauth_scopes=["me"]
    )
    assert (node.security_scopes, node.own_scopes, node.is_security) == (
        ["me", "read"],
        ["read"],
        True,
    )

    def endpoint() -> None: ...

    root = utils.get_dependant(path="/", call=endpoint)
    hand_made = utils.get_dependant(path="/", call=inner, name="value")
    hand_made.depends = None
    root.dependencies.append(hand_made)

    def replacement(r: int = 5) -> int:
        return r

    replaced = with_overrides(root, {inner: replacement}, set())
    assert root.dependencies == [hand_made]  # left as it was
    (sub,) = replaced.dependencies
    assert (sub.call, sub.declared, sub.name) == (replacement, inner, "value")
    assert [p.name for p in sub.params] == ["r"]
    assert with_overrides(root, {paging: replacement}, set()) is root
