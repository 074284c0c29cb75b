"""A generated API of 500 routes for the start-up test; one source for FastAPI and zephyr.

``BENCH_FRAMEWORK=fastapi`` or ``zephyr`` (the default) picks the framework:
both export the same names, so the module body is identical for the two.
100 routers of 5 CRUD routes each, every router with its own Pydantic model,
path/query parameters and a body, so that building the app and its
``/openapi.json`` does the work a large real API does. ``GET /ping`` is the
readiness probe (not counted among the 500).
"""

# No ``from __future__ import annotations``: the handlers are made in a loop and
# their annotations must be evaluated while the loop variable holds the model.
import importlib
import os
from typing import Any

from pydantic import BaseModel, create_model

framework: Any = importlib.import_module(os.environ.get("BENCH_FRAMEWORK", "zephyr"))
ROUTERS = 100  # x 5 routes each


def make_router(index: int) -> Any:
    """Five routes over one model: list, read, create, replace, delete."""
    model: type[BaseModel] = create_model(
        f"Item{index}", name=(str, ...), price=(float, ...), tags=(list[str], [])
    )
    router = framework.APIRouter(prefix=f"/group{index}", tags=[f"group {index}"])

    @router.get("/items")
    async def list_items(skip: int = 0, limit: int = 10) -> list[model]:  # type: ignore[valid-type]
        return []

    @router.get("/items/{item_id}")
    async def read_item(item_id: int, q: str | None = None) -> model:  # type: ignore[valid-type]
        return model(name=f"item {item_id}", price=1.0)

    @router.post("/items", status_code=201)
    async def create_item(item: model) -> model:  # type: ignore[valid-type]
        return item

    @router.put("/items/{item_id}")
    async def replace_item(item_id: int, item: model) -> model:  # type: ignore[valid-type]
        return item

    @router.delete("/items/{item_id}")
    async def delete_item(item_id: int) -> dict[str, int]:
        return {"deleted": item_id}

    return router


app = framework.FastAPI(title="500 routes")
for number in range(ROUTERS):
    app.include_router(make_router(number))


@app.get("/ping", include_in_schema=False)
async def ping() -> dict[str, bool]:
    return {"ok": True}
