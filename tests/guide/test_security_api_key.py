"""Security reference, API keys and HTTP bearer: header, query and cookie keys."""

from typing import Annotated, Any

from tests.guide.conftest import openapi, operation
from zephyr import Depends, Security, Zephyr
from zephyr.security import (
    APIKeyCookie,
    APIKeyHeader,
    APIKeyQuery,
    HTTPAuthorizationCredentials,
    HTTPBearer,
)

app = Zephyr()

header_key = APIKeyHeader(name="X-API-Key", description="Issued by the dashboard")
query_key = APIKeyQuery(name="api_key", auto_error=False)
cookie_key = APIKeyCookie(name="session_key", scheme_name="SessionCookie")
bearer = HTTPBearer(bearerFormat="opaque")


@app.get("/reports")
async def reports(key: Annotated[str, Security(header_key)]) -> dict[str, str]:
    return {"key": key}


@app.get("/public")
async def public(key: Annotated[str | None, Depends(query_key)]) -> dict[str, Any]:
    return {"key": key}


@app.get("/session")
async def session(key: Annotated[str, Depends(cookie_key)]) -> dict[str, str]:
    return {"key": key}


@app.get("/bearer")
async def with_bearer(
    credentials: Annotated[HTTPAuthorizationCredentials, Depends(bearer)],
) -> dict[str, str]:
    return {"scheme": credentials.scheme, "token": credentials.credentials}


def test_header_key(client: Any) -> None:
    assert client.get("/reports", headers={"x-api-key": "k1"}).json() == {"key": "k1"}
    missing = client.get("/reports")
    assert missing.status_code == 401
    assert missing.json() == {"detail": "Not authenticated"}


def test_optional_query_key(client: Any) -> None:
    assert client.get("/public").json() == {"key": None}
    assert client.get("/public?api_key=q").json() == {"key": "q"}


def test_cookie_key(client: Any) -> None:
    assert client.get("/session", headers={"cookie": "session_key=c"}).json() == {"key": "c"}
    assert client.get("/session").status_code == 401


def test_bearer(client: Any) -> None:
    response = client.get("/bearer", headers={"Authorization": "Bearer tok"})
    assert response.json() == {"scheme": "Bearer", "token": "tok"}
    missing = client.get("/bearer")
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == "Bearer"


def test_openapi_schemes(client: Any) -> None:
    schemes = openapi(client)["components"]["securitySchemes"]
    assert schemes == {
        "APIKeyHeader": {
            "type": "apiKey",
            "description": "Issued by the dashboard",
            "in": "header",
            "name": "X-API-Key",
        },
        "APIKeyQuery": {"type": "apiKey", "in": "query", "name": "api_key"},
        "SessionCookie": {"type": "apiKey", "in": "cookie", "name": "session_key"},
        "HTTPBearer": {"type": "http", "scheme": "bearer", "bearerFormat": "opaque"},
    }
    assert operation(client, "/session")["security"] == [{"SessionCookie": []}]
