"""Advanced, response - change status code: set response.status_code in the endpoint."""

from typing import Annotated, Any

from tests.guide.conftest import operation
from zephyr import Depends, Response, Zephyr, status

app = Zephyr()

TASKS: dict[str, str] = {"wash": "pending"}


def mark_deprecated(response: Response) -> None:
    response.headers["Deprecation"] = "true"


@app.put("/tasks/{name}", status_code=200)
async def upsert_task(name: str, state: str, response: Response) -> dict[str, str]:
    if name not in TASKS:
        response.status_code = status.HTTP_201_CREATED
    TASKS[name] = state
    return {name: state}


@app.get("/old-tasks", dependencies=[Depends(mark_deprecated)])
async def old_tasks(response: Response) -> dict[str, str]:
    response.status_code = 299
    return TASKS


@app.get("/dep-status")
async def dep_status(
    response: Response, _: Annotated[None, Depends(mark_deprecated)]
) -> dict[str, bool]:
    return {"ok": True}


def test_status_changed_for_new_items(mod: Any, client: Any) -> None:
    mod.TASKS.clear()
    mod.TASKS["wash"] = "pending"
    created = client.put("/tasks/dry?state=todo")
    assert created.status_code == 201
    assert created.json() == {"dry": "todo"}
    updated = client.put("/tasks/wash?state=done")
    assert updated.status_code == 200


def test_dependency_sets_header_on_same_response(client: Any) -> None:
    response = client.get("/old-tasks")
    assert response.status_code == 299
    assert response.headers["deprecation"] == "true"
    assert client.get("/dep-status").headers["deprecation"] == "true"


def test_openapi_uses_declared_status(client: Any) -> None:
    assert sorted(operation(client, "/tasks/{name}", "put")["responses"]) == ["200", "422"]
