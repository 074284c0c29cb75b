"""Host header syntax: URL(scope=...), TrustedHostMiddleware and HTTPSRedirectMiddleware agree."""

from __future__ import annotations

from typing import Any

import pytest

from zephyr._hosts import bracket_ipv6, split_host
from zephyr.datastructures import URL
from zephyr.middleware.httpsredirect import HTTPSRedirectMiddleware
from zephyr.middleware.trustedhost import TrustedHostMiddleware
from zephyr.responses import PlainTextResponse
from zephyr.testclient import TestClient

BAD_HOSTS = [
    "foo/?x=",
    "foo/#",
    "foo/bar",
    "user@foo",
    "foo\\bar",
    "foo bar",
    "[:::]",
    "[::ffff:999.999.999.999]",
    "[V1.foo]",  # IPvFuture's "v" is lower-case here
    "[::1",
    "[::1]evil.example",
    "[::1]:",
    "[::1]:evil",
    "[fe80::1%eth0]",  # zone ids have no place in a URI host
    "",
]


@pytest.mark.parametrize("value", BAD_HOSTS)
def test_invalid_host_values_are_rejected(value: str) -> None:
    assert split_host(value) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("example.com", ("example.com", "")),
        ("example.com:000080", ("example.com", "000080")),
        ("api_service:99999", ("api_service", "99999")),  # range is the URL's business
        ("[::1]:8000", ("[::1]", "8000")),
        ("[v1.foo]", ("[v1.foo]", "")),
        ("10.0.0.1", ("10.0.0.1", "")),
    ],
)
def test_valid_host_values_split(value: str, expected: tuple[str, str]) -> None:
    assert split_host(value) == expected


def _scope(host: bytes | None, **extra: Any) -> dict[str, Any]:
    headers = [] if host is None else [(b"host", host)]
    scope = {"scheme": "http", "path": "/admin", "query_string": b"", "headers": headers}
    return {**scope, **extra}


@pytest.mark.parametrize("value", [*BAD_HOSTS[:-1], "foo:65536", "foo:100000"])
def test_url_ignores_an_invalid_host_header_for_the_server_address(value: str) -> None:
    url = URL(scope=_scope(value.encode("latin-1"), server=("example.com", 80)))
    assert (url.netloc, url.path) == ("example.com", "/admin")


def test_url_brackets_ipv6_and_keeps_paths_out_of_the_authority() -> None:
    assert URL(scope=_scope(b"[:::]", server=("::1", 8000))).netloc == "[::1]:8000"
    assert URL(scope=_scope(None, server=("::1", 80))).netloc == "[::1]"
    for path, expected in [
        ("@evil.com", "/@evil.com"),
        ("http://evil.com/x", "/http://evil.com/x"),
    ]:
        url = URL(scope={**_scope(b"localhost"), "path": path})
        assert (url.hostname, url.path) == ("localhost", expected)
    assert URL(scope={**_scope(b"h"), "path": "/a?b#c", "query_string": b"d=e"}) == (
        "http://h/a%3Fb%23c?d=e"
    )
    # No authority at all: the URL stays a path, never "//host".
    assert URL(scope={**_scope(None), "path": "//evil.com/a"}) == "/%2Fevil.com/a"
    assert URL(scope={**_scope(None), "path": "/\\evil.com/a"}) == "/%5Cevil.com/a"
    assert URL("https://[fe::2]:1").replace(hostname="fe::2", port=2) == "https://[fe::2]:2"
    assert bracket_ipv6("example.org:8080") == "example.org:8080"


def test_trusted_host_checks_syntax_before_names() -> None:
    app = TrustedHostMiddleware(PlainTextResponse("OK"), allowed_hosts=["[::1]", "api_service"])
    client = TestClient(app)
    for good in ("[::1]", "[::1]:8000", "api_service:8000"):
        assert client.get("/", headers={"host": good}).status_code == 200, good
    for bad in ("[::1]@attacker", "[::1].", "api_service/evil", "api service", "[2001:db8::1]"):
        assert client.get("/", headers={"host": bad}).status_code == 400, bad


def test_https_redirect_falls_back_to_the_server_or_refuses() -> None:
    client = TestClient(HTTPSRedirectMiddleware(PlainTextResponse("OK")), follow_redirects=False)
    response = client.get("/", headers={"host": "testserver:65536"})
    assert response.headers["location"] == "https://testserver/"

    async def serverless(scope: Any, receive: Any, send: Any) -> None:
        scope.pop("server", None)
        await HTTPSRedirectMiddleware(PlainTextResponse("OK"))(scope, receive, send)

    refused = TestClient(serverless).get("/", headers={"host": "[:::]"})
    assert (refused.status_code, refused.text) == (400, "Invalid host header")
