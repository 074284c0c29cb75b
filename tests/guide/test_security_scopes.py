"""Advanced security, OAuth2 scopes: Security(), SecurityScopes and scope checks."""

from typing import Annotated, Any

from pydantic import BaseModel

from tests.guide.conftest import openapi, operation
from zephyr import APIRouter, Depends, HTTPException, Security, Zephyr, status
from zephyr.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm, SecurityScopes

app = Zephyr()

oauth2_scheme = OAuth2PasswordBearer(
    tokenUrl="token",
    scopes={"me": "Read your profile", "orders": "Read your orders", "admin": "Everything"},
)

# Tokens are "<user>|<scope> <scope>..." in this example.
ACCOUNTS = {"mia": {"password": "pw", "allowed": {"me", "orders"}}}


class Account(BaseModel):
    name: str
    scopes: list[str]


@app.post("/token")
async def token(form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> dict[str, str]:
    account = ACCOUNTS.get(form.username)
    if account is None or account["password"] != form.password:
        raise HTTPException(status_code=400, detail="Incorrect username or password")
    granted = [s for s in form.scopes if s in account["allowed"]]
    return {"access_token": f"{form.username}|{' '.join(granted)}", "token_type": "bearer"}


async def current_account(
    security_scopes: SecurityScopes, token: Annotated[str, Depends(oauth2_scheme)]
) -> Account:
    authenticate = "Bearer"
    if security_scopes.scopes:
        authenticate = f'Bearer scope="{security_scopes.scope_str}"'
    name, _, scope_text = token.partition("|")
    if name not in ACCOUNTS:
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Could not validate credentials",
            headers={"WWW-Authenticate": authenticate},
        )
    held = scope_text.split()
    for needed in security_scopes.scopes:
        if needed not in held:
            raise HTTPException(
                status_code=status.HTTP_401_UNAUTHORIZED,
                detail="Not enough permissions",
                headers={"WWW-Authenticate": authenticate},
            )
    return Account(name=name, scopes=held)


async def me_account(
    account: Annotated[Account, Security(current_account, scopes=["me"])],
) -> Account:
    return account


@app.get("/me")
async def me(account: Annotated[Account, Depends(me_account)]) -> Account:
    return account


@app.get("/me/orders")
async def my_orders(
    account: Annotated[Account, Security(me_account, scopes=["orders"])],
) -> list[dict[str, Any]]:
    return [{"order": 1, "owner": account.name}]


@app.get("/admin")
async def admin(account: Annotated[Account, Security(current_account, scopes=["admin"])]) -> str:
    return account.name


@app.get("/status")
async def service_status(account: Annotated[Account, Depends(current_account)]) -> dict[str, str]:
    return {"status": "ok", "for": account.name}


reports = APIRouter(prefix="/reports", dependencies=[Security(current_account, scopes=["me"])])


@reports.get("/monthly")
async def monthly(
    account: Annotated[Account, Security(current_account, scopes=["orders"])],
) -> dict[str, str]:
    return {"report": "monthly", "for": account.name}


app.include_router(reports)


def login(client: Any, scope: str) -> dict[str, str]:
    response = client.post("/token", data={"username": "mia", "password": "pw", "scope": scope})
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_scopes_granted(client: Any) -> None:
    headers = login(client, "me orders admin")
    assert client.get("/me", headers=headers).json() == {"name": "mia", "scopes": ["me", "orders"]}
    assert client.get("/me/orders", headers=headers).json() == [{"order": 1, "owner": "mia"}]
    assert client.get("/status", headers=headers).json() == {"status": "ok", "for": "mia"}


def test_missing_scope(client: Any) -> None:
    headers = login(client, "me")
    assert client.get("/me", headers=headers).status_code == 200
    response = client.get("/me/orders", headers=headers)
    assert response.status_code == 401
    assert response.json() == {"detail": "Not enough permissions"}
    assert response.headers["www-authenticate"] == 'Bearer scope="orders me"'
    admin = client.get("/admin", headers=login(client, "me orders admin"))
    assert admin.status_code == 401
    assert admin.headers["www-authenticate"] == 'Bearer scope="admin"'


def test_router_and_route_scopes_combine(client: Any) -> None:
    ok = client.get("/reports/monthly", headers=login(client, "me orders"))
    assert ok.json() == {"report": "monthly", "for": "mia"}
    assert client.get("/reports/monthly", headers=login(client, "orders")).status_code == 401
    # One requirement per scheme, holding every scope the operation needs.
    assert operation(client, "/reports/monthly")["security"] == [
        {"OAuth2PasswordBearer": ["me", "orders"]}
    ]


def test_openapi_scopes(client: Any) -> None:
    assert operation(client, "/me/orders")["security"] == [
        {"OAuth2PasswordBearer": ["orders", "me"]}
    ]
    assert operation(client, "/me")["security"] == [{"OAuth2PasswordBearer": ["me"]}]
    assert operation(client, "/status")["security"] == [{"OAuth2PasswordBearer": []}]
    scheme = openapi(client)["components"]["securitySchemes"]["OAuth2PasswordBearer"]
    assert scheme["flows"]["password"]["scopes"] == {
        "me": "Read your profile",
        "orders": "Read your orders",
        "admin": "Everything",
    }
