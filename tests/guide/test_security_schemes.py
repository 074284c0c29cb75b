"""Security reference, more schemes: OpenID Connect, OAuth2 code flow, HTTP Digest."""

from typing import Annotated, Any

from tests.guide.conftest import openapi, operation
from zephyr import APIRouter, Depends, Security, Zephyr
from zephyr.security import (
    HTTPAuthorizationCredentials,
    HTTPBearer,
    HTTPDigest,
    OAuth2AuthorizationCodeBearer,
    OpenIdConnect,
    SecurityScopes,
)

openid = OpenIdConnect(
    openIdConnectUrl="https://id.example/.well-known/openid-configuration", auto_error=False
)
code_flow = OAuth2AuthorizationCodeBearer(
    authorizationUrl="https://id.example/authorize",
    tokenUrl="https://id.example/token",
    refreshUrl="https://id.example/refresh",
    scopes={"read": "Read data", "write": "Change data"},
    description="Sign in with the identity provider",
)
digest = HTTPDigest(scheme_name="LegacyDigest", description="For old clients")
optional_bearer = HTTPBearer(auto_error=False)


def token_with_scopes(scopes: SecurityScopes, token: Annotated[str, Depends(code_flow)]) -> Any:
    return {"needs": scopes.scopes, "token": token}


app = Zephyr()
# Every report needs the code-flow token with the "read" scope.
reports = APIRouter(prefix="/reports", dependencies=[Security(token_with_scopes, scopes=["read"])])


@reports.get("/daily")
async def daily(
    grant: Annotated[Any, Security(token_with_scopes, scopes=["write"])],
) -> dict[str, Any]:
    return grant  # type: ignore[no-any-return]


app.include_router(reports)


@app.get("/legacy")
async def legacy(
    id_token: Annotated[str | None, Depends(openid)],
    credentials: Annotated[HTTPAuthorizationCredentials, Depends(digest)],
) -> dict[str, Any]:
    return {"id_token": id_token, "digest": credentials.credentials}


@app.get("/maybe")
async def maybe(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(optional_bearer)],
) -> dict[str, Any]:
    return {"token": None if credentials is None else credentials.credentials}


def test_digest_and_openid(client: Any) -> None:
    response = client.get("/legacy", headers={"authorization": "Digest abc"})
    assert response.status_code == 200
    assert response.json() == {"id_token": "Digest abc", "digest": "abc"}


def test_missing_credentials(client: Any) -> None:
    response = client.get("/legacy")
    assert response.status_code == 401
    assert response.json() == {"detail": "Not authenticated"}
    assert response.headers["www-authenticate"] == "Digest"
    wrong_scheme = client.get("/legacy", headers={"authorization": "Bearer abc"})
    assert wrong_scheme.status_code == 401
    assert wrong_scheme.headers["www-authenticate"] == "Digest"


def test_optional_bearer(client: Any) -> None:
    assert client.get("/maybe", headers={"authorization": "Bearer t"}).json() == {"token": "t"}
    assert client.get("/maybe", headers={"authorization": "Basic t"}).json() == {"token": None}
    assert client.get("/maybe").json() == {"token": None}


def test_code_flow_scopes(client: Any) -> None:
    response = client.get("/reports/daily", headers={"authorization": "Bearer t1"})
    assert response.json() == {"needs": ["write"], "token": "t1"}
    assert client.get("/reports/daily").status_code == 401


def test_openapi_schemes(client: Any) -> None:
    schemes = openapi(client)["components"]["securitySchemes"]
    assert schemes["OpenIdConnect"] == {
        "type": "openIdConnect",
        "openIdConnectUrl": "https://id.example/.well-known/openid-configuration",
    }
    assert schemes["OAuth2AuthorizationCodeBearer"] == {
        "type": "oauth2",
        "description": "Sign in with the identity provider",
        "flows": {
            "authorizationCode": {
                "refreshUrl": "https://id.example/refresh",
                "scopes": {"read": "Read data", "write": "Change data"},
                "authorizationUrl": "https://id.example/authorize",
                "tokenUrl": "https://id.example/token",
            }
        },
    }
    assert schemes["LegacyDigest"] == {
        "type": "http",
        "description": "For old clients",
        "scheme": "digest",
    }
    assert operation(client, "/legacy")["security"] == [{"OpenIdConnect": []}, {"LegacyDigest": []}]
    assert operation(client, "/reports/daily")["security"] == [
        {"OAuth2AuthorizationCodeBearer": ["read", "write"]}
    ]
