"""Advanced, testing dependencies with overrides: app.dependency_overrides in tests."""

from typing import Annotated, Any

from tests.guide.conftest import operation
from zephyr import APIRouter, Depends, Zephyr

app = Zephyr()
router = APIRouter(prefix="/team")


async def search_params(q: str | None = None, page: int = 1) -> dict[str, Any]:
    return {"q": q, "page": page}


def real_clock() -> str:
    return "real time"


@app.get("/tracks")
async def tracks(params: Annotated[dict[str, Any], Depends(search_params)]) -> dict[str, Any]:
    return {"what": "tracks", **params}


@router.get("/members")
async def members(
    params: Annotated[dict[str, Any], Depends(search_params)],
    now: Annotated[str, Depends(real_clock)],
) -> dict[str, Any]:
    return {"what": "members", "now": now, **params}


app.include_router(router)


async def fake_params(q: str | None = None) -> dict[str, Any]:
    return {"q": q, "page": "fixed"}


def test_override_and_clear(mod: Any, client: Any) -> None:
    assert client.get("/tracks?q=a&page=3").json() == {"what": "tracks", "q": "a", "page": 3}
    mod.app.dependency_overrides[mod.search_params] = fake_params
    mod.app.dependency_overrides[mod.real_clock] = lambda: "frozen"
    try:
        assert client.get("/tracks?q=a&page=3").json() == {
            "what": "tracks",
            "q": "a",
            "page": "fixed",
        }
        assert client.get("/team/members").json() == {
            "what": "members",
            "now": "frozen",
            "q": None,
            "page": "fixed",
        }
        bad_page_ignored = client.get("/tracks?page=notanumber")
        assert bad_page_ignored.status_code == 200
    finally:
        mod.app.dependency_overrides = {}
    assert client.get("/team/members?page=2").json()["page"] == 2
    assert client.get("/tracks?page=x").status_code == 422


def test_openapi_documents_real_dependency(mod: Any, client: Any) -> None:
    params = operation(client, "/tracks")["parameters"]
    assert [p["name"] for p in params] == ["q", "page"]
