"""Tutorial, path operation configuration: tags, summary, description, docstrings, deprecated."""

from enum import Enum
from typing import Any

from pydantic import BaseModel

from tests.guide.conftest import openapi, operation
from zephyr import Zephyr, status

app = Zephyr()


class Tags(Enum):
    orders = "orders"
    admin = "admin"


class Order(BaseModel):
    sku: str
    quantity: int = 1


@app.post(
    "/orders",
    status_code=status.HTTP_201_CREATED,
    tags=[Tags.orders],
    summary="Place an order",
    description="Creates the order and reserves the stock.",
    response_description="The order as stored",
)
async def place_order(order: Order) -> Order:
    return order


@app.get("/orders", tags=["orders", "reports"])
async def list_orders() -> list[Order]:
    """List every order.

    Markdown works here:

    * **sku**: the stock unit
    * **quantity**: how many
    \f
    Everything after the form feed is for developers only.
    """
    return [Order(sku="A-1")]


@app.get("/legacy-orders", tags=[Tags.admin], deprecated=True)
async def legacy_orders() -> dict[str, str]:
    return {"use": "/orders"}


def test_behaviour_unchanged(client: Any) -> None:
    created = client.post("/orders", json={"sku": "B-2", "quantity": 3})
    assert created.status_code == 201
    assert created.json() == {"sku": "B-2", "quantity": 3}
    assert client.get("/orders").json() == [{"sku": "A-1", "quantity": 1}]
    assert client.get("/legacy-orders").json() == {"use": "/orders"}


def test_openapi_summary_description_tags(client: Any) -> None:
    op = operation(client, "/orders", "post")
    assert op["tags"] == ["orders"]
    assert op["summary"] == "Place an order"
    assert op["description"] == "Creates the order and reserves the stock."
    assert op["responses"]["201"]["description"] == "The order as stored"


def test_openapi_docstring_description(client: Any) -> None:
    op = operation(client, "/orders")
    assert op["tags"] == ["orders", "reports"]
    assert op["summary"] == "List Orders"
    assert op["description"] == (
        "List every order.\n\nMarkdown works here:\n\n"
        "* **sku**: the stock unit\n* **quantity**: how many"
    )


def test_openapi_deprecated(client: Any) -> None:
    op = operation(client, "/legacy-orders")
    assert op["deprecated"] is True
    assert op["tags"] == ["admin"]
    assert "deprecated" not in openapi(client)["paths"]["/orders"]["get"]
