"""Advanced, additional status codes: returning a JSONResponse with another status."""

from typing import Annotated, Any

from tests.guide.conftest import operation
from zephyr import Body, Zephyr, status
from zephyr.responses import JSONResponse

app = Zephyr()

COUNTERS: dict[str, int] = {"visits": 3}


@app.put("/counters/{name}")
async def upsert_counter(name: str, value: Annotated[int, Body(embed=True)]) -> Any:
    if name in COUNTERS:
        COUNTERS[name] = value
        return {"name": name, "value": value}
    COUNTERS[name] = value
    return JSONResponse(status_code=status.HTTP_201_CREATED, content={"name": name, "value": value})


def test_update_is_200(mod: Any, client: Any) -> None:
    mod.COUNTERS.update(visits=3)
    response = client.put("/counters/visits", json={"value": 4})
    assert response.status_code == 200
    assert response.json() == {"name": "visits", "value": 4}


def test_create_is_201(mod: Any, client: Any) -> None:
    mod.COUNTERS.pop("clicks", None)
    response = client.put("/counters/clicks", json={"value": 1})
    assert response.status_code == 201
    assert response.json() == {"name": "clicks", "value": 1}


def test_openapi_lists_only_declared_status(client: Any) -> None:
    assert sorted(operation(client, "/counters/{name}", "put")["responses"]) == ["200", "422"]
