"""``strict_content_type`` per route and per ``include_router`` (zephyr extensions)."""

from __future__ import annotations

from pydantic import BaseModel

from zephyr import APIRouter, FastAPI
from zephyr.testclient import TestClient

PAYLOAD = b'{"action": "ship"}'


class Command(BaseModel):
    action: str


def test_route_and_include_levels_override_the_default() -> None:
    app = FastAPI()
    routes = APIRouter()

    @routes.post("/lenient", strict_content_type=False)
    async def lenient(command: Command) -> str:
        return command.action

    @routes.post("/strict")
    async def strict(command: Command) -> str:
        return command.action

    included = APIRouter()

    @included.post("/included")
    async def by_include(command: Command) -> str:
        return command.action

    @included.post("/kept-strict", strict_content_type=True)
    async def kept(command: Command) -> str:
        return command.action

    app.include_router(routes)
    app.include_router(included, strict_content_type=False)
    client = TestClient(app)
    assert client.post("/lenient", content=PAYLOAD).json() == "ship"
    assert client.post("/included", content=PAYLOAD).json() == "ship"
    assert client.post("/strict", content=PAYLOAD).status_code == 422
    assert client.post("/kept-strict", content=PAYLOAD).status_code == 422
    # A declared non-JSON media type is never parsed as JSON, strict or not.
    text = {"content-type": "text/plain"}
    assert client.post("/lenient", content=PAYLOAD, headers=text).status_code == 422
