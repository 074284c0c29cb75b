"""Tutorial, dependencies with yield and scope: "function" ends before the response is sent."""

from typing import Annotated, Any

from tests.guide.conftest import operation
from zephyr import BackgroundTasks, Depends, HTTPException, Zephyr

app = Zephyr()

LOG: list[str] = []


def file_handle():
    LOG.append("open file")
    yield "handle"
    LOG.append("close file")


def db_connection():
    LOG.append("connect")
    yield "conn"
    LOG.append("disconnect")


def guarded():
    try:
        yield "guard"
    except HTTPException as exc:
        LOG.append(f"saw {exc.status_code}")
        raise


@app.get("/export")
def export(
    background_tasks: BackgroundTasks,
    handle: Annotated[str, Depends(file_handle, scope="function")],
    conn: Annotated[str, Depends(db_connection)],
) -> list[str]:
    background_tasks.add_task(LOG.append, "background job")
    LOG.append("endpoint")
    return [handle, conn]


@app.get("/denied")
def denied(guard: Annotated[str, Depends(guarded, scope="function")]) -> None:
    raise HTTPException(status_code=403, detail="No export for you")


def test_function_scope_ends_before_response(mod: Any, client: Any) -> None:
    mod.LOG.clear()
    response = client.get("/export")
    assert response.status_code == 200
    assert response.json() == ["handle", "conn"]
    assert mod.LOG == [
        "open file",
        "connect",
        "endpoint",
        "close file",
        "background job",
        "disconnect",
    ]


def test_function_scope_sees_exceptions(mod: Any, client: Any) -> None:
    mod.LOG.clear()
    response = client.get("/denied")
    assert response.status_code == 403
    assert response.json() == {"detail": "No export for you"}
    assert mod.LOG == ["saw 403"]


def test_openapi(client: Any) -> None:
    assert "parameters" not in operation(client, "/export")
