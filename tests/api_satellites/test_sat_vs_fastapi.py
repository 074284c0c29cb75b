"""Side-by-side checks against the installed FastAPI, used only as a black box.

The same inputs go to zephyr's and FastAPI's security dependencies and OpenAPI
models; outcomes (values, status, detail, challenge) and dumps must agree.
"""

from __future__ import annotations

import asyncio
import base64
import enum
from collections.abc import Callable
from typing import Any

import pytest

fastapi_security = pytest.importorskip("fastapi.security")
fastapi_models = pytest.importorskip("fastapi.openapi.models")
starlette_requests = pytest.importorskip("starlette.requests")
starlette_exceptions = pytest.importorskip("starlette.exceptions")

import zephyr.security as zsec  # noqa: E402
from zephyr.exceptions import HTTPException  # noqa: E402
from zephyr.openapi import models as zmodels  # noqa: E402
from zephyr.requests import Request  # noqa: E402

B64 = base64.b64encode
HEADER_SETS: list[list[tuple[str, str]]] = [
    [],
    [("Authorization", "")],
    [("Authorization", "Bearer abc")],
    [("Authorization", "bearer  abc ")],
    [("Authorization", "Bearer")],
    [("Authorization", "Bearer ")],
    [("Authorization", "Basic " + B64(b"u:p").decode())],
    [("Authorization", "basic " + B64(b"u:p:q").decode())],
    [("Authorization", "Basic " + B64(b"nocolon").decode())],
    [("Authorization", "Basic " + B64(b"\xff:\xfe").decode())],
    [("Authorization", "Basic !!!garbage")],
    [("Authorization", "Basic dT!pw")],
    [("Authorization", "Basic")],
    [("Authorization", "Digest a=b")],
    [("Authorization", "token")],
    [("X-Key", "k")],
    [("X-Key", "")],
    [("Cookie", "key=k")],
    [("Cookie", "key=")],
]
QUERIES = [b"", b"key=k", b"key=", b"key=a&key=b"]

# (name, factory(module_namespace)) — built the same way from either package.
FACTORIES: list[tuple[str, Callable[[Any], Any]]] = [
    ("bearer", lambda m: m.HTTPBearer()),
    ("bearer-noauto", lambda m: m.HTTPBearer(auto_error=False)),
    ("basic", lambda m: m.HTTPBasic()),
    ("basic-realm", lambda m: m.HTTPBasic(realm="api")),
    ("basic-noauto", lambda m: m.HTTPBasic(auto_error=False)),
    ("digest", lambda m: m.HTTPDigest()),
    ("digest-noauto", lambda m: m.HTTPDigest(auto_error=False)),
    ("oauth2", lambda m: m.OAuth2()),
    ("oauth2-noauto", lambda m: m.OAuth2(auto_error=False)),
    ("password", lambda m: m.OAuth2PasswordBearer("tok", scopes={"a": "A"})),
    ("password-noauto", lambda m: m.OAuth2PasswordBearer("tok", auto_error=False)),
    ("authcode", lambda m: m.OAuth2AuthorizationCodeBearer("au", "tok", refreshUrl="r")),
    ("oidc", lambda m: m.OpenIdConnect(openIdConnectUrl="https://x/oidc")),
    ("oidc-noauto", lambda m: m.OpenIdConnect(openIdConnectUrl="u", auto_error=False)),
    ("key-header", lambda m: m.APIKeyHeader(name="X-Key")),
    ("key-header-noauto", lambda m: m.APIKeyHeader(name="X-Key", auto_error=False)),
    ("key-query", lambda m: m.APIKeyQuery(name="key", description="d")),
    ("key-query-noauto", lambda m: m.APIKeyQuery(name="key", auto_error=False)),
    ("key-cookie", lambda m: m.APIKeyCookie(name="key", scheme_name="c")),
]


def _scope(headers: list[tuple[str, str]], query: bytes) -> dict[str, Any]:
    raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers]
    return {"type": "http", "method": "GET", "path": "/", "query_string": query, "headers": raw}


def _outcome(dependency: Any, request: Any) -> tuple[Any, ...]:
    try:
        value = asyncio.run(dependency(request))
    except (HTTPException, starlette_exceptions.HTTPException) as exc:
        return ("error", exc.status_code, exc.detail, dict(exc.headers or {}))
    if hasattr(value, "model_dump"):
        return ("ok", type(value).__name__, value.model_dump())
    return ("ok", value)


@pytest.mark.parametrize(("name", "factory"), FACTORIES, ids=[n for n, _ in FACTORIES])
def test_security_dependency_matches_fastapi(name: str, factory: Callable[[Any], Any]) -> None:
    ours, theirs = factory(zsec), factory(fastapi_security)
    assert ours.scheme_name == theirs.scheme_name
    assert ours.model.model_dump(mode="json", by_alias=True, exclude_none=True) == (
        theirs.model.model_dump(mode="json", by_alias=True, exclude_none=True)
    )
    for headers in HEADER_SETS:
        for query in QUERIES:
            scope = _scope(headers, query)
            expected = _outcome(theirs, starlette_requests.Request(scope))
            assert _outcome(ours, Request(scope)) == expected, (name, headers, query)


def test_security_scopes_and_splitter_match() -> None:
    from fastapi.security.utils import get_authorization_scheme_param as theirs

    from zephyr.security.utils import get_authorization_scheme_param as ours

    for value in (None, "", "a", "a b", "a  b ", " a b", "a\tb c"):
        assert ours(value) == theirs(value)
    assert vars(zsec.SecurityScopes(["a", "b"])) == vars(
        fastapi_security.SecurityScopes(["a", "b"])
    )


DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Shop",
        "version": "1.0",
        "summary": "s",
        "contact": {"name": "n", "url": "https://example.com/c", "email": "a@example.com"},
        "license": {"name": "MIT", "identifier": "MIT"},
        "x-logo": {"url": "l"},
    },
    "servers": [{"url": "/api", "variables": {"v": {"default": "1", "enum": ["1", "2"]}}}],
    "paths": {
        "/items/{item_id}": {
            "parameters": [{"$ref": "#/components/parameters/Common"}],
            "get": {
                "tags": ["items"],
                "operationId": "read_item_items__item_id__get",
                "parameters": [
                    {
                        "name": "item_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer"},
                    },
                    {
                        "name": "q",
                        "in": "query",
                        "schema": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                    },
                ],
                "responses": {
                    "200": {
                        "description": "OK",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Item"}}
                        },
                        "headers": {"X-Rate": {"schema": {"type": "integer"}, "description": "r"}},
                    },
                    "422": {"description": "Validation Error"},
                },
                "security": [{"OAuth2PasswordBearer": ["me"]}],
                "callbacks": {"cb": {"{$request.body#/url}": {"post": {"responses": {}}}}},
                "x-internal": True,
            },
            "post": {
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {"$ref": "#/components/schemas/Body"},
                            "encoding": {"a": {"contentType": "text/plain"}},
                        }
                    },
                },
                "responses": {"default": {"description": "d"}},
                "deprecated": True,
            },
        }
    },
    "components": {
        "schemas": {
            "Item": {
                "type": "object",
                "title": "Item",
                "properties": {
                    "name": {"type": "string", "maxLength": 5, "examples": ["x"]},
                    "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
                    "kind": {"const": "a", "not": {"type": "null"}},
                    "meta": {"additionalProperties": True, "x-extra": 1},
                    "child": {"$ref": "#/components/schemas/Item"},
                    "flag": True,
                },
                "required": ["name"],
                "$defs": {"Sub": {"type": ["string", "null"]}},
                "discriminator": {"propertyName": "kind", "mapping": {"a": "#/x"}},
                "if": {"properties": {"kind": {"const": "a"}}},
                "then": {"required": ["tags"]},
                "else": False,
            },
            "Body": {
                "type": "object",
                "properties": {"a": {"type": "string", "format": "password"}},
            },
        },
        "parameters": {"Common": {"name": "X-Trace", "in": "header", "schema": {"type": "string"}}},
        "securitySchemes": {
            "OAuth2PasswordBearer": {
                "type": "oauth2",
                "flows": {"password": {"tokenUrl": "token", "scopes": {"me": "Me"}}},
            },
            "key": {"type": "apiKey", "in": "header", "name": "X-Key"},
            "basic": {"type": "http", "scheme": "basic"},
            "jwt": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
            "oidc": {"type": "openIdConnect", "openIdConnectUrl": "https://x"},
        },
    },
    "tags": [{"name": "items", "externalDocs": {"url": "https://example.com/docs"}}],
    "externalDocs": {"description": "more", "url": "https://example.com"},
    "webhooks": {"new": {"post": {"responses": {"200": {"description": "ok"}}}}},
    "x-top": [1, 2],
}


def test_openapi_document_dump_matches_fastapi() -> None:
    ours = zmodels.OpenAPI.model_validate(DOCUMENT)
    theirs = fastapi_models.OpenAPI.model_validate(DOCUMENT)
    dumped = ours.model_dump(mode="json", by_alias=True, exclude_none=True)
    assert dumped == theirs.model_dump(mode="json", by_alias=True, exclude_none=True)
    # Python mode differs only in the enum classes (ours vs theirs); compare values.
    assert _enum_values(ours.model_dump(by_alias=True, exclude_none=True)) == _enum_values(
        theirs.model_dump(by_alias=True, exclude_none=True)
    )
    assert ours.model_dump_json(by_alias=True, exclude_none=True) == theirs.model_dump_json(
        by_alias=True, exclude_none=True
    )


def _enum_values(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return ("enum", value.value)
    if isinstance(value, dict):
        return {k: _enum_values(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_enum_values(v) for v in value]
    return value


@pytest.mark.parametrize(
    ("model", "data"),
    [
        ("Info", {"title": "t"}),  # version missing
        ("Parameter", {"name": "q", "in": "body"}),
        ("Schema", {"type": "text"}),
        ("ExternalDocumentation", {"url": "not a url"}),
        ("APIKey", {"in": "path", "name": "k"}),
        ("Response", {}),
        ("OAuthFlowPassword", {"scopes": {}}),
        ("Reference", {"ref": 1}),
    ],
)
def test_invalid_objects_are_rejected_like_fastapi(model: str, data: dict[str, Any]) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        getattr(fastapi_models, model).model_validate(data)
    with pytest.raises(ValidationError):
        getattr(zmodels, model).model_validate(data)


def test_model_names_cover_fastapi() -> None:
    public = {n for n in vars(fastapi_models) if n[:1].isupper() and n not in _TYPING_NAMES}
    missing = {n for n in public if not hasattr(zmodels, n)}
    assert not missing


_TYPING_NAMES = {
    "Any",
    "AnyUrl",
    "Annotated",
    "BaseModel",
    "Callable",
    "EmailStr",
    "Enum",
    "Field",
    "GetJsonSchemaHandler",
    "Iterable",
    "Literal",
    "Mapping",
    "Optional",
    "TypedDict",
    "Union",
}
