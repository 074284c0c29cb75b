"""Tutorial, security first steps: OAuth2PasswordBearer reads the bearer token."""

from typing import Annotated, Any

from tests.guide.conftest import openapi, operation
from zephyr import Depends, Zephyr
from zephyr.security import OAuth2PasswordBearer

app = Zephyr()

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="auth/token")


@app.get("/notes")
async def notes(token: Annotated[str, Depends(oauth2_scheme)]) -> dict[str, str]:
    return {"token": token}


def test_token_is_passed_through(client: Any) -> None:
    response = client.get("/notes", headers={"Authorization": "Bearer abc.def"})
    assert response.status_code == 200
    assert response.json() == {"token": "abc.def"}


def test_missing_or_wrong_scheme(client: Any) -> None:
    for headers in ({}, {"Authorization": "Basic dXNlcjpwdw=="}, {"Authorization": "Token t"}):
        response = client.get("/notes", headers=headers)
        assert response.status_code == 401
        assert response.json() == {"detail": "Not authenticated"}
        assert response.headers["www-authenticate"] == "Bearer"


def test_openapi_security_scheme(client: Any) -> None:
    assert operation(client, "/notes")["security"] == [{"OAuth2PasswordBearer": []}]
    assert openapi(client)["components"]["securitySchemes"] == {
        "OAuth2PasswordBearer": {
            "type": "oauth2",
            "flows": {"password": {"scopes": {}, "tokenUrl": "auth/token"}},
        }
    }
    assert "parameters" not in operation(client, "/notes")
