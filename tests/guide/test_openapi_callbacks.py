"""Advanced, OpenAPI callbacks: documenting the request the API will send to a client URL."""

from typing import Any

from pydantic import BaseModel, HttpUrl

from tests.guide.conftest import operation, schema
from zephyr import APIRouter, Zephyr

app = Zephyr()


class Payment(BaseModel):
    id: str
    amount: float


class PaymentEvent(BaseModel):
    description: str
    settled: bool


class PaymentEventAck(BaseModel):
    ok: bool


payment_callbacks = APIRouter()


@payment_callbacks.post(
    "{$callback_url}/payments/{$request.body.id}", response_model=PaymentEventAck
)
def payment_notification(body: PaymentEvent) -> None:
    """The payment system calls this on the client once the payment settles."""


@app.post("/payments", callbacks=payment_callbacks.routes)
async def create_payment(payment: Payment, callback_url: HttpUrl | None = None) -> dict[str, Any]:
    return {"id": payment.id, "will_call": str(callback_url) if callback_url else None}


def test_endpoint_works(client: Any) -> None:
    response = client.post(
        "/payments?callback_url=https://client.example/hooks", json={"id": "p1", "amount": 3}
    )
    assert response.status_code == 200
    assert response.json() == {"id": "p1", "will_call": "https://client.example/hooks"}


def test_openapi_callbacks(client: Any) -> None:
    callbacks = operation(client, "/payments", "post")["callbacks"]
    callback_op = callbacks["payment_notification"]["{$callback_url}/payments/{$request.body.id}"][
        "post"
    ]
    assert callback_op["operationId"] == (
        "payment_notification__callback_url__payments___request_body_id__post"
    )
    assert callback_op["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PaymentEvent"
    }
    assert callback_op["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PaymentEventAck"
    }
    assert schema(client, "PaymentEventAck")["required"] == ["ok"]
    assert "/payments" in client.get("/openapi.json").json()["paths"]
    assert len(client.get("/openapi.json").json()["paths"]) == 1
