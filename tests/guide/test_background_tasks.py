"""Tutorial, background tasks: BackgroundTasks run after the response, also from dependencies."""

from typing import Annotated, Any

from tests.guide.conftest import operation
from zephyr import BackgroundTasks, Depends, Zephyr

app = Zephyr()

LOG: list[str] = []


def write_log(line: str, *, level: str = "info") -> None:
    LOG.append(f"{level}: {line}")


async def notify(address: str) -> None:
    LOG.append(f"mailed {address}")


def audit_query(background_tasks: BackgroundTasks, q: str | None = None) -> str | None:
    if q:
        background_tasks.add_task(write_log, f"query {q}", level="debug")
    return q


@app.post("/mail/{address}", status_code=202)
async def send_mail(
    address: str,
    background_tasks: BackgroundTasks,
    q: Annotated[str | None, Depends(audit_query)] = None,
) -> dict[str, Any]:
    background_tasks.add_task(notify, address)
    background_tasks.add_task(write_log, f"queued {address}")
    LOG.append("responding")
    return {"queued": address, "q": q}


def test_tasks_run_after_response(mod: Any, client: Any) -> None:
    mod.LOG.clear()
    response = client.post("/mail/ann@example.com?q=urgent")
    assert response.status_code == 202
    assert response.json() == {"queued": "ann@example.com", "q": "urgent"}
    assert mod.LOG == [
        "responding",
        "debug: query urgent",
        "mailed ann@example.com",
        "info: queued ann@example.com",
    ]


def test_no_dependency_task_without_query(mod: Any, client: Any) -> None:
    mod.LOG.clear()
    client.post("/mail/bo@example.com")
    assert mod.LOG == ["responding", "mailed bo@example.com", "info: queued bo@example.com"]


def test_openapi_hides_background_tasks(client: Any) -> None:
    params = operation(client, "/mail/{address}", "post")["parameters"]
    assert [p["name"] for p in params] == ["address", "q"]
