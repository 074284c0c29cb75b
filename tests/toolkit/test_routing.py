"""Routing: matching, 404/405, slash redirects, Mount/Host scopes, url_path_for."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

import pytest

from tests.toolkit._asgi import acall, call, scope_for
from zephyr.datastructures import URL
from zephyr.middleware import Middleware
from zephyr.responses import JSONResponse, PlainTextResponse
from zephyr.routing import Host, Mount, NoMatchFound, Route, Router
from zephyr.types import Receive, Scope, Send


async def info(request):  # type: ignore[no-untyped-def]
    scope = request.scope
    return JSONResponse(
        {
            "path": scope["path"],
            "root_path": scope["root_path"],
            "app_root_path": scope.get("app_root_path"),
            "params": {k: str(v) for k, v in request.path_params.items()},
            "endpoint": scope["endpoint"].__name__,
            "router": scope["router"] is not None,
        }
    )


def homepage(request):  # type: ignore[no-untyped-def]
    return PlainTextResponse(f"sync in {threading.current_thread().name}")


class RawApp:
    """A plain ASGI app (class instance): called with the scope, any method."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await PlainTextResponse(f"raw {scope['method']}")(scope, receive, send)


raw_app = RawApp()


def j(result: Any) -> Any:
    return json.loads(result.body)


router = Router(
    [
        Route("/", homepage),
        Route("/items/{item_id:int}", info, methods=["GET", "PUT"], name="item"),
        Route("/slash/", info),
        Route("/noslash", info),
        Route("/post", info, methods=["POST"]),
        Route("/raw", raw_app),
        Mount(
            "/api",
            routes=[
                Route("/users/{uid}", info, name="user"),
                Mount(
                    "/v{version:int}", routes=[Route("/x/{rest:path}", info, name="x")], name="v"
                ),
            ],
            name="api",
        ),
    ]
)


def test_static_and_param_routes() -> None:
    result = call(router, "/")
    assert result.status == 200
    assert result.body.startswith(b"sync in ")
    assert b"MainThread" not in result.body  # sync endpoints run in the thread pool
    body = j(call(router, "/items/3"))
    assert body["params"] == {"item_id": "3"}
    assert body["endpoint"] == "info"


def test_404_plain_router() -> None:
    result = call(router, "/missing")
    assert result.status == 404
    assert result.body == b"Not Found"


def test_405_with_allow_including_head() -> None:
    result = call(router, "/items/3", method="DELETE")
    assert result.status == 405
    assert result.headers["allow"] == "GET, HEAD, PUT"
    assert result.body == b"Method Not Allowed"
    assert call(router, "/items/3", method="HEAD").status == 200
    assert call(router, "/post", method="GET").headers["allow"] == "POST"


def test_asgi_app_endpoint_accepts_any_method() -> None:
    assert call(router, "/raw", method="PATCH").body == b"raw PATCH"


@pytest.mark.parametrize(
    ("path", "query", "location"),
    [
        ("/slash", b"", "http://testserver/slash/"),
        ("/noslash/", b"a=1&b=2", "http://testserver/noslash?a=1&b=2"),
        ("/items/3/", b"", "http://testserver/items/3"),
        ("/api/users/7/", b"", "http://testserver/api/users/7"),
    ],
)
def test_redirect_slashes(path: str, query: bytes, location: str) -> None:
    """The Location is the request's own URL with the other path, as Starlette's."""
    result = call(router, path, query_string=query)
    assert result.status == 307
    assert result.headers["location"] == location


def test_redirect_names_the_scheme_and_host_of_the_request() -> None:
    scope = scope_for("/slash", headers=[("host", "api.example:8443")])
    result = asyncio.run(acall(router, {**scope, "scheme": "https"}))
    assert result.headers["location"] == "https://api.example:8443/slash/"


def test_redirect_encodes_the_path() -> None:
    spaced = Router([Route("/{p:path}/", info)])
    result = call(spaced, "/a b/100%")
    assert result.headers["location"] == "http://testserver/a%20b/100%25/"


@pytest.mark.parametrize("path", ["//evil.com", "/\\evil.com", "///evil.com"])
@pytest.mark.parametrize("absolute", [True, False])
def test_redirect_is_never_to_another_host(path: str, absolute: bool) -> None:
    """``//evil.com`` stays a path: of the request's host, or defused when there is none."""
    evil = Router([Route("/{p:path}/", info)])
    scope = scope_for(path, headers=[("host", "api.example")])
    if not absolute:
        scope = {**scope, "headers": [], "server": None}
    result = asyncio.run(acall(evil, scope))
    assert result.status == 307
    location = URL(result.headers["location"])
    assert location.netloc == ("api.example" if absolute else "")
    assert location.path.endswith("evil.com/")
    assert "\\" not in result.headers["location"]


def test_redirect_slashes_disabled_and_root() -> None:
    assert call(Router([Route("/a/", info)], redirect_slashes=False), "/a").status == 404
    assert call(Router([Route("/a", info)]), "/").status == 404


def test_redirect_keeps_root_path() -> None:
    outer = Router([Mount("/sub", routes=[Route("/a/", info)])])
    result = call(outer, "/sub/a")
    assert result.headers["location"] == "http://testserver/sub/a/"


def test_mount_scope_root_path_and_params() -> None:
    body = j(call(router, "/api/users/9"))
    assert body["path"] == "/api/users/9"
    assert body["root_path"] == "/api"
    assert body["app_root_path"] == ""
    assert body["params"] == {"uid": "9"}
    body = j(call(router, "/api/v2/x/a/b"))
    assert body["root_path"] == "/api/v2"
    assert body["params"] == {"version": "2", "rest": "a/b"}


