"""CORSMiddleware: preflights, simple requests, credentials policy, parity with Starlette."""

from __future__ import annotations

from typing import Any

import pytest
import starlette.middleware.cors

from tests.toolkit._mw_peer import starlette_client, zephyr_client
from zephyr.middleware.cors import CORSMiddleware

A = "https://a.example"
PREFLIGHT = {"Origin": A, "Access-Control-Request-Method": "GET"}


def client(**options: Any) -> Any:
    return zephyr_client(CORSMiddleware, **options)


def cors_headers(response: Any) -> dict[str, str]:
    return {
        k: v for k, v in response.headers.items() if k.startswith("access-control-") or k == "vary"
    }


def test_no_origin_gets_only_vary() -> None:
    response = client(allow_origins=["*"]).get("/plain")
    assert response.text == "hello"
    assert cors_headers(response) == {"vary": "Origin"}


def test_simple_request_listed_origin() -> None:
    response = client(allow_origins=[A], expose_headers=["X-Total"]).get(
        "/plain", headers={"Origin": A}
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == A
    assert response.headers["access-control-expose-headers"] == "X-Total"
    assert response.headers["vary"] == "Origin"
    assert "access-control-allow-credentials" not in response.headers


def test_simple_request_unlisted_origin_gets_no_grant() -> None:
    response = client(allow_origins=[A], allow_credentials=True).get(
        "/plain", headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 200  # the browser, not the server, blocks the read
    assert cors_headers(response) == {"vary": "Origin"}


def test_wildcard_without_credentials_answers_star() -> None:
    response = client(allow_origins=["*"]).get("/plain", headers={"Origin": A})
    assert response.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize("path", ["/plain", "/big"])
def test_wildcard_with_credentials_reflects_the_origin_with_credentials(path: str) -> None:
    response = client(allow_origins=["*"], allow_credentials=True).get(
        path, headers={"Origin": "https://b.example", "Cookie": "sid=1"}
    )
    assert response.headers["access-control-allow-origin"] == "https://b.example"
    assert response.headers["access-control-allow-credentials"] == "true"
    assert response.headers["vary"] == "Origin"


def test_wildcard_with_credentials_preflight_reflects_any_origin() -> None:
    c = client(allow_origins=["*"], allow_credentials=True)
    other = c.options("/plain", headers={**PREFLIGHT, "Origin": "https://b.example"})
    assert other.status_code == 200
    assert other.headers["access-control-allow-origin"] == "https://b.example"
    assert other.headers["access-control-allow-credentials"] == "true"


def test_wildcard_with_cookie_but_no_credentials_still_answers_star() -> None:
    response = client(allow_origins=["*"]).get("/plain", headers={"Origin": A, "Cookie": "a=1"})
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("https://api.example.org", True),
        ("https://a.b.example.org", True),
        ("https://api.example.org.evil.com", False),  # fullmatch, not match/search
        ("https://api.example.org:443/x", False),
        ("http://api.example.org", False),
    ],
)
def test_origin_regex_is_matched_in_full(origin: str, allowed: bool) -> None:
    c = client(allow_origin_regex=r"https://.*\.example\.org", allow_credentials=True)
    response = c.get("/plain", headers={"Origin": origin})
    assert ("access-control-allow-origin" in response.headers) is allowed
    if allowed:
        assert response.headers["access-control-allow-origin"] == origin
        assert response.headers["access-control-allow-credentials"] == "true"


def test_preflight_allowed() -> None:
    c = client(
        allow_origins=[A],
        allow_methods=["GET", "POST"],
        allow_headers=["X-Token"],
        allow_credentials=True,
        max_age=1234,
    )
    response = c.options(
        "/plain", headers={**PREFLIGHT, "Access-Control-Request-Headers": "x-token, content-type"}
    )
    assert response.status_code == 200
    assert response.text == "OK"
    h = response.headers
    assert h["access-control-allow-origin"] == A
    assert h["access-control-allow-credentials"] == "true"
    assert h["access-control-allow-methods"] == "GET, POST"
    assert "X-Token" in h["access-control-allow-headers"]
    assert h["access-control-max-age"] == "1234"  # preflight caching
    assert h["vary"].startswith("Origin")


def test_preflight_never_reaches_the_app() -> None:
    # /plain has no OPTIONS route; the preflight is still answered 200.
    response = client(allow_origins=["*"]).options("/plain", headers=PREFLIGHT)
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"Access-Control-Request-Method": "DELETE"}, "Disallowed CORS method"),
        ({"Access-Control-Request-Headers": "X-Token, X-Secret"}, "Disallowed CORS headers"),
        ({"Origin": "https://evil.example"}, "Disallowed CORS origin"),
        (
            {
                "Origin": "https://evil.example",
                "Access-Control-Request-Method": "PUT",
                "Access-Control-Request-Headers": "x-a",
            },
            "Disallowed CORS origin, method, headers",
        ),
        ({"Access-Control-Request-Private-Network": "true"}, "Disallowed CORS private-network"),
    ],
)
def test_preflight_refusals_say_what(extra: dict[str, str], message: str) -> None:
    c = client(allow_origins=[A], allow_methods=["GET"], allow_headers=["X-Token"])
    response = c.options("/plain", headers={**PREFLIGHT, **extra})
    assert response.status_code == 400
    assert response.text == message
    if "Origin" in extra:
        assert "access-control-allow-origin" not in response.headers


