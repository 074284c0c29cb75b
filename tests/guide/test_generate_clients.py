"""Advanced, generating clients: tags and a custom generate_unique_id_function."""

from typing import Any

from pydantic import BaseModel

from tests.guide.conftest import openapi, operation
from zephyr import APIRouter, Zephyr
from zephyr.routing import APIRoute


def tag_and_name(route: APIRoute) -> str:
    return f"{route.tags[0]}-{route.name}"


app = Zephyr(generate_unique_id_function=tag_and_name)


class Note(BaseModel):
    text: str


class NoteOut(BaseModel):
    id: int
    text: str


@app.post("/notes", tags=["notes"])
async def create_note(note: Note) -> NoteOut:
    return NoteOut(id=1, text=note.text)


@app.get("/notes", tags=["notes"])
async def list_notes() -> list[NoteOut]:
    return []


plain_ids = APIRouter(generate_unique_id_function=lambda route: f"plain_{route.name}")


@plain_ids.get("/users", tags=["users"])
async def list_users() -> list[str]:
    return []


app.include_router(plain_ids)


def test_behaviour(client: Any) -> None:
    assert client.post("/notes", json={"text": "hi"}).json() == {"id": 1, "text": "hi"}


def test_operation_ids(client: Any) -> None:
    assert operation(client, "/notes", "post")["operationId"] == "notes-create_note"
    assert operation(client, "/notes")["operationId"] == "notes-list_notes"
    assert operation(client, "/users")["operationId"] == "plain_list_users"


def test_generated_names_follow_unique_id(client: Any) -> None:
    schemas = openapi(client)["components"]["schemas"]
    assert operation(client, "/notes")["responses"]["200"]["content"]["application/json"][
        "schema"
    ] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/NoteOut"},
        "title": "Response Notes-List Notes",
    }
    assert {"Note", "NoteOut", "HTTPValidationError", "ValidationError"} <= set(schemas)
