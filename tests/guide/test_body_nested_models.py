"""Tutorial, body nested models: lists, sets, submodels, special types, dict bodies."""

from typing import Any

from pydantic import BaseModel, HttpUrl

from tests.guide.conftest import schema
from zephyr import Zephyr

app = Zephyr()


class Photo(BaseModel):
    url: HttpUrl
    caption: str


class Album(BaseModel):
    name: str
    labels: set[str] = set()
    cover: Photo | None = None
    photos: list[Photo] = []


class Gallery(BaseModel):
    owner: str
    albums: list[Album]


@app.post("/albums")
async def create_album(album: Album) -> Album:
    return album


@app.post("/galleries")
async def create_gallery(gallery: Gallery) -> dict[str, int]:
    return {"albums": len(gallery.albums), "photos": sum(len(a.photos) for a in gallery.albums)}


@app.post("/photo-batch")
async def photo_batch(photos: list[Photo]) -> list[str]:
    return [photo.caption for photo in photos]


@app.post("/scores")
async def scores(scores: dict[int, float]) -> dict[str, float]:
    return {
        "total": sum(scores.values()),
        "best_player": float(max(scores, key=scores.__getitem__)),
    }


def test_nested_model_round_trip(client: Any) -> None:
    album = {
        "name": "trip",
        "labels": ["sea", "sea", "sun"],
        "cover": {"url": "https://example.com/c.jpg", "caption": "cover"},
    }
    response = client.post("/albums", json=album)
    assert response.status_code == 200
    body = response.json()
    assert sorted(body["labels"]) == ["sea", "sun"]
    assert body["cover"] == {"url": "https://example.com/c.jpg", "caption": "cover"}
    assert body["photos"] == []


def test_deeply_nested(client: Any) -> None:
    photo = {"url": "http://a.example/1.png", "caption": "one"}
    gallery = {"owner": "li", "albums": [{"name": "a", "photos": [photo, photo]}, {"name": "b"}]}
    assert client.post("/galleries", json=gallery).json() == {"albums": 2, "photos": 2}


def test_nested_error_location(client: Any) -> None:
    gallery = {"owner": "li", "albums": [{"name": "a", "photos": [{"url": "nope", "caption": 1}]}]}
    response = client.post("/galleries", json=gallery)
    assert response.status_code == 422
    errors = [(e["type"], e["loc"]) for e in response.json()["detail"]]
    assert errors == [
        ("url_parsing", ["body", "albums", 0, "photos", 0, "url"]),
        ("string_type", ["body", "albums", 0, "photos", 0, "caption"]),
    ]


def test_list_body(client: Any) -> None:
    photos = [{"url": "https://x.example/a", "caption": c} for c in ("a", "b")]
    assert client.post("/photo-batch", json=photos).json() == ["a", "b"]


def test_dict_body_with_int_keys(client: Any) -> None:
    response = client.post("/scores", json={"1": 2.5, "7": 9})
    assert response.json() == {"total": 11.5, "best_player": 7.0}
    bad = client.post("/scores", json={"x": 1})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "x", "[key]"]


def test_openapi_nested_schemas(client: Any) -> None:
    album = schema(client, "Album")
    assert album["properties"]["labels"] == {
        "items": {"type": "string"},
        "type": "array",
        "uniqueItems": True,
        "title": "Labels",
        "default": [],
    }
    assert album["properties"]["cover"] == {
        "anyOf": [{"$ref": "#/components/schemas/Photo"}, {"type": "null"}]
    }
    assert schema(client, "Photo")["properties"]["url"] == {
        "type": "string",
        "maxLength": 2083,
        "minLength": 1,
        "format": "uri",
        "title": "Url",
    }
    assert schema(client, "Gallery")["properties"]["albums"] == {
        "items": {"$ref": "#/components/schemas/Album"},
        "type": "array",
        "title": "Albums",
    }
