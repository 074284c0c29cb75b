"""Advanced, strict Content-Type checking: JSON bodies need a JSON media type (CSRF guard)."""

from typing import Any

from pydantic import BaseModel

from tests.guide.conftest import operation
from zephyr import Zephyr


class Command(BaseModel):
    action: str


app = Zephyr()


@app.post("/agent")
async def agent(command: Command) -> dict[str, str]:
    return {"done": command.action}


PAYLOAD = b'{"action": "send mail"}'


def test_json_media_types_accepted(client: Any) -> None:
    for media in ("application/json", "application/json; charset=utf-8", "application/geo+json"):
        response = client.post("/agent", content=PAYLOAD, headers={"content-type": media})
        assert response.status_code == 200, media
        assert response.json() == {"done": "send mail"}


def test_missing_or_wrong_content_type_rejected(client: Any) -> None:
    for headers in ({}, {"content-type": "text/plain"}):
        response = client.post("/agent", content=PAYLOAD, headers=headers)
        assert response.status_code == 422
        assert response.json() == {
            "detail": [
                {
                    "type": "model_attributes_type",
                    "loc": ["body"],
                    "msg": "Input should be a valid dictionary or object to extract fields from",
                    "input": PAYLOAD.decode(),
                }
            ]
        }


def test_lenient_app_accepts_missing_content_type(make_client: Any, framework: str) -> None:
    lenient_source = f"""
from pydantic import BaseModel
from {framework} import FastAPI

class Command(BaseModel):
    action: str

app = FastAPI(strict_content_type=False)

@app.post("/agent")
async def agent(command: Command) -> dict[str, str]:
    return {{"done": command.action}}
"""
    namespace: dict[str, Any] = {"__name__": f"lenient_{framework}"}
    exec(compile(lenient_source, "<lenient>", "exec"), namespace)
    client = make_client(namespace["app"])
    assert client.post("/agent", content=PAYLOAD).json() == {"done": "send mail"}
    text = client.post("/agent", content=PAYLOAD, headers={"content-type": "text/plain"})
    assert text.status_code == 422


def test_router_level(make_client: Any, framework: str) -> None:
    source = f"""
from pydantic import BaseModel
from {framework} import APIRouter, FastAPI

class Command(BaseModel):
    action: str

app = FastAPI()
lenient = APIRouter(strict_content_type=False)
plain = APIRouter()

@lenient.post("/router")
async def by_router(command: Command) -> str:
    return command.action

@plain.post("/strict")
async def strict(command: Command) -> str:
    return command.action

app.include_router(lenient)
app.include_router(plain)
"""
    namespace: dict[str, Any] = {"__name__": f"levels_{framework}"}
    exec(compile(source, "<levels>", "exec"), namespace)
    client = make_client(namespace["app"])
    assert client.post("/router", content=PAYLOAD).json() == "send mail"
    assert client.post("/strict", content=PAYLOAD).status_code == 422


def test_openapi_declares_json(client: Any) -> None:
    body = operation(client, "/agent", "post")["requestBody"]
    assert list(body["content"]) == ["application/json"]
