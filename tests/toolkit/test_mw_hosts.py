"""TrustedHostMiddleware and HTTPSRedirectMiddleware."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.toolkit.conftest import Channel, http_scope
from zephyr.applications import BaseApp
from zephyr.middleware import Middleware
from zephyr.middleware.httpsredirect import HTTPSRedirectMiddleware
from zephyr.middleware.trustedhost import TrustedHostMiddleware
from zephyr.responses import PlainTextResponse
from zephyr.routing import Route
from zephyr.testclient import TestClient
from zephyr.types import Receive, Scope, Send


async def page(request: Any) -> PlainTextResponse:
    return PlainTextResponse(f"{request.url}")


def app_with(cls: type, **options: Any) -> BaseApp:
    return BaseApp(
        routes=[Route("/p", page, methods=["GET", "POST"])], middleware=[Middleware(cls, **options)]
    )


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("example.com", 200),
        ("EXAMPLE.com", 200),
        ("example.com:8000", 200),
        ("a.ex.org", 200),
        ("a.b.ex.org", 200),
        ("ex.org", 400),  # "*.ex.org" is subdomains only
        ("evilex.org", 400),
        ("evil.com", 400),
        ("example.com.evil.com", 400),
        ("[::1]:8000", 200),
        ("[::2]", 400),
        ("", 400),
    ],
)
def test_trusted_hosts(host: str, status: int) -> None:
    app = app_with(TrustedHostMiddleware, allowed_hosts=["example.com", "*.ex.org", "[::1]"])
    response = TestClient(app).get("/p", headers={"host": host})
    assert response.status_code == status
    if status == 400:
        assert response.text == "Invalid host header"


def test_missing_host_header_refused() -> None:
    async def run() -> Channel:
        channel = Channel()
        middleware = TrustedHostMiddleware(_never_called, allowed_hosts=["example.com"])
        await middleware(http_scope("/"), channel.receive, channel.send)
        return channel

    channel = asyncio.run(run())
    assert channel.start["status"] == 400


async def _never_called(scope: Scope, receive: Receive, send: Send) -> None:
    raise AssertionError("the app must not run")


def test_www_redirect_keeps_path_query_and_port() -> None:
    client = TestClient(app_with(TrustedHostMiddleware, allowed_hosts=["www.example.com"]))
    response = client.get("/p?q=1", headers={"host": "example.com:81"}, follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == "http://www.example.com:81/p?q=1"


def test_www_redirect_disabled() -> None:
    app = app_with(TrustedHostMiddleware, allowed_hosts=["www.example.com"], www_redirect=False)
    response = TestClient(app).get("/p", headers={"host": "example.com"})
    assert response.status_code == 400


def test_wildcard_allows_all() -> None:
    response = TestClient(app_with(TrustedHostMiddleware)).get("/p", headers={"host": "x.y"})
    assert response.status_code == 200


@pytest.mark.parametrize("pattern", ["ex*.com", "*example.com", "a.*.com"])
def test_bad_wildcard_patterns_rejected(pattern: str) -> None:
    with pytest.raises(AssertionError):
        TrustedHostMiddleware(_never_called, allowed_hosts=[pattern])


def test_websocket_with_bad_host_closed_before_accept() -> None:
    async def run() -> Channel:
        channel = Channel()
        scope = http_scope("/ws", headers=[("host", "evil.com")], type="websocket")
        middleware = TrustedHostMiddleware(_never_called, allowed_hosts=["example.com"])
        await middleware(scope, channel.receive, channel.send)
        return channel

    assert asyncio.run(run()).sent == [
        {"type": "websocket.close", "code": 1008, "reason": "Invalid host header"}
    ]


@pytest.mark.parametrize(
    ("base", "location"),
    [
        ("http://a.com", "https://a.com/p?q=1"),
        ("http://a.com:80", "https://a.com/p?q=1"),
        ("http://a.com:8080", "https://a.com:8080/p?q=1"),
        ("http://[::1]:80", "https://[::1]/p?q=1"),
    ],
)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_https_redirect(base: str, location: str, method: str) -> None:
    client = TestClient(app_with(HTTPSRedirectMiddleware), base_url=base)
    response = client.request(method, "/p?q=1", follow_redirects=False)
    assert response.status_code == 307  # method and body preserved
    assert response.headers["location"] == location


def test_https_request_passes() -> None:
    client = TestClient(app_with(HTTPSRedirectMiddleware), base_url="https://a.com")
    response = client.get("/p")
    assert response.status_code == 200
    assert response.text == "https://a.com/p"


def test_plain_websocket_without_denial_extension_is_closed() -> None:
    async def run() -> Channel:
        channel = Channel()
        scope = http_scope("/ws", headers=[("host", "a.com")], type="websocket", scheme="ws")
        await HTTPSRedirectMiddleware(_never_called)(scope, channel.receive, channel.send)
        return channel

    assert asyncio.run(run()).sent[0]["type"] == "websocket.close"


def test_plain_websocket_with_denial_extension_is_redirected() -> None:
    async def run() -> Channel:
        channel = Channel()
        scope = http_scope(
            "/ws",
            headers=[("host", "a.com")],
            type="websocket",
            scheme="ws",
            extensions={"websocket.http.response": {}},
        )
        await HTTPSRedirectMiddleware(_never_called)(scope, channel.receive, channel.send)
        return channel

    start = asyncio.run(run()).sent[0]
    assert start["type"] == "websocket.http.response.start"
    assert start["status"] == 307
    assert (b"location", b"wss://a.com/ws") in start["headers"]


HOST_CASES = ["example.com", "www.example.com", "a.ex.org", "ex.org", "evil.com", "example.com:81"]


@pytest.mark.parametrize("allowed", [["example.com", "*.ex.org"], ["www.example.com"], ["*"]])
def test_trusted_host_same_as_starlette(allowed: list[str]) -> None:
    import starlette.middleware.trustedhost

    from tests.toolkit._mw_peer import starlette_client, zephyr_client

    ours = zephyr_client(TrustedHostMiddleware, allowed_hosts=allowed)
    theirs = starlette_client(
        starlette.middleware.trustedhost.TrustedHostMiddleware, allowed_hosts=allowed
    )
    for host in HOST_CASES:
        kwargs: dict[str, Any] = {"headers": {"host": host}, "follow_redirects": False}
        mine, peer = ours.get("/plain?q=1", **kwargs), theirs.get("/plain?q=1", **kwargs)
        assert (mine.status_code, mine.text) == (peer.status_code, peer.text), host
        assert mine.headers.get("location") == peer.headers.get("location"), host


@pytest.mark.parametrize("base", ["http://a.com", "http://a.com:8080", "https://a.com"])
def test_https_redirect_same_as_starlette(base: str) -> None:
    import starlette.middleware.httpsredirect

    from tests.toolkit._mw_peer import starlette_client, zephyr_client

    ours = zephyr_client(HTTPSRedirectMiddleware)
    theirs = starlette_client(starlette.middleware.httpsredirect.HTTPSRedirectMiddleware)
    ours.base_url = theirs.base_url = base  # type: ignore[assignment]
    for method in ("GET", "POST"):
        mine = ours.request(method, "/plain?q=1", follow_redirects=False)
        peer = theirs.request(method, "/plain?q=1", follow_redirects=False)
        assert mine.status_code == peer.status_code
        assert mine.headers.get("location") == peer.headers.get("location")


def test_allowed_hosts_is_readable_as_configured() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        pass

    assert TrustedHostMiddleware(app).allowed_hosts == ["*"]
    given = ("api.example.com", "*.example.org")
    assert TrustedHostMiddleware(app, allowed_hosts=given).allowed_hosts == list(given)
