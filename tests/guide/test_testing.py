"""Tutorial, testing (and async tests): TestClient and httpx's ASGI transport against an app."""

import asyncio
from typing import Annotated, Any

import httpx
from pydantic import BaseModel

from tests.guide.conftest import operation
from zephyr import Header, HTTPException, Zephyr

app = Zephyr()

SECRET = "s3cr3t"
PLANTS: dict[str, dict[str, Any]] = {"fern": {"id": "fern", "name": "Fern", "water": "weekly"}}


class Plant(BaseModel):
    id: str
    name: str
    water: str | None = None


@app.get("/plants/{plant_id}", response_model=Plant)
async def read_plant(plant_id: str, x_token: Annotated[str, Header()]) -> Any:
    if x_token != SECRET:
        raise HTTPException(status_code=400, detail="Invalid X-Token header")
    if plant_id not in PLANTS:
        raise HTTPException(status_code=404, detail="Plant not found")
    return PLANTS[plant_id]


@app.post("/plants", response_model=Plant)
async def add_plant(plant: Plant, x_token: Annotated[str, Header()]) -> Any:
    if x_token != SECRET:
        raise HTTPException(status_code=400, detail="Invalid X-Token header")
    if plant.id in PLANTS:
        raise HTTPException(status_code=409, detail="Plant already exists")
    PLANTS[plant.id] = plant.model_dump()
    return plant


def test_read(client: Any) -> None:
    response = client.get("/plants/fern", headers={"X-Token": SECRET})
    assert response.status_code == 200
    assert response.json() == {"id": "fern", "name": "Fern", "water": "weekly"}


def test_bad_token_and_missing(client: Any) -> None:
    assert client.get("/plants/fern", headers={"X-Token": "x"}).json() == {
        "detail": "Invalid X-Token header"
    }
    missing = client.get("/plants/cactus", headers={"X-Token": SECRET})
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Plant not found"}


def test_create_and_conflict(mod: Any, client: Any) -> None:
    mod.PLANTS.pop("ivy", None)
    body = {"id": "ivy", "name": "Ivy"}
    created = client.post("/plants", json=body, headers={"X-Token": SECRET})
    assert created.json() == {"id": "ivy", "name": "Ivy", "water": None}
    again = client.post("/plants", json=body, headers={"X-Token": SECRET})
    assert again.status_code == 409


def test_client_as_context_manager(mod: Any, make_client: Any) -> None:
    with make_client(mod.app, base_url="http://plants.test") as client:
        response = client.get("/plants/fern", headers={"X-Token": SECRET})
        assert response.url == "http://plants.test/plants/fern"
        assert response.status_code == 200


def test_async_client_over_asgi_transport(mod: Any) -> None:
    async def run() -> httpx.Response:
        transport = httpx.ASGITransport(app=mod.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get("/plants/fern", headers={"X-Token": SECRET})

    response = asyncio.run(run())
    assert response.status_code == 200
    assert response.json()["name"] == "Fern"


def test_openapi_header_param(client: Any) -> None:
    params = operation(client, "/plants/{plant_id}")["parameters"]
    assert [(p["name"], p["in"]) for p in params] == [("plant_id", "path"), ("x-token", "header")]
