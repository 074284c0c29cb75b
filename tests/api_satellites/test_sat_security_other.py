"""API keys, OAuth2 schemes, OpenID Connect, scopes, forms and the header splitter."""

from __future__ import annotations

import inspect
import typing

import pytest

from zephyr.security import (
    APIKeyCookie,
    APIKeyHeader,
    APIKeyQuery,
    OAuth2,
    OAuth2AuthorizationCodeBearer,
    OAuth2PasswordBearer,
    OAuth2PasswordRequestForm,
    OAuth2PasswordRequestFormStrict,
    OpenIdConnect,
    SecurityScopes,
)
from zephyr.security.base import SecurityBase
from zephyr.security.utils import get_authorization_scheme_param

from ._helpers import assert_401, auth, call, make_request


def dump(dep: SecurityBase) -> dict[str, object]:
    return dep.model.model_dump(mode="json", by_alias=True, exclude_none=True)


# ---- get_authorization_scheme_param -------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ("", "")),
        ("", ("", "")),
        ("Bearer", ("Bearer", "")),
        ("Bearer x", ("Bearer", "x")),
        ("Bearer   x  ", ("Bearer", "x")),
        (" Bearer x", ("", "Bearer x")),
        ("a b c", ("a", "b c")),
        ("Bearer\tx", ("Bearer\tx", "")),
    ],
)
def test_scheme_param_split(value: str | None, expected: tuple[str, str]) -> None:
    assert get_authorization_scheme_param(value) == expected


# ---- API keys -----------------------------------------------------------------


def test_api_key_header() -> None:
    dep = APIKeyHeader(name="X-API-Key")
    assert call(dep, make_request([("x-api-key", "k1")])) == "k1"
    for bad in (
        make_request(),
        make_request([("X-API-Key", "")]),
        make_request([("X-Other", "k")]),
    ):
        assert_401(call(dep, bad), "APIKey")
        assert call(APIKeyHeader(name="X-API-Key", auto_error=False), bad) is None
    assert dump(dep) == {"type": "apiKey", "in": "header", "name": "X-API-Key"}
    assert dep.scheme_name == "APIKeyHeader"


def test_api_key_query() -> None:
    dep = APIKeyQuery(name="key", scheme_name="q", description="query key")
    assert call(dep, make_request(query_string=b"key=a%20b")) == "a b"
    # Repeated parameters: the last one wins, as with Starlette query params.
    assert call(dep, make_request(query_string=b"key=a&key=c")) == "c"
    for qs in (b"", b"key=", b"other=k", b"KEY=k"):
        assert_401(call(dep, make_request(query_string=qs)), "APIKey")
        assert (
            call(APIKeyQuery(name="key", auto_error=False), make_request(query_string=qs)) is None
        )
    assert dump(dep) == {"type": "apiKey", "in": "query", "name": "key", "description": "query key"}
    assert dep.scheme_name == "q"


def test_api_key_cookie() -> None:
    dep = APIKeyCookie(name="session")
    assert call(dep, make_request([("Cookie", "a=1; session=s3cr3t")])) == "s3cr3t"
    for cookie in ("", "session=", "other=x"):
        request = make_request([("Cookie", cookie)])
        assert_401(call(dep, request), "APIKey")
        assert call(APIKeyCookie(name="session", auto_error=False), request) is None
    assert dump(dep) == {"type": "apiKey", "in": "cookie", "name": "session"}


# ---- OAuth2 -------------------------------------------------------------------


def test_oauth2_returns_raw_header() -> None:
    dep = OAuth2()
    for value in ("Bearer abc", "Basic !!!", "token", "Bearer"):
        assert call(dep, auth(value)) == value
    for bad in (make_request(), auth("")):
        assert_401(call(dep, bad), "Bearer")
        assert call(OAuth2(auto_error=False), bad) is None
    assert dump(dep) == {"type": "oauth2", "flows": {}}


def test_oauth2_flows_accept_dicts() -> None:
    dep = OAuth2(flows={"implicit": {"authorizationUrl": "/auth", "scopes": {"r": "read"}}})
    assert dump(dep)["flows"] == {
        "implicit": {"authorizationUrl": "/auth", "scopes": {"r": "read"}}
    }


