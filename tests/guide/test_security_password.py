"""Tutorial, simple OAuth2 with password and bearer: the token endpoint and active users."""

from typing import Annotated, Any

from pydantic import BaseModel

from tests.guide.conftest import operation, schema
from zephyr import Depends, HTTPException, Zephyr, status
from zephyr.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm

app = Zephyr()

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")


class Staff(BaseModel):
    username: str
    disabled: bool = False


class StaffInDB(Staff):
    hashed_password: str


STAFF = {
    "rui": {"username": "rui", "hashed_password": "salted-pw-rui", "disabled": False},
    "old": {"username": "old", "hashed_password": "salted-pw-old", "disabled": True},
}


def fake_hash(password: str) -> str:
    return "salted-" + password


@app.post("/token")
async def login(form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> dict[str, Any]:
    record = STAFF.get(form.username)
    if record is None or fake_hash(form.password) != record["hashed_password"]:
        raise HTTPException(status_code=400, detail="Incorrect username or password")
    return {"access_token": form.username, "token_type": "bearer", "scopes": form.scopes}


async def active_staff(token: Annotated[str, Depends(oauth2_scheme)]) -> Staff:
    record = STAFF.get(token)
    if record is None:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Not authenticated",
            headers={"WWW-Authenticate": "Bearer"},
        )
    staff = StaffInDB(**record)
    if staff.disabled:
        raise HTTPException(status_code=400, detail="Inactive user")
    return staff


@app.get("/staff/me", response_model=Staff)
async def who_am_i(staff: Annotated[Staff, Depends(active_staff)]) -> Any:
    return staff


def test_login_and_use_token(client: Any) -> None:
    login = client.post("/token", data={"username": "rui", "password": "pw-rui", "scope": "a b"})
    assert login.status_code == 200
    assert login.json() == {"access_token": "rui", "token_type": "bearer", "scopes": ["a", "b"]}
    token = login.json()["access_token"]
    me = client.get("/staff/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json() == {"username": "rui", "disabled": False}


def test_wrong_password_and_inactive(client: Any) -> None:
    bad = client.post("/token", data={"username": "rui", "password": "nope"})
    assert bad.status_code == 400
    assert bad.json() == {"detail": "Incorrect username or password"}
    inactive = client.get("/staff/me", headers={"Authorization": "Bearer old"})
    assert inactive.status_code == 400
    assert inactive.json() == {"detail": "Inactive user"}


def test_form_fields_required(client: Any) -> None:
    response = client.post("/token", data={"username": "rui"})
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"type": "missing", "loc": ["body", "password"], "msg": "Field required", "input": None}
    ]


def test_openapi_password_form(client: Any) -> None:
    body = operation(client, "/token", "post")["requestBody"]
    assert body["content"] == {
        "application/x-www-form-urlencoded": {
            "schema": {"$ref": "#/components/schemas/Body_login_token_post"}
        }
    }
    form = schema(client, "Body_login_token_post")
    assert form["required"] == ["username", "password"]
    assert form["properties"]["grant_type"] == {
        "anyOf": [{"type": "string", "pattern": "^password$"}, {"type": "null"}],
        "title": "Grant Type",
    }
    assert form["properties"]["password"] == {
        "type": "string",
        "format": "password",
        "title": "Password",
    }
    assert operation(client, "/staff/me")["security"] == [{"OAuth2PasswordBearer": []}]
