"""Tutorial, dependencies in path operation decorators: run for effect, value unused."""

from typing import Annotated, Any

from tests.guide.conftest import operation
from zephyr import Depends, Header, HTTPException, Zephyr

app = Zephyr()


async def require_token(x_token: Annotated[str, Header()]) -> None:
    if x_token != "open-sesame":
        raise HTTPException(status_code=401, detail="Bad X-Token")


async def require_key(x_key: Annotated[str, Header()]) -> str:
    if x_key != "k1":
        raise HTTPException(status_code=403, detail="Bad X-Key")
    return x_key


@app.get("/vault", dependencies=[Depends(require_token), Depends(require_key)])
async def vault() -> list[str]:
    return ["gold", "silver"]


def test_all_dependencies_pass(client: Any) -> None:
    response = client.get("/vault", headers={"x-token": "open-sesame", "x-key": "k1"})
    assert response.status_code == 200
    assert response.json() == ["gold", "silver"]


def test_first_failure_wins(client: Any) -> None:
    wrong_token = client.get("/vault", headers={"x-token": "nope", "x-key": "k1"})
    assert wrong_token.status_code == 401
    assert wrong_token.json() == {"detail": "Bad X-Token"}
    wrong_key = client.get("/vault", headers={"x-token": "open-sesame", "x-key": "k2"})
    assert wrong_key.status_code == 403
    assert wrong_key.json() == {"detail": "Bad X-Key"}


def test_missing_headers_are_validation_errors(client: Any) -> None:
    response = client.get("/vault")
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [
        ["header", "x-token"],
        ["header", "x-key"],
    ]


def test_openapi_decorator_dependency_params(client: Any) -> None:
    params = operation(client, "/vault")["parameters"]
    assert [(p["name"], p["in"], p["required"]) for p in params] == [
        ("x-token", "header", True),
        ("x-key", "header", True),
    ]
