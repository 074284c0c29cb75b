"""Security helpers wired through the API layer's dependency injection, end to end."""

# No postponed annotations here: the endpoints are local functions whose
# annotations name local objects, which string annotations could not resolve.

from typing import Annotated, Any

import pytest

from zephyr.applications import Zephyr
from zephyr.param_functions import Depends, Security
from zephyr.security import (
    APIKeyHeader,
    HTTPBasic,
    HTTPBasicCredentials,
    OAuth2PasswordBearer,
    OAuth2PasswordRequestForm,
    OAuth2PasswordRequestFormStrict,
    SecurityScopes,
)
from zephyr.testclient import TestClient


@pytest.fixture(scope="module")
def client() -> TestClient:
    app = Zephyr()
    oauth2 = OAuth2PasswordBearer(tokenUrl="token", scopes={"me": "Read me"})

    @app.post("/token")
    async def token(form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> dict[str, Any]:
        return vars(form)

    @app.post("/strict")
    async def strict(form: Annotated[OAuth2PasswordRequestFormStrict, Depends()]) -> dict[str, Any]:
        return vars(form)

    def current(scopes: SecurityScopes, tok: Annotated[str, Depends(oauth2)]) -> dict[str, Any]:
        return {"token": tok, "scopes": scopes.scopes}

    @app.get("/me")
    async def me(user: Annotated[dict[str, Any], Security(current, scopes=["me"])]) -> Any:
        return user

    @app.get("/basic")
    async def basic(creds: Annotated[HTTPBasicCredentials, Depends(HTTPBasic(realm="r"))]) -> Any:
        return creds

    @app.get("/key")
    async def key(
        k: Annotated[str | None, Depends(APIKeyHeader(name="X-Key", auto_error=False))],
    ) -> Any:
        return {"key": k}

    return TestClient(app)


def test_password_form(client: TestClient) -> None:
    body = client.post("/token", data={"username": "u", "password": "p", "scope": "a b"}).json()
    assert body == {
        "grant_type": None,
        "username": "u",
        "password": "p",
        "scopes": ["a", "b"],
        "client_id": None,
        "client_secret": None,
    }
    bad = client.post("/token", data={"username": "u", "password": "p", "grant_type": "x"})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "grant_type"]
    missing = client.post("/token", data={"username": "u"})
    assert missing.status_code == 422


def test_strict_form_requires_grant_type(client: TestClient) -> None:
    response = client.post("/strict", data={"username": "u", "password": "p"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "missing"
    ok = client.post("/strict", data={"username": "u", "password": "p", "grant_type": "password"})
    assert ok.json()["grant_type"] == "password"


def test_bearer_with_security_scopes(client: TestClient) -> None:
    denied = client.get("/me")
    assert denied.status_code == 401
    assert denied.headers["www-authenticate"] == "Bearer"
    assert denied.json() == {"detail": "Not authenticated"}
    assert client.get("/me", headers={"Authorization": "Bearer t"}).json() == {
        "token": "t",
        "scopes": ["me"],
    }


def test_basic_and_api_key(client: TestClient) -> None:
    assert client.get("/basic", auth=("u", "p")).json() == {"username": "u", "password": "p"}
    denied = client.get("/basic", headers={"Authorization": "Basic !!!"})
    assert denied.status_code == 401
    assert denied.headers["www-authenticate"] == 'Basic realm="r"'
    assert client.get("/key").json() == {"key": None}
    assert client.get("/key", headers={"X-Key": "k"}).json() == {"key": "k"}
