"""Tutorial, OAuth2 with hashed passwords and signed tokens (an HMAC token, no JWT library)."""

import base64
import hashlib
import hmac
import json
import time
from typing import Annotated, Any

from pydantic import BaseModel

from tests.guide.conftest import operation
from zephyr import Depends, HTTPException, Zephyr, status
from zephyr.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm

app = Zephyr()

SECRET = b"not-a-real-secret"
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="token")


def hash_password(password: str) -> str:
    return hashlib.pbkdf2_hmac("sha256", password.encode(), b"salt", 1000).hex()


USERS = {"ines": {"username": "ines", "hashed": hash_password("correct horse")}}


class Token(BaseModel):
    access_token: str
    token_type: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def create_token(subject: str, expires_in: float) -> str:
    payload = _b64(json.dumps({"sub": subject, "exp": time.time() + expires_in}).encode())
    signature = _b64(hmac.new(SECRET, payload.encode(), hashlib.sha256).digest())
    return f"{payload}.{signature}"


def read_token(token: str) -> str | None:
    payload, _, signature = token.partition(".")
    expected = _b64(hmac.new(SECRET, payload.encode(), hashlib.sha256).digest())
    if not hmac.compare_digest(signature, expected):
        return None
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    if claims["exp"] < time.time():
        return None
    return str(claims["sub"])


CREDENTIALS_ERROR = HTTPException(
    status_code=status.HTTP_401_UNAUTHORIZED,
    detail="Could not validate credentials",
    headers={"WWW-Authenticate": "Bearer"},
)


@app.post("/token")
async def issue(form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> Token:
    user = USERS.get(form.username)
    if user is None or not hmac.compare_digest(user["hashed"], hash_password(form.password)):
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Incorrect username or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return Token(access_token=create_token(form.username, 60), token_type="bearer")


async def current_username(token: Annotated[str, Depends(oauth2_scheme)]) -> str:
    subject = read_token(token)
    if subject is None or subject not in USERS:
        raise CREDENTIALS_ERROR
    return subject


@app.get("/profile")
async def profile(username: Annotated[str, Depends(current_username)]) -> dict[str, str]:
    return {"username": username}


def test_issue_and_verify(client: Any) -> None:
    response = client.post("/token", data={"username": "ines", "password": "correct horse"})
    assert response.status_code == 200
    token = response.json()
    assert token["token_type"] == "bearer"
    me = client.get("/profile", headers={"Authorization": f"Bearer {token['access_token']}"})
    assert me.json() == {"username": "ines"}


def test_bad_credentials(client: Any) -> None:
    response = client.post("/token", data={"username": "ines", "password": "wrong"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_tampered_and_expired_tokens(mod: Any, client: Any) -> None:
    good = mod.create_token("ines", 60)
    tampered = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    expired = mod.create_token("ines", -1)
    for token in (tampered, expired):
        response = client.get("/profile", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401
        assert response.json() == {"detail": "Could not validate credentials"}


def test_openapi_token_model(client: Any) -> None:
    content = operation(client, "/token", "post")["responses"]["200"]["content"]
    assert content == {"application/json": {"schema": {"$ref": "#/components/schemas/Token"}}}
    assert operation(client, "/profile")["security"] == [{"OAuth2PasswordBearer": []}]
