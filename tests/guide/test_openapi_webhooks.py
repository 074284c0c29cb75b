"""Advanced, OpenAPI webhooks: events the app sends, documented under "webhooks"."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from tests.guide.conftest import openapi
from zephyr import Zephyr

app = Zephyr()


class Signup(BaseModel):
    username: str
    at: datetime


@app.webhooks.post("new-signup")
def new_signup(body: Signup) -> None:
    """When someone signs up, the app POSTs this to the URL the customer registered."""


@app.get("/health")
async def health() -> dict[str, bool]:
    return {"ok": True}


def test_webhooks_are_not_routes(client: Any) -> None:
    assert client.get("/health").json() == {"ok": True}
    assert client.post("/new-signup").status_code == 404


def test_openapi_webhooks(client: Any) -> None:
    doc = openapi(client)
    hook = doc["webhooks"]["new-signup"]["post"]
    assert hook["summary"] == "New Signup"
    assert hook["operationId"] == "new_signupnew_signup_post"
    assert hook["description"] == (
        "When someone signs up, the app POSTs this to the URL the customer registered."
    )
    assert hook["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Signup"
    }
    assert "Signup" in doc["components"]["schemas"]
