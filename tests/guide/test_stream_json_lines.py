"""Tutorial, stream JSON Lines: a path operation that yields items sends application/jsonl."""

from collections.abc import AsyncIterable
from typing import Any

import pytest
from pydantic import BaseModel

from tests.guide.conftest import HAS_JSON_LINES, operation
from zephyr import Zephyr

pytestmark = pytest.mark.skipif(
    not HAS_JSON_LINES, reason="zephyr does not stream yielded items as JSON Lines yet"
)

app = Zephyr()


class Reading(BaseModel):
    sensor: str
    value: float
    unit: str | None = None


# Routes need JSON Lines support; without it the module still imports and its tests skip.
if HAS_JSON_LINES:

    @app.get("/readings")
    async def readings() -> AsyncIterable[Reading]:
        for value in (1.5, 2.0):
            yield Reading(sensor="t1", value=value)

    @app.get("/loose")
    def loose():  # no annotation: items are sent as plain JSON, undocumented
        yield {"kind": "dict"}
        yield ["a", "list"]


def test_typed_items(client: Any) -> None:
    response = client.get("/readings")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/jsonl"
    assert response.text == (
        '{"sensor":"t1","value":1.5,"unit":null}\n{"sensor":"t1","value":2.0,"unit":null}\n'
    )


def test_untyped_items(client: Any) -> None:
    assert client.get("/loose").text == '{"kind": "dict"}\n["a", "list"]\n'


def test_openapi_item_schema(client: Any) -> None:
    content = operation(client, "/readings")["responses"]["200"]["content"]
    assert content == {
        "application/jsonl": {"itemSchema": {"$ref": "#/components/schemas/Reading"}}
    }
    assert operation(client, "/loose")["responses"]["200"]["content"] == {
        "application/jsonl": {"itemSchema": {}}
    }