def test_preflight_wildcards_echo_request() -> None:
    c = client(
        allow_origins=["*"], allow_methods=["*"], allow_headers=["*"], allow_private_network=True
    )
    response = c.options(
        "/plain",
        headers={
            **PREFLIGHT,
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "X-Anything",
            "Access-Control-Request-Private-Network": "true",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-headers"] == "X-Anything"
    assert response.headers["access-control-allow-private-network"] == "true"
    assert "PATCH" in response.headers["access-control-allow-methods"]


def test_wildcard_methods_refuse_a_custom_method() -> None:
    c = client(allow_origins=["*"], allow_methods=["*"])
    response = c.options("/plain", headers={**PREFLIGHT, "Access-Control-Request-Method": "BREW"})
    assert response.status_code == 400
    assert response.text == "Disallowed CORS method"
    assert "Access-Control-Request-Method" in response.headers["vary"].split(", ")
    assert c.options(
        "/plain", headers={**PREFLIGHT, "Access-Control-Request-Method": "QUERY"}
    ).is_success


def test_options_without_request_method_is_not_a_preflight() -> None:
    response = client(allow_origins=["*"]).options("/plain", headers={"Origin": A})
    assert response.status_code == 405  # reached the router
    assert response.headers["access-control-allow-origin"] == "*"


def test_vary_is_appended_to_existing_vary() -> None:
    from zephyr.applications import BaseApp
    from zephyr.middleware import Middleware
    from zephyr.responses import PlainTextResponse
    from zephyr.routing import Route
    from zephyr.testclient import TestClient

    async def page(request: Any) -> PlainTextResponse:
        return PlainTextResponse("x", headers={"Vary": "Cookie"})

    app = BaseApp(
        routes=[Route("/", page)], middleware=[Middleware(CORSMiddleware, allow_origins=[A])]
    )
    response = TestClient(app).get("/", headers={"Origin": A})
    assert response.headers["vary"] == "Cookie, Origin"


# --- black-box parity with Starlette -------------------------------------------------------

CONFIGS: list[dict[str, Any]] = [
    {"allow_origins": ["*"]},
    {"allow_origins": ["*"], "allow_credentials": True, "expose_headers": ["X-E"]},
    {
        "allow_origins": [A],
        "allow_credentials": True,
        "allow_headers": ["X-Foo"],
        "expose_headers": ["X-E"],
        "max_age": 100,
    },
    {"allow_origin_regex": r"https://.*\.ex\.com", "allow_methods": ["*"], "allow_headers": ["*"]},
    {"allow_origins": [A], "allow_methods": ["GET", "POST"], "allow_private_network": True},
]
REQUESTS: list[tuple[str, dict[str, str]]] = [
    ("GET", {"Origin": A}),
    ("GET", {"Origin": "https://b.ex.com"}),
    ("GET", {}),
    ("OPTIONS", PREFLIGHT),
    ("OPTIONS", {"Origin": "https://b.ex.com", "Access-Control-Request-Method": "PUT"}),
    (
        "OPTIONS",
        {
            **PREFLIGHT,
            "Access-Control-Request-Headers": "X-Foo",
            "Access-Control-Request-Method": "POST",
        },
    ),
    ("OPTIONS", {**PREFLIGHT, "Access-Control-Request-Private-Network": "true"}),
    ("OPTIONS", {"Origin": A}),
]


def _observable(response: Any) -> tuple[int, dict[str, str]]:
    headers = {k: v.lower() for k, v in cors_headers(response).items()}
    return response.status_code, headers


@pytest.mark.parametrize("config", CONFIGS)
def test_same_answers_as_starlette(config: dict[str, Any]) -> None:
    ours = client(**config)
    theirs = starlette_client(starlette.middleware.cors.CORSMiddleware, **config)
    for method, headers in REQUESTS:
        mine = _observable(ours.request(method, "/plain", headers=headers))
        peer = _observable(theirs.request(method, "/plain", headers=headers))
        if "access-control-allow-origin" not in mine[1]:
            # Documented difference: no credential/expose headers for refused origins.
            for name in ("access-control-allow-credentials", "access-control-expose-headers"):
                peer[1].pop(name, None)
        assert mine == peer, (config, method, headers)
