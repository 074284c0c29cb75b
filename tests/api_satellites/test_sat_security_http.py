"""HTTP Basic / Bearer / Digest / generic HTTP schemes driven with scope-built requests."""

from __future__ import annotations

import base64

import pytest

from zephyr.security import (
    HTTPAuthorizationCredentials,
    HTTPBasic,
    HTTPBasicCredentials,
    HTTPBearer,
    HTTPDigest,
)
from zephyr.security.http import HTTPBase

from ._helpers import assert_401, auth, call, make_request


def basic(raw: bytes) -> str:
    return "Basic " + base64.b64encode(raw).decode()


# ---- Bearer -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "scheme", "credentials"),
    [
        ("Bearer abc", "Bearer", "abc"),
        ("bearer abc", "bearer", "abc"),
        ("BEARER abc", "BEARER", "abc"),
        ("Bearer  a b ", "Bearer", "a b"),
    ],
)
def test_bearer_accepts_any_case_and_strips(value: str, scheme: str, credentials: str) -> None:
    assert call(HTTPBearer(), auth(value)) == HTTPAuthorizationCredentials(
        scheme=scheme, credentials=credentials
    )


@pytest.mark.parametrize(
    "request_",
    [
        make_request(),
        auth(""),
        auth("Bearer"),
        auth("Bearer "),
        auth("Basic dTpw"),
        auth("Token abc"),
        auth("abc"),
        auth("Bearer\tabc"),
        make_request([("X-Other", "Bearer abc")]),
    ],
)
def test_bearer_rejects_missing_or_wrong(request_: object) -> None:
    assert_401(call(HTTPBearer(), request_), "Bearer")  # type: ignore[arg-type]
    assert call(HTTPBearer(auto_error=False), request_) is None  # type: ignore[arg-type]


def test_bearer_model_and_scheme_name() -> None:
    dep = HTTPBearer(bearerFormat="JWT", description="tokens", scheme_name="jwt")
    assert dep.scheme_name == "jwt"
    assert dep.model.model_dump(mode="json", by_alias=True, exclude_none=True) == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "tokens",
    }
    assert HTTPBearer().scheme_name == "HTTPBearer"


# ---- Basic --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "username", "password"),
    [
        (basic(b"user:pass"), "user", "pass"),
        (basic(b"user:pa:ss"), "user", "pa:ss"),
        (basic(b":"), "", ""),
        (basic(b"user:"), "user", ""),
        ("basic " + base64.b64encode(b"u:p").decode(), "u", "p"),
        ("BASIC  " + base64.b64encode(b"u:p").decode(), "u", "p"),
    ],
)
def test_basic_decodes(value: str, username: str, password: str) -> None:
    assert call(HTTPBasic(), auth(value)) == HTTPBasicCredentials(
        username=username, password=password
    )


@pytest.mark.parametrize(
    "value",
    [
        "Basic !!!notb64",
        "Basic dTp",  # truncated base64
        basic(b"nocolon"),
        basic(b"\xff:\xfe"),  # not ASCII
        basic("\u00fc:p".encode()),  # UTF-8 is rejected like the reference
        "Basic ",
        "Basic",
        "Basic dTpw extra",
    ],
)
def test_basic_garbage_is_401_even_without_auto_error(value: str) -> None:
    assert_401(call(HTTPBasic(), auth(value)), "Basic")
    assert_401(call(HTTPBasic(auto_error=False), auth(value)), "Basic")


@pytest.mark.parametrize("value", [None, "", "Bearer abc", "Digest x=y", "Basicx dTpw"])
def test_basic_missing_respects_auto_error(value: str | None) -> None:
    request = make_request() if value is None else auth(value)
    assert_401(call(HTTPBasic(), request), "Basic")
    assert call(HTTPBasic(auto_error=False), request) is None


def test_basic_realm_challenge_is_a_quoted_string() -> None:
    assert_401(call(HTTPBasic(realm="api"), make_request()), 'Basic realm="api"')
    hostile = HTTPBasic(realm='a"b\\c')
    assert_401(call(hostile, make_request()), 'Basic realm="a\\"b\\\\c"')
    assert hostile.make_authenticate_headers() == {"WWW-Authenticate": 'Basic realm="a\\"b\\\\c"'}


def test_basic_model() -> None:
    dep = HTTPBasic(scheme_name="pw", description="d")
    assert (dep.scheme_name, dep.realm) == ("pw", None)
    assert dep.model.model_dump(mode="json", by_alias=True, exclude_none=True) == {
        "type": "http",
        "scheme": "basic",
        "description": "d",
    }


# ---- Digest and generic -------------------------------------------------------


def test_digest() -> None:
    value = 'Digest username="u", realm="r", nonce="n"'
    assert call(HTTPDigest(), auth(value)) == HTTPAuthorizationCredentials(
        scheme="Digest", credentials='username="u", realm="r", nonce="n"'
    )
    for bad in (make_request(), auth("Basic dTpw"), auth("Digest"), auth("Bearer x")):
        assert_401(call(HTTPDigest(), bad), "Digest")
        assert call(HTTPDigest(auto_error=False), bad) is None
    assert HTTPDigest().model.scheme == "digest"


def test_http_base_accepts_any_scheme_and_titles_the_challenge() -> None:
    dep = HTTPBase(scheme="custom")
    assert call(dep, auth("Other x")) == HTTPAuthorizationCredentials(
        scheme="Other", credentials="x"
    )
    assert_401(call(dep, auth("Custom")), "Custom")
    assert call(HTTPBase(scheme="custom", auto_error=False), make_request()) is None


def test_error_hook_can_be_overridden() -> None:
    from zephyr.exceptions import HTTPException

    class Forbidding(HTTPBearer):
        def make_not_authenticated_error(self) -> HTTPException:
            return HTTPException(status_code=403, detail="Forbidden")

    outcome = call(Forbidding(), make_request())
    assert isinstance(outcome, HTTPException)
    assert outcome.status_code == 403