def test_mount_under_server_root_path() -> None:
    body = j(call(router, "/prefix/api/users/1", root_path="/prefix"))
    assert body["path"] == "/prefix/api/users/1"
    assert body["root_path"] == "/prefix/api"
    assert body["app_root_path"] == "/prefix"


def test_mount_requires_app_or_routes_and_slash() -> None:
    with pytest.raises(ValueError):
        Mount("/x")
    with pytest.raises(ValueError):
        Mount("x", app=raw_app)
    with pytest.raises(ValueError):
        Route("x", info)
    assert Mount("/x/", app=raw_app).path == "/x"


def test_mounted_raw_app_and_mount_root() -> None:
    r = Router([Mount("/static", app=raw_app)])
    assert call(r, "/static/a/b").body == b"raw GET"
    assert call(r, "/static/").body == b"raw GET"
    assert call(r, "/static").status == 307


def test_host_matching() -> None:
    api = Router([Route("/", info, name="root")])
    r = Router(
        [
            Host("api.example.org:8080", app=api, name="api"),
            Host("{sub}.example.org", app=api, name="sub"),
            Route("/", homepage),
        ]
    )
    assert j(call(r, "/", headers=[("host", "api.example.org:8080")]))["params"] == {}
    # The port takes no part in matching.
    assert j(call(r, "/", headers=[("host", "api.example.org")]))["params"] == {}
    assert j(call(r, "/", headers=[("host", "shop.example.org:443")]))["params"] == {"sub": "shop"}
    assert call(r, "/", headers=[("host", "other.net")]).body.startswith(b"sync")
    url = r.url_path_for("api:root")
    assert url == "/"
    assert url.host == "api.example.org:8080"
    assert str(url.make_absolute_url("https://x.test")) == "https://api.example.org:8080/"
    assert r.url_path_for("sub:root", sub="a").host == "a.example.org"


def test_url_path_for() -> None:
    assert router.url_path_for("item", item_id=5) == "/items/5"
    assert router.url_path_for("api:user", uid="u1") == "/api/users/u1"
    url = router.url_path_for("api:v:x", version=3, rest="a/b")
    assert url == "/api/v3/x/a/b"
    assert url.protocol == "http"
    assert str(url.make_absolute_url("http://h.test/base")) == "http://h.test/base/api/v3/x/a/b"
    assert router.url_path_for("api", path="/q") == "/api/q"


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("nope", {}),
        ("item", {}),  # missing parameter
        ("item", {"item_id": 1, "extra": 2}),  # unexpected parameter
        ("api:nope", {}),
        ("user", {"uid": 1}),  # nested name needs its mount prefix
    ],
)
def test_url_path_for_failures(name: str, params: dict[str, Any]) -> None:
    with pytest.raises(NoMatchFound) as info_:
        router.url_path_for(name, **params)
    assert f'"{name}"' in str(info_.value)


def test_websocket_scope_not_found_closes() -> None:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "websocket.connect"}

    async def send(message: Any) -> None:
        sent.append(message)

    asyncio.run(router(scope_for("/nope", scope_type="websocket"), receive, send))
    assert sent == [{"type": "websocket.close", "code": 1000, "reason": ""}]


def test_route_middleware_and_default() -> None:
    class Tag:
        def __init__(self, app: Any, tag: str) -> None:
            self.app, self.tag = app, tag

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            async def tagged(message: Any) -> None:
                if message["type"] == "http.response.start":
                    message["headers"] = [*message["headers"], (b"x-tag", self.tag.encode())]
                await send(message)

            await self.app(scope, receive, tagged)

    async def fallback(scope: Scope, receive: Receive, send: Send) -> None:
        await PlainTextResponse("fallback", status_code=418)(scope, receive, send)

    r = Router(
        [Route("/t", info, middleware=[Middleware(Tag, tag="route")])],
        default=fallback,
        middleware=[Middleware(Tag, "router")],
    )
    result = call(r, "/t")
    tags = [v for k, v in result.messages[0]["headers"] if k == b"x-tag"]
    assert tags == [b"route", b"router"]  # route middleware is inside the router's
    assert call(r, "/zzz").status == 418


def test_route_equality_and_repr() -> None:
    assert Route("/a", info) == Route("/a", info)
    assert Route("/a", info) != Route("/a", info, methods=["POST"])
    assert "path='/a'" in repr(Route("/a", info))
    assert "Mount" in repr(Mount("/m", app=raw_app))


def test_host_routes_ignore_case_and_tell_ip_literals_apart() -> None:
    from zephyr.responses import PlainTextResponse as Text
    from zephyr.routing import Host, Router
    from zephyr.testclient import TestClient as Client

    async def sub(request: Any) -> Any:
        return Text(request.path_params["name"])

    app = Router(
        routes=[
            Host("[::1]", app=Text("loopback")),
            Host("[2001:db8::1]:8443", app=Text("documentation")),
            Host("{name}.Example.org", app=Router([Route("/", sub)])),
        ]
    )
    client = Client(app)
    assert client.get("/", headers={"host": "[::1]:8000"}).text == "loopback"
    assert client.get("/", headers={"host": "[2001:db8::1]"}).text == "documentation"
    assert client.get("/", headers={"host": "Api.EXAMPLE.org"}).text == "api"
    # A malformed Host matches no host route.
    assert client.get("/", headers={"host": "api.example.org:evil"}).status_code == 404
