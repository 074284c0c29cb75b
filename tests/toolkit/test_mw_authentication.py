"""AuthenticationMiddleware, request.user / request.auth and the requires guard."""

from __future__ import annotations

import asyncio
import base64
import binascii
from typing import Any

import pytest

from tests.toolkit.conftest import Channel, http_scope
from zephyr.applications import BaseApp, Zephyr
from zephyr.authentication import (
    AuthCredentials,
    AuthenticationBackend,
    AuthenticationError,
    SimpleUser,
    UnauthenticatedUser,
    has_required_scope,
    requires,
)
from zephyr.middleware import Middleware
from zephyr.middleware.authentication import AuthenticationMiddleware
from zephyr.requests import HTTPConnection, Request
from zephyr.responses import JSONResponse, PlainTextResponse, Response
from zephyr.routing import Route
from zephyr.testclient import TestClient


class BasicBackend(AuthenticationBackend):
    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, SimpleUser] | None:
        header = conn.headers.get("authorization")
        if header is None:
            return None
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            user, _, password = base64.b64decode(token).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise AuthenticationError("Invalid basic auth credentials") from None
        if password != "secret":
            raise AuthenticationError("Wrong password")
        scopes = ["authenticated", "admin"] if user == "root" else ["authenticated"]
        return AuthCredentials(scopes), SimpleUser(user)


def basic(user: str, password: str = "secret") -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


async def whoami(request: Request) -> JSONResponse:
    return JSONResponse(
        {
            "user": request.user.display_name,
            "authenticated": request.user.is_authenticated,
            "scopes": request.auth.scopes,
        }
    )


@requires("authenticated")
async def private(request: Request) -> PlainTextResponse:
    return PlainTextResponse(f"hi {request.user.identity}")


@requires(["authenticated", "admin"], status_code=404)
def admin_sync(request: Request) -> PlainTextResponse:
    return PlainTextResponse("admin")


@requires("admin", redirect="login")
async def dashboard(request: Request) -> PlainTextResponse:
    return PlainTextResponse("dashboard")


async def login(request: Request) -> PlainTextResponse:
    return PlainTextResponse("login page")


def make_client(**options: Any) -> TestClient:
    app = BaseApp(
        routes=[
            Route("/whoami", whoami),
            Route("/private", private),
            Route("/admin", admin_sync),
            Route("/dashboard", dashboard),
            Route("/login", login, name="login"),
        ],
        middleware=[Middleware(AuthenticationMiddleware, backend=BasicBackend(), **options)],
    )
    return TestClient(app)


def test_anonymous_user() -> None:
    assert make_client().get("/whoami").json() == {
        "user": "",
        "authenticated": False,
        "scopes": [],
    }


def test_authenticated_user() -> None:
    response = make_client().get("/whoami", headers=basic("alice"))
    assert response.json() == {
        "user": "alice",
        "authenticated": True,
        "scopes": ["authenticated"],
    }


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({"Authorization": "Basic !!!notbase64"}, "Invalid basic auth credentials"),
        (basic("alice", "nope"), "Wrong password"),
    ],
)
def test_authentication_error_is_400_with_message(headers: dict[str, str], message: str) -> None:
    response = make_client().get("/whoami", headers=headers)
    assert response.status_code == 400
    assert response.text == message


def test_custom_on_error() -> None:
    def on_error(conn: HTTPConnection, exc: Exception) -> Response:
        return JSONResponse({"error": str(exc)}, status_code=401)

    response = make_client(on_error=on_error).get("/whoami", headers=basic("a", "x"))
    assert response.status_code == 401
    assert response.json() == {"error": "Wrong password"}


def test_requires_async_endpoint() -> None:
    client = make_client()
    assert client.get("/private").status_code == 403
    assert client.get("/private", headers=basic("bob")).text == "hi bob"


def test_requires_sync_endpoint_with_custom_status() -> None:
    client = make_client()
    assert client.get("/admin", headers=basic("bob")).status_code == 404
    assert client.get("/admin", headers=basic("root")).text == "admin"


def test_requires_redirect_carries_next() -> None:
    response = make_client().get("/dashboard?x=1", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == (
        "http://testserver/login?next=http%3A%2F%2Ftestserver%2Fdashboard%3Fx%3D1"
    )
    assert make_client().get("/dashboard", headers=basic("root")).text == "dashboard"


def test_requires_needs_request_parameter() -> None:
    with pytest.raises(Exception, match='No "request" or "websocket" argument'):

        @requires("x")
        async def bad(req: Request) -> None:
            pass


def test_requires_keeps_signature_for_api_routes() -> None:
    app = Zephyr(middleware=[Middleware(AuthenticationMiddleware, backend=BasicBackend())])

    @app.get("/items/{item_id}")
    @requires("admin")
    async def item(request: Request, item_id: int, q: str = "none") -> dict[str, Any]:
        return {"item_id": item_id, "q": q, "user": request.user.username}

    client = TestClient(app)
    assert client.get("/items/3?q=z").status_code == 403
    response = client.get("/items/3?q=z", headers=basic("root"))
    assert response.json() == {"item_id": 3, "q": "z", "user": "root"}
    assert client.get("/items/x", headers=basic("root")).status_code == 422


def test_has_required_scope() -> None:
    scope = http_scope("/", auth=AuthCredentials(["a", "b"]), user=UnauthenticatedUser())
    conn = HTTPConnection(scope)
    assert has_required_scope(conn, ["a"])
    assert has_required_scope(conn, [])
    assert not has_required_scope(conn, ["a", "c"])


def test_user_and_auth_need_the_middleware() -> None:
    conn = HTTPConnection(http_scope("/"))
    with pytest.raises(AssertionError, match="AuthenticationMiddleware"):
        _ = conn.user
    with pytest.raises(AssertionError, match="AuthenticationMiddleware"):
        _ = conn.auth


def test_websocket_with_bad_credentials_closed() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("must not run")

    async def run() -> Channel:
        channel = Channel()
        auth = basic("a", "wrong")["Authorization"]
        scope = http_scope("/ws", headers=[("authorization", auth)], type="websocket")
        await AuthenticationMiddleware(app, BasicBackend())(scope, channel.receive, channel.send)
        return channel

    assert asyncio.run(run()).sent == [
        {"type": "websocket.close", "code": 1008, "reason": "Wrong password"}
    ]


def test_lifespan_passes_through() -> None:
    seen: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["type"])

    channel = Channel()
    middleware = AuthenticationMiddleware(app, BasicBackend())
    asyncio.run(middleware({"type": "lifespan"}, channel.receive, channel.send))
    assert seen == ["lifespan"]


class FakeWebSocket(HTTPConnection):
    closed_with: int | None = None

    async def close(self, code: int = 1000) -> None:
        self.closed_with = code


def test_requires_closes_websocket_without_scope() -> None:
    entered: list[str] = []

    @requires("admin")
    async def endpoint(websocket: FakeWebSocket) -> None:
        entered.append(websocket.user.display_name)

    def connect(scopes: list[str]) -> FakeWebSocket:
        scope = http_scope("/ws", type="websocket", auth=AuthCredentials(scopes))
        scope["user"] = SimpleUser("ann")
        ws = FakeWebSocket(scope)
        asyncio.run(endpoint(ws))
        return ws

    assert connect(["user"]).closed_with == 1008
    assert entered == []
    assert connect(["admin"]).closed_with is None
    assert entered == ["ann"]
