"""Advanced, path operation configuration: operation_id, include_in_schema, openapi_extra."""

from typing import Any

from pydantic import BaseModel, ValidationError

from tests.guide.conftest import openapi, operation
from zephyr import HTTPException, Request, Zephyr
from zephyr.routing import APIRoute

app = Zephyr()


class Shipment(BaseModel):
    destination: str
    crates: int


@app.get("/shipments", operation_id="listShipments")
async def list_shipments() -> list[str]:
    return ["s1"]


@app.get("/internal/health", include_in_schema=False)
async def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/tracked", openapi_extra={"x-rate-limit": 10, "x-owner": {"team": "logistics"}})
async def tracked() -> dict[str, bool]:
    return {"tracked": True}


@app.post(
    "/shipments/raw",
    openapi_extra={
        "requestBody": {
            "content": {"application/json": {"schema": Shipment.model_json_schema()}},
            "required": True,
        }
    },
)
async def raw_shipment(request: Request) -> dict[str, Any]:
    # The body is read by hand, so it must be documented by hand too.
    try:
        shipment = Shipment.model_validate_json(await request.body())
    except ValidationError as exc:
        raise HTTPException(status_code=422, detail=exc.errors(include_url=False)) from None
    return {"crates": shipment.crates}


@app.get("/route-names")
async def route_names_as_ids() -> None:
    return None


def use_route_names_as_operation_ids(application: Zephyr) -> None:
    for route in application.routes:
        if isinstance(route, APIRoute):
            route.operation_id = route.name


use_route_names_as_operation_ids(app)


def test_behaviour(client: Any) -> None:
    assert client.get("/shipments").json() == ["s1"]
    assert client.get("/internal/health").json() == {"status": "ok"}
    assert client.get("/tracked").json() == {"tracked": True}
    assert client.post("/shipments/raw", json={"destination": "Oslo", "crates": 4}).json() == {
        "crates": 4
    }
    bad = client.post("/shipments/raw", json={"destination": "Oslo"})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["crates"]


def test_operation_ids(client: Any) -> None:
    assert operation(client, "/shipments")["operationId"] == "list_shipments"
    assert operation(client, "/route-names")["operationId"] == "route_names_as_ids"


def test_excluded_from_schema(client: Any) -> None:
    assert "/internal/health" not in openapi(client)["paths"]


def test_openapi_extra(client: Any) -> None:
    op = operation(client, "/tracked")
    assert op["x-rate-limit"] == 10
    assert op["x-owner"] == {"team": "logistics"}
    raw = operation(client, "/shipments/raw", "post")
    assert raw["requestBody"]["content"]["application/json"]["schema"]["required"] == [
        "destination",
        "crates",
    ]
