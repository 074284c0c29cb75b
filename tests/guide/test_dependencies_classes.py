"""Tutorial, classes as dependencies: the class signature becomes the parameters."""

from typing import Annotated, Any

from tests.guide.conftest import operation
from zephyr import Depends, Zephyr

app = Zephyr()


class Window:
    def __init__(self, start: int = 0, size: int = 5, keyword: str | None = None) -> None:
        self.start = start
        self.size = size
        self.keyword = keyword

    def apply(self, rows: list[str]) -> list[str]:
        if self.keyword:
            rows = [r for r in rows if self.keyword in r]
        return rows[self.start : self.start + self.size]


ROWS = [f"row-{i}" for i in range(12)]


@app.get("/rows")
async def rows(window: Annotated[Window, Depends(Window)]) -> list[str]:
    return window.apply(ROWS)


@app.get("/rows/short")
async def rows_short(window: Annotated[Window, Depends()]) -> dict[str, Any]:
    return {"start": window.start, "size": window.size, "rows": window.apply(ROWS)}


def test_class_dependency(client: Any) -> None:
    assert client.get("/rows").json() == ["row-0", "row-1", "row-2", "row-3", "row-4"]
    assert client.get("/rows?start=10").json() == ["row-10", "row-11"]
    assert client.get("/rows?keyword=1&size=2").json() == ["row-1", "row-10"]


def test_depends_shortcut(client: Any) -> None:
    assert client.get("/rows/short?start=3&size=1").json() == {
        "start": 3,
        "size": 1,
        "rows": ["row-3"],
    }
    bad = client.get("/rows/short?size=big")
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["query", "size"]


def test_openapi_class_params(client: Any) -> None:
    params = operation(client, "/rows")["parameters"]
    assert [(p["name"], p["required"]) for p in params] == [
        ("start", False),
        ("size", False),
        ("keyword", False),
    ]
    assert operation(client, "/rows/short")["parameters"] == params
