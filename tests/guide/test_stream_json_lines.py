"""Tutorial, stream JSON Lines: a path operation that yields items sends application/jsonl."""

import json
from collections.abc import AsyncIterable, Iterator
from typing import Any

from pydantic import BaseModel

from tests.guide.conftest import operation
from zephyr import Zephyr

app = Zephyr()


class Reading(BaseModel):
    sensor: str
    value: float
    unit: str | None = None


@app.get("/readings")
async def readings() -> AsyncIterable[Reading]:
    for value in (1.5, 2.0):
        yield Reading(sensor="t1", value=value)


@app.get("/loose")
def loose():  # no annotation: items are sent as plain JSON, undocumented
    yield {"kind": "dict"}
    yield ["a", "list"]


@app.get("/counts")
def counts() -> Iterator[int]:
    yield from (3, 2, 1)


def test_scalar_items(client: Any) -> None:
    assert client.get("/counts").text == "3\n2\n1\n"
    content = operation(client, "/counts")["responses"]["200"]["content"]
    assert content == {
        "application/jsonl": {
            "itemSchema": {"type": "integer", "title": "Streamitem Counts Counts Get"}
        }
    }


def test_typed_items(client: Any) -> None:
    response = client.get("/readings")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/jsonl"
    assert response.text == (
        '{"sensor":"t1","value":1.5,"unit":null}\n{"sensor":"t1","value":2.0,"unit":null}\n'
    )


def test_untyped_items(client: Any) -> None:
    text = client.get("/loose").text
    assert text.endswith("\n")
    # Untyped items: the JSON spacing is the encoder's choice, the values are not.
    assert [json.loads(line) for line in text.splitlines()] == [{"kind": "dict"}, ["a", "list"]]


def test_openapi_item_schema(client: Any) -> None:
    content = operation(client, "/readings")["responses"]["200"]["content"]
    assert content == {
        "application/jsonl": {"itemSchema": {"$ref": "#/components/schemas/Reading"}}
    }
    assert operation(client, "/loose")["responses"]["200"]["content"] == {
        "application/jsonl": {"itemSchema": {}}
    }
