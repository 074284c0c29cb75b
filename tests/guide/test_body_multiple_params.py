"""Tutorial, body multiple parameters: several models, singular Body(), embed=True."""

from typing import Annotated, Any

from pydantic import BaseModel

from tests.guide.conftest import operation, schema
from zephyr import Body, Depends, Zephyr

app = Zephyr()


class Song(BaseModel):
    title: str
    seconds: int


class Listener(BaseModel):
    nickname: str
    country: str | None = None


@app.put("/plays/{play_id}")
async def record_play(
    play_id: int,
    song: Song,
    listener: Listener,
    rating: Annotated[int, Body(ge=1, le=5)],
    comment: str | None = None,
) -> dict[str, Any]:
    result = {"play_id": play_id, "song": song, "listener": listener, "rating": rating}
    if comment:
        result["comment"] = comment
    return result


@app.post("/songs")
async def add_song(song: Annotated[Song, Body(embed=True)]) -> Song:
    return song


def song_title(song: Song) -> str:
    return song.title.upper()


@app.post("/requests")
async def request_song(
    title: Annotated[str, Depends(song_title)], dedication: Annotated[str, Body()]
) -> dict[str, str]:
    return {"title": title, "dedication": dedication}


def test_body_declared_in_a_dependency(client: Any) -> None:
    payload = {"song": {"title": "Echo", "seconds": 60}, "dedication": "for Ana"}
    response = client.post("/requests", json=payload)
    assert response.json() == {"title": "ECHO", "dedication": "for Ana"}
    missing = client.post("/requests", json={})
    assert [e["loc"] for e in missing.json()["detail"]] == [
        ["body", "song"],
        ["body", "dedication"],
    ]
    body = schema(client, "Body_request_song_requests_post")
    # Documented with the endpoint's own fields first, then the dependency's.
    assert list(body["properties"]) == ["dedication", "song"]
    assert body["required"] == ["dedication", "song"]


def test_several_bodies_keyed_by_name(client: Any) -> None:
    payload = {
        "song": {"title": "Reverie", "seconds": 201},
        "listener": {"nickname": "mo"},
        "rating": 4,
    }
    response = client.put("/plays/9?comment=nice", json=payload)
    assert response.status_code == 200
    assert response.json() == {
        "play_id": 9,
        "song": {"title": "Reverie", "seconds": 201},
        "listener": {"nickname": "mo", "country": None},
        "rating": 4,
        "comment": "nice",
    }


def test_errors_point_inside_each_body(client: Any) -> None:
    response = client.put("/plays/1", json={"song": {"title": "x"}, "listener": {}, "rating": 9})
    assert response.status_code == 422
    assert [(e["type"], e["loc"]) for e in response.json()["detail"]] == [
        ("missing", ["body", "song", "seconds"]),
        ("missing", ["body", "listener", "nickname"]),
        ("less_than_equal", ["body", "rating"]),
    ]


def test_embedded_single_body(client: Any) -> None:
    song = {"title": "Echo", "seconds": 60}
    assert client.post("/songs", json={"song": song}).json() == song
    flat = client.post("/songs", json=song)
    assert flat.status_code == 422
    assert flat.json()["detail"] == [
        {"type": "missing", "loc": ["body", "song"], "msg": "Field required", "input": None}
    ]


def test_openapi_combined_body_schema(client: Any) -> None:
    body = operation(client, "/plays/{play_id}", "put")["requestBody"]
    assert body == {
        "content": {
            "application/json": {
                "schema": {"$ref": "#/components/schemas/Body_record_play_plays__play_id__put"}
            }
        },
        "required": True,
    }
    assert schema(client, "Body_record_play_plays__play_id__put") == {
        "properties": {
            "song": {"$ref": "#/components/schemas/Song"},
            "listener": {"$ref": "#/components/schemas/Listener"},
            "rating": {"type": "integer", "maximum": 5, "minimum": 1, "title": "Rating"},
        },
        "type": "object",
        "required": ["song", "listener", "rating"],
        "title": "Body_record_play_plays__play_id__put",
    }
    assert schema(client, "Body_add_song_songs_post") == {
        "properties": {"song": {"$ref": "#/components/schemas/Song"}},
        "type": "object",
        "required": ["song"],
        "title": "Body_add_song_songs_post",
    }
