"""Tutorial, response status code: status_code= on the decorator, status constants."""

from typing import Any

from tests.guide.conftest import operation
from zephyr import Zephyr, status

app = Zephyr()

NOTES: dict[int, str] = {}


@app.post("/notes", status_code=201)
async def add_note(text: str) -> dict[str, Any]:
    note_id = len(NOTES) + 1
    NOTES[note_id] = text
    return {"id": note_id, "text": text}


@app.delete("/notes/{note_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_note(note_id: int) -> None:
    NOTES.pop(note_id, None)


@app.put("/notes/{note_id}", status_code=status.HTTP_202_ACCEPTED)
async def queue_edit(note_id: int, text: str) -> dict[str, str]:
    return {"queued": text}


def test_created(client: Any) -> None:
    response = client.post("/notes?text=milk")
    assert response.status_code == 201
    assert response.json()["text"] == "milk"


def test_no_content_has_empty_body(client: Any) -> None:
    response = client.delete("/notes/1")
    assert response.status_code == 204
    assert response.content == b""
    assert "content-length" not in response.headers


def test_accepted(client: Any) -> None:
    response = client.put("/notes/3?text=x")
    assert response.status_code == 202
    assert response.json() == {"queued": "x"}


def test_status_constants() -> None:
    assert status.HTTP_201_CREATED == 201
    assert status.HTTP_418_IM_A_TEAPOT == 418
    assert status.HTTP_422_UNPROCESSABLE_CONTENT == 422


def test_openapi_status_codes(client: Any) -> None:
    created = operation(client, "/notes", "post")["responses"]
    assert sorted(created) == ["201", "422"]
    assert created["201"]["description"] == "Successful Response"
    deleted = operation(client, "/notes/{note_id}", "delete")["responses"]
    assert deleted["204"] == {"description": "Successful Response"}
    assert sorted(operation(client, "/notes/{note_id}", "put")["responses"]) == ["202", "422"]