@pytest.mark.parametrize(
    "dep_factory",
    [
        lambda auto: OAuth2PasswordBearer("token", auto_error=auto),
        lambda auto: OAuth2AuthorizationCodeBearer("auth", "token", auto_error=auto),
    ],
)
def test_bearer_flows(dep_factory: typing.Callable[[bool], OAuth2]) -> None:
    dep = dep_factory(True)
    assert call(dep, auth("Bearer abc")) == "abc"
    assert call(dep, auth("bearer  a b ")) == "a b"
    assert call(dep, auth("Bearer")) == ""  # scheme without token: empty string, no error
    for bad in (make_request(), auth(""), auth("Basic dTpw"), auth("abc"), auth("Token x")):
        assert_401(call(dep, bad), "Bearer")
        assert call(dep_factory(False), bad) is None


def test_password_bearer_model() -> None:
    dep = OAuth2PasswordBearer(tokenUrl="/token", scopes={"me": "Read me"}, refreshUrl="/refresh")
    assert dump(dep) == {
        "type": "oauth2",
        "flows": {
            "password": {
                "tokenUrl": "/token",
                "refreshUrl": "/refresh",
                "scopes": {"me": "Read me"},
            }
        },
    }
    assert dep.scheme_name == "OAuth2PasswordBearer"


def test_authorization_code_bearer_model() -> None:
    dep = OAuth2AuthorizationCodeBearer("/auth", "/token", scheme_name="ac", description="d")
    assert dump(dep) == {
        "type": "oauth2",
        "description": "d",
        "flows": {
            "authorizationCode": {"authorizationUrl": "/auth", "tokenUrl": "/token", "scopes": {}}
        },
    }
    assert dep.scheme_name == "ac"


def test_open_id_connect() -> None:
    dep = OpenIdConnect(openIdConnectUrl="https://id.example/.well-known/openid-configuration")
    assert call(dep, auth("Bearer x")) == "Bearer x"
    assert call(dep, auth("anything")) == "anything"
    assert_401(call(dep, make_request()), "Bearer")
    assert call(OpenIdConnect(openIdConnectUrl="u", auto_error=False), make_request()) is None
    assert dump(dep) == {
        "type": "openIdConnect",
        "openIdConnectUrl": "https://id.example/.well-known/openid-configuration",
    }


# ---- scopes and forms ---------------------------------------------------------


def test_security_scopes() -> None:
    empty = SecurityScopes()
    assert (empty.scopes, empty.scope_str) == ([], "")
    scopes = SecurityScopes(["items:read", "me"])
    assert (scopes.scopes, scopes.scope_str) == (["items:read", "me"], "items:read me")


def test_password_form_splits_scopes() -> None:
    form = OAuth2PasswordRequestForm(username="u", password="p", scope=" a  b\tc ")
    assert vars(form) == {
        "grant_type": None,
        "username": "u",
        "password": "p",
        "scopes": ["a", "b", "c"],
        "client_id": None,
        "client_secret": None,
    }
    strict = OAuth2PasswordRequestFormStrict("password", "u", "p", client_id="c", client_secret="s")
    assert (strict.grant_type, strict.scopes, strict.client_id, strict.client_secret) == (
        "password",
        [],
        "c",
        "s",
    )


def test_password_form_signatures_match_the_reference_shape() -> None:
    params = inspect.signature(OAuth2PasswordRequestForm).parameters
    assert list(params) == [
        "grant_type",
        "username",
        "password",
        "scope",
        "client_id",
        "client_secret",
    ]
    assert all(p.kind is p.KEYWORD_ONLY for p in params.values())
    assert params["scope"].default == "" and params["grant_type"].default is None
    assert params["username"].default is inspect.Parameter.empty
    strict = inspect.signature(OAuth2PasswordRequestFormStrict).parameters
    assert strict["grant_type"].default is inspect.Parameter.empty
    assert all(p.kind is p.POSITIONAL_OR_KEYWORD for p in strict.values())
    # Each parameter is Annotated[..., <Form marker>] for the dependency resolver.
    hints = typing.get_type_hints(OAuth2PasswordRequestForm.__init__, include_extras=True)
    assert typing.get_origin(hints["username"]) is typing.Annotated
