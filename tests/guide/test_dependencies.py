"""Tutorial, dependencies: functions, Annotated aliases, sharing and async/sync mixes."""

from typing import Annotated, Any

from tests.guide.conftest import operation
from zephyr import Depends, Query, Zephyr

app = Zephyr()


async def paging(skip: int = 0, limit: Annotated[int, Query(le=50)] = 10) -> dict[str, int]:
    return {"skip": skip, "limit": limit}


def sort_order(desc: bool = False) -> str:
    return "desc" if desc else "asc"


Paging = Annotated[dict[str, int], Depends(paging)]


@app.get("/songs")
async def songs(page: Paging, order: Annotated[str, Depends(sort_order)]) -> dict[str, Any]:
    return {"what": "songs", **page, "order": order}


@app.get("/artists")
def artists(page: Paging) -> dict[str, Any]:
    return {"what": "artists", **page}


@app.get("/legacy")
async def legacy(page: dict[str, int] = Depends(paging)) -> dict[str, int]:
    return page


def test_dependency_params_from_query(client: Any) -> None:
    assert client.get("/songs").json() == {"what": "songs", "skip": 0, "limit": 10, "order": "asc"}
    response = client.get("/songs?skip=5&limit=2&desc=true")
    assert response.json() == {"what": "songs", "skip": 5, "limit": 2, "order": "desc"}


def test_shared_dependency_in_sync_endpoint(client: Any) -> None:
    assert client.get("/artists?limit=3").json() == {"what": "artists", "skip": 0, "limit": 3}
    assert client.get("/legacy?skip=1").json() == {"skip": 1, "limit": 10}


def test_dependency_validation_error(client: Any) -> None:
    response = client.get("/songs?limit=99&skip=x")
    assert response.status_code == 422
    assert [(e["type"], e["loc"]) for e in response.json()["detail"]] == [
        ("int_parsing", ["query", "skip"]),
        ("less_than_equal", ["query", "limit"]),
    ]


def test_openapi_dependency_params(client: Any) -> None:
    params = operation(client, "/songs")["parameters"]
    assert [p["name"] for p in params] == ["skip", "limit", "desc"]
    assert params[1]["schema"] == {
        "type": "integer",
        "maximum": 50,
        "default": 10,
        "title": "Limit",
    }
