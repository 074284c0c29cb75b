"""The ``Zephyr`` application object: routes, state, mounting, hooks, laziness."""

from __future__ import annotations

from typing import Any

import pytest

from zephyr.applications import BaseApp as Zephyr
from zephyr.datastructures import State
from zephyr.responses import JSONResponse, PlainTextResponse
from zephyr.routing import Mount, NoMatchFound, Route, Router
from zephyr.testclient import TestClient
from zephyr.types import Receive, Scope, Send


async def whoami(request):  # type: ignore[no-untyped-def]
    scope = request.scope
    return JSONResponse(
        {
            "app": type(scope["app"]).__name__,
            "router": type(scope["router"]).__name__,
            "route": scope["route"].path,
            "url": str(request.url_for("whoami")),
        }
    )


def test_scope_keys_and_url_for() -> None:
    app = Zephyr(routes=[Route("/me", whoami)])
    body = TestClient(app).get("/me").json()
    assert body == {
        "app": "BaseApp",
        "router": "Router",
        "route": "/me",
        "url": "http://testserver/me",
    }


def test_state_routes_and_add_route() -> None:
    app = Zephyr()
    assert isinstance(app.state, State)
    app.state.answer = 42

    def sync_endpoint(request):  # type: ignore[no-untyped-def]
        return PlainTextResponse(str(request.app.state.answer))

    app.add_route("/sync", sync_endpoint, name="sync")

    @app.route("/deco", methods=["POST"])
    async def deco(request):  # type: ignore[no-untyped-def]
        return PlainTextResponse("deco")

    client = TestClient(app)
    assert client.get("/sync").text == "42"
    assert client.post("/deco").text == "deco"
    assert [r.path for r in app.routes] == ["/sync", "/deco"]  # type: ignore[attr-defined]
    assert app.url_path_for("sync") == "/sync"
    with pytest.raises(NoMatchFound):
        app.url_path_for("nope")


def test_routes_added_after_first_request_are_served() -> None:
    app = Zephyr(routes=[Route("/a", whoami, name="whoami")])
    client = TestClient(app)
    assert client.get("/late").status_code == 404
    app.routes.append(Route("/late", whoami, name="whoami"))
    assert client.get("/late").status_code == 200


def test_mount_and_host() -> None:
    async def x(request):  # type: ignore[no-untyped-def]
        # url_for resolves against the outermost router: nested names need the prefix.
        return JSONResponse({"url": str(request.url_for("sub:whoami"))})

    sub = Zephyr(routes=[Route("/x", x, name="whoami")])
    app = Zephyr()
    app.mount("/sub", sub, name="sub")

    async def root(request):  # type: ignore[no-untyped-def]
        return PlainTextResponse(request.url_for("api:root").path)

    api = Router([Route("/", root)])
    app.host("api.example.org", api, name="api")
    client = TestClient(app)
    response = client.get("/sub/x")
    assert response.json()["url"] == "http://testserver/sub/x"
    assert client.get("/", headers={"host": "api.example.org"}).text == "/"
    assert client.get("/", headers={"host": "other.org"}).status_code == 404
    assert app.url_path_for("sub:whoami") == "/sub/x"
    assert isinstance(app.routes[0], Mount)


def test_mounted_app_exceptions_use_its_own_handlers() -> None:
    async def missing(request, exc):  # type: ignore[no-untyped-def]
        return PlainTextResponse("sub 404", status_code=404)

    sub = Zephyr(exception_handlers={404: missing})
    app = Zephyr(routes=[Mount("/sub", app=sub)])
    client = TestClient(app)
    assert client.get("/sub/zzz").text == "sub 404"
    assert client.get("/zzz").text == "Not Found"


def test_middleware_stack_is_lazy_and_cached() -> None:
    built: list[int] = []

    class Counting:
        def __init__(self, app: Any) -> None:
            built.append(1)
            self.app = app

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            await self.app(scope, receive, send)

    app = Zephyr(routes=[Route("/me", whoami)])
    app.add_middleware(Counting)
    assert app.middleware_stack is None
    assert built == []
    client = TestClient(app)
    client.get("/me")
    client.get("/me")
    assert built == [1]
    with pytest.raises(RuntimeError, match="Cannot add middleware"):
        app.add_middleware(Counting)
    with pytest.raises(RuntimeError):
        app.add_exception_handler(ValueError, lambda r, e: None)


def test_debug_property() -> None:
    app = Zephyr(debug=True)
    assert app.debug is True
    app.debug = False
    assert app.debug is False


def test_subclass_hooks() -> None:
    class MyRouter(Router):
        pass

    class MyApp(Zephyr):
        def build_router(self, routes: Any, **kwargs: Any) -> Router:
            return MyRouter(routes, **kwargs)

    app = MyApp(routes=[Route("/me", whoami)])
    assert isinstance(app.router, MyRouter)
    assert TestClient(app).get("/me").json()["router"] == "MyRouter"
