"""Advanced, separate OpenAPI schemas for input and output, and turning that off."""

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, computed_field

from tests.guide.conftest import openapi
from zephyr import Zephyr


class Price(BaseModel):
    amount: Decimal
    currency: str = "EUR"


class Task(BaseModel):
    title: str
    notes: str | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def slug(self) -> str:
        return self.title.lower().replace(" ", "-")


def build(separate: bool) -> Zephyr:
    application = Zephyr(separate_input_output_schemas=separate)

    @application.post("/prices")
    async def quote(price: Price) -> Price:
        return price

    @application.post("/tasks")
    async def create_task(task: Task) -> Task:
        return task

    @application.get("/tasks")
    async def list_tasks() -> list[Task]:
        return [Task(title="Write tests")]

    return application


app = build(separate=True)
merged = build(separate=False)


def test_output_differs_from_input(client: Any) -> None:
    assert client.post("/prices", json={"amount": 9.5}).json() == {
        "amount": "9.5",
        "currency": "EUR",
    }
    assert client.get("/tasks").json() == [
        {"title": "Write tests", "notes": None, "slug": "write-tests"}
    ]


def test_separate_schemas(client: Any) -> None:
    schemas = openapi(client)["components"]["schemas"]
    assert schemas["Price-Input"]["properties"]["amount"]["anyOf"][0] == {"type": "number"}
    assert schemas["Price-Output"]["properties"]["amount"] == {
        "type": "string",
        "title": "Amount",
    }
    assert "slug" not in schemas["Task-Input"]["properties"]
    assert schemas["Task-Output"]["required"] == ["title", "slug"]
    assert schemas["Task-Output"]["properties"]["slug"] == {
        "type": "string",
        "title": "Slug",
        "readOnly": True,
    }


def test_single_schema_when_disabled(mod: Any, make_client: Any) -> None:
    client = make_client(mod.merged)
    schemas = openapi(client)["components"]["schemas"]
    assert "Price-Input" not in schemas
    assert schemas["Price"]["properties"]["amount"]["anyOf"][0] == {"type": "number"}
    responses = openapi(client)["paths"]["/prices"]["post"]["responses"]
    assert responses["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Price"
    }
    # Computed fields only exist in output, so such models stay split.
    assert {"Task-Input", "Task-Output"} <= set(schemas)
