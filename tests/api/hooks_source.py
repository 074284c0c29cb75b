"""Webhooks, callbacks and examples: one source run on fastapi and on zephyr."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, FastAPI, Path, Query
from pydantic import BaseModel, HttpUrl


class Subscription(BaseModel):
    username: str
    monthly_fee: float
    start_date: datetime


class Invoice(BaseModel):
    id: str
    title: str | None = None
    customer: str
    total: float


class InvoiceEvent(BaseModel):
    description: str
    paid: bool


class InvoiceEventReceived(BaseModel):
    ok: bool


class Item(BaseModel):
    name: str
    description: str | None = None


app = FastAPI()


@app.webhooks.post("new-subscription")
def new_subscription(body: Subscription):
    """When a new user subscribes, send a POST."""


@app.webhooks.put("renewal", tags=["hooks"], summary="Renewal hook")
def renewal(body: Subscription, reason: str = Query("x")):
    pass


invoices_callback_router = APIRouter()


@invoices_callback_router.post(
    "{$callback_url}/invoices/{$request.body.id}", response_model=InvoiceEventReceived
)
def invoice_notification(body: InvoiceEvent):
    pass


@app.post("/invoices/", callbacks=invoices_callback_router.routes)
def create_invoice(invoice: Invoice, callback_url: HttpUrl | None = None):
    return {"msg": "Invoice received"}


sub = APIRouter()


@sub.post("/sub-invoices/")
def sub_invoice(invoice: Invoice):
    return {}


app.include_router(sub, callbacks=invoices_callback_router.routes)


@app.put("/items/{item_id}")
async def update_item(
    *,
    item_id: Annotated[int, Path(openapi_examples={"one": {"summary": "One", "value": 1}})],
    q: Annotated[
        str | None,
        Query(
            openapi_examples={
                "normal": {"summary": "A normal example", "description": "desc", "value": "foo"},
                "empty": {"value": ""},
            }
        ),
    ] = None,
    item: Annotated[
        Item,
        Body(
            openapi_examples={
                "normal": {
                    "summary": "A normal example",
                    "description": "A **normal** item works correctly.",
                    "value": {"name": "Foo", "description": "A very nice Item"},
                },
                "invalid": {
                    "summary": "Invalid data is rejected with an error",
                    "value": {"name": "Baz", "price": "thirty five point four"},
                },
            },
        ),
    ],
):
    return {"item_id": item_id, "item": item}


@app.post("/embedded")
async def embedded(
    item: Annotated[
        Item, Body(embed=True, openapi_examples={"a": {"value": {"item": {"name": "x"}}}})
    ],
    n: Annotated[int, Body(examples=[1])],
):
    return item


@app.post("/items-io/")
def create_item(item: Item) -> Item:
    return item


@app.get("/items-io/")
def list_items() -> list[Item]:
    return []


@app.get("/resp/{x}", responses={404: {"model": list[Item]}, 201: {"model": Item}})
def resp(x: int) -> dict[str, int]:
    return {}
