"""Tutorial, global dependencies: dependencies=[...] on the application."""

from typing import Annotated, Any

from tests.guide.conftest import operation
from zephyr import Depends, Header, HTTPException, Request, Zephyr

SEEN: list[str] = []


async def tenant_required(x_tenant: Annotated[str, Header()]) -> None:
    if x_tenant not in {"acme", "globex"}:
        raise HTTPException(status_code=400, detail="Unknown tenant")


async def audit(request: Request) -> None:
    SEEN.append(request.url.path)


app = Zephyr(dependencies=[Depends(tenant_required), Depends(audit)])


@app.get("/invoices")
async def invoices() -> list[int]:
    return [1, 2]


@app.get("/customers/{customer_id}")
async def customer(customer_id: int) -> dict[str, int]:
    return {"customer_id": customer_id}


def test_global_dependency_applies_everywhere(mod: Any, client: Any) -> None:
    mod.SEEN.clear()
    headers = {"x-tenant": "acme"}
    assert client.get("/invoices", headers=headers).json() == [1, 2]
    assert client.get("/customers/4", headers=headers).json() == {"customer_id": 4}
    assert mod.SEEN == ["/invoices", "/customers/4"]


def test_global_dependency_rejects(client: Any) -> None:
    response = client.get("/invoices", headers={"x-tenant": "initech"})
    assert response.status_code == 400
    assert response.json() == {"detail": "Unknown tenant"}
    missing = client.get("/customers/1")
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["header", "x-tenant"]


def test_openapi_includes_global_params(client: Any) -> None:
    params = operation(client, "/customers/{customer_id}")["parameters"]
    assert [(p["name"], p["in"]) for p in params] == [
        ("customer_id", "path"),
        ("x-tenant", "header"),
    ]
