"""Advanced, additional responses in OpenAPI: models, media types, shared response dicts."""

from typing import Any

from pydantic import BaseModel

from tests.guide.conftest import operation, schema
from zephyr import Zephyr
from zephyr.responses import FileResponse, JSONResponse

app = Zephyr()


class Problem(BaseModel):
    message: str


class Gem(BaseModel):
    id: str
    carats: float


GEMS = {"ruby": Gem(id="ruby", carats=1.5)}


@app.get(
    "/gems/{gem_id}",
    response_model=Gem,
    responses={
        404: {"model": Problem, "description": "The gem is not in the vault"},
        200: {
            "description": "The gem, as JSON or as a picture",
            "content": {"image/png": {}},
        },
    },
)
async def read_gem(gem_id: str, picture: bool = False) -> Any:
    if gem_id not in GEMS:
        return JSONResponse(status_code=404, content={"message": "Gem not found"})
    if picture:
        return FileResponse(__file__, media_type="image/png")
    return GEMS[gem_id]


shared: dict[int | str, dict[str, Any]] = {
    401: {"description": "Who are you?"},
    403: {"description": "Not yours"},
}


@app.delete("/gems/{gem_id}", responses={**shared, 410: {"description": "Already gone"}})
async def delete_gem(gem_id: str) -> None:
    return None


@app.get(
    "/vault",
    responses={
        "5XX": {"description": "Vault offline"},
        429: {"content": {"application/json": {"example": {"message": "slow down"}}}},
    },
)
async def vault() -> list[str]:
    return list(GEMS)


def test_runtime_behaviour(client: Any) -> None:
    assert client.get("/gems/ruby").json() == {"id": "ruby", "carats": 1.5}
    missing = client.get("/gems/opal")
    assert missing.status_code == 404
    assert missing.json() == {"message": "Gem not found"}
    assert client.get("/gems/ruby?picture=1").headers["content-type"] == "image/png"


def test_openapi_model_and_media_types(client: Any) -> None:
    responses = operation(client, "/gems/{gem_id}")["responses"]
    assert responses["404"] == {
        "description": "The gem is not in the vault",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    assert responses["200"] == {
        "description": "The gem, as JSON or as a picture",
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Gem"}},
            "image/png": {},
        },
    }
    assert schema(client, "Problem")["required"] == ["message"]


def test_openapi_shared_and_ranges(client: Any) -> None:
    deleted = operation(client, "/gems/{gem_id}", "delete")["responses"]
    assert deleted["401"] == {"description": "Who are you?"}
    assert deleted["410"] == {"description": "Already gone"}
    assert sorted(deleted) == ["200", "401", "403", "410", "422"]
    vault = operation(client, "/vault")["responses"]
    assert vault["5XX"] == {"description": "Vault offline"}
    assert vault["429"] == {
        "description": "Too Many Requests",
        "content": {"application/json": {"example": {"message": "slow down"}}},
    }
