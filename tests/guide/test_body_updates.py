"""Tutorial, body updates: PUT replaces, PATCH merges with exclude_unset and model_copy."""

from typing import Any

from pydantic import BaseModel

from tests.guide.conftest import operation, schema
from zephyr import HTTPException, Zephyr
from zephyr.encoders import jsonable_encoder

app = Zephyr()


class Profile(BaseModel):
    display_name: str | None = None
    bio: str | None = None
    followers: int = 0
    links: list[str] = []


PROFILES: dict[str, dict[str, Any]] = {}


def _reset() -> None:
    PROFILES.clear()
    PROFILES["ola"] = {"display_name": "Ola", "bio": "painter", "followers": 10, "links": ["a"]}


@app.get("/profiles/{handle}", response_model=Profile)
async def read_profile(handle: str) -> Any:
    if handle not in PROFILES:
        raise HTTPException(404, "No such profile")
    return PROFILES[handle]


@app.put("/profiles/{handle}", response_model=Profile)
async def replace_profile(handle: str, profile: Profile) -> Any:
    PROFILES[handle] = jsonable_encoder(profile)
    return PROFILES[handle]


@app.patch("/profiles/{handle}", response_model=Profile)
async def update_profile(handle: str, profile: Profile) -> Any:
    if handle not in PROFILES:
        raise HTTPException(404, "No such profile")
    stored = Profile(**PROFILES[handle])
    changes = profile.model_dump(exclude_unset=True)
    updated = stored.model_copy(update=changes)
    PROFILES[handle] = jsonable_encoder(updated)
    return updated


def test_put_replaces_with_defaults(mod: Any, client: Any) -> None:
    mod._reset()
    response = client.put("/profiles/ola", json={"bio": "sculptor"})
    assert response.status_code == 200
    assert response.json() == {"display_name": None, "bio": "sculptor", "followers": 0, "links": []}


def test_patch_changes_only_sent_fields(mod: Any, client: Any) -> None:
    mod._reset()
    response = client.patch("/profiles/ola", json={"bio": "sculptor", "links": []})
    assert response.json() == {
        "display_name": "Ola",
        "bio": "sculptor",
        "followers": 10,
        "links": [],
    }
    assert client.get("/profiles/ola").json()["followers"] == 10
    explicit_null = client.patch("/profiles/ola", json={"display_name": None})
    assert explicit_null.json()["display_name"] is None


def test_patch_unknown_and_invalid(mod: Any, client: Any) -> None:
    mod._reset()
    missing = client.patch("/profiles/ghost", json={})
    assert missing.status_code == 404
    assert missing.json() == {"detail": "No such profile"}
    invalid = client.patch("/profiles/ola", json={"followers": "many"})
    assert invalid.status_code == 422
    assert invalid.json()["detail"][0]["loc"] == ["body", "followers"]


def test_openapi_patch_body(client: Any) -> None:
    op = operation(client, "/profiles/{handle}", "patch")
    assert op["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Profile"
    }
    assert "required" not in schema(client, "Profile")
