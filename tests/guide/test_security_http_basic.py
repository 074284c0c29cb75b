"""Advanced security, HTTP Basic auth: HTTPBasic credentials and a timing-safe check."""

import base64
import secrets
from typing import Annotated, Any

from tests.guide.conftest import openapi, operation
from zephyr import Depends, HTTPException, Zephyr, status
from zephyr.security import HTTPBasic, HTTPBasicCredentials

app = Zephyr()

security = HTTPBasic(realm="backoffice")


def checked_user(credentials: Annotated[HTTPBasicCredentials, Depends(security)]) -> str:
    good_user = secrets.compare_digest(credentials.username.encode(), b"keeper")
    good_pass = secrets.compare_digest(credentials.password.encode(), b"s3same")
    if not (good_user and good_pass):
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Incorrect username or password",
            headers={"WWW-Authenticate": "Basic"},
        )
    return credentials.username


@app.get("/backoffice")
def backoffice(user: Annotated[str, Depends(checked_user)]) -> dict[str, str]:
    return {"user": user}


def basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def test_good_credentials(client: Any) -> None:
    response = client.get("/backoffice", headers=basic("keeper", "s3same"))
    assert response.status_code == 200
    assert response.json() == {"user": "keeper"}
    assert client.get("/backoffice", auth=("keeper", "s3same")).status_code == 200


def test_wrong_credentials(client: Any) -> None:
    response = client.get("/backoffice", headers=basic("keeper", "nope"))
    assert response.status_code == 401
    assert response.json() == {"detail": "Incorrect username or password"}
    assert response.headers["www-authenticate"] == "Basic"


def test_missing_or_malformed(client: Any) -> None:
    missing = client.get("/backoffice")
    assert missing.status_code == 401
    assert missing.json() == {"detail": "Not authenticated"}
    assert missing.headers["www-authenticate"] == 'Basic realm="backoffice"'
    malformed = client.get("/backoffice", headers={"Authorization": "Basic !!!"})
    assert malformed.status_code == 401
    assert malformed.json() == {"detail": "Not authenticated"}


def test_openapi_basic_scheme(client: Any) -> None:
    assert operation(client, "/backoffice")["security"] == [{"HTTPBasic": []}]
    assert openapi(client)["components"]["securitySchemes"] == {
        "HTTPBasic": {"type": "http", "scheme": "basic"}
    }
