"""Advanced, sub applications: a mounted API with its own docs and OpenAPI."""

from typing import Any

from tests.guide.conftest import openapi
from zephyr import Request, Zephyr

app = Zephyr(title="Shop")


@app.get("/products")
async def products() -> list[str]:
    return ["kettle"]


billing = Zephyr(title="Billing")


@billing.get("/invoices")
async def invoices(request: Request) -> dict[str, Any]:
    return {"invoices": [], "mounted_at": request.scope["root_path"]}


app.mount("/billing", billing)


def test_both_apps_answer(client: Any) -> None:
    assert client.get("/products").json() == ["kettle"]
    assert client.get("/billing/invoices").json() == {"invoices": [], "mounted_at": "/billing"}


def test_separate_openapi_documents(client: Any) -> None:
    main = openapi(client)
    assert main["info"]["title"] == "Shop"
    assert list(main["paths"]) == ["/products"]
    sub = client.get("/billing/openapi.json").json()
    assert sub["info"]["title"] == "Billing"
    assert list(sub["paths"]) == ["/invoices"]
    assert sub["servers"] == [{"url": "/billing"}]


def test_sub_docs_point_at_sub_openapi(client: Any) -> None:
    docs = client.get("/billing/docs")
    assert docs.status_code == 200
    assert "/billing/openapi.json" in docs.text
