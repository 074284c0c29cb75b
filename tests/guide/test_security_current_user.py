"""Tutorial, get current user: a dependency turning the token into a user model."""

from typing import Annotated, Any

from pydantic import BaseModel

from tests.guide.conftest import operation
from zephyr import Depends, HTTPException, Zephyr, status
from zephyr.security import OAuth2PasswordBearer

app = Zephyr()

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="login")


class Member(BaseModel):
    username: str
    team: str | None = None


def decode_token(token: str) -> Member | None:
    # Tokens in this example are "user:<name>:<team>".
    parts = token.split(":")
    if len(parts) != 3 or parts[0] != "user":
        return None
    return Member(username=parts[1], team=parts[2] or None)


async def current_member(token: Annotated[str, Depends(oauth2_scheme)]) -> Member:
    member = decode_token(token)
    if member is None:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Invalid token",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return member


@app.get("/me")
async def me(member: Annotated[Member, Depends(current_member)]) -> Member:
    return member


def test_current_user(client: Any) -> None:
    response = client.get("/me", headers={"Authorization": "Bearer user:kai:blue"})
    assert response.status_code == 200
    assert response.json() == {"username": "kai", "team": "blue"}
    no_team = client.get("/me", headers={"Authorization": "bearer user:kai:"})
    assert no_team.json() == {"username": "kai", "team": None}


def test_invalid_token(client: Any) -> None:
    response = client.get("/me", headers={"Authorization": "Bearer garbage"})
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token"}
    assert response.headers["www-authenticate"] == "Bearer"


def test_openapi(client: Any) -> None:
    op = operation(client, "/me")
    assert op["security"] == [{"OAuth2PasswordBearer": []}]
    assert op["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Member"
    }
