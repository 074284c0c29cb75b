"""Tutorial, JSON compatible encoder: jsonable_encoder for storing models as plain data."""

from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import PurePosixPath
from typing import Any
from uuid import UUID

from pydantic import BaseModel

from tests.guide.conftest import operation
from zephyr import Zephyr
from zephyr.encoders import jsonable_encoder

app = Zephyr()

ARCHIVE: dict[str, Any] = {}


class Level(Enum):
    low = 1
    high = 2


class Event(BaseModel):
    name: str
    at: datetime
    level: Level = Level.low
    note: str | None = None


@app.put("/events/{key}")
async def store_event(key: str, event: Event) -> dict[str, Any]:
    ARCHIVE[key] = jsonable_encoder(event)
    return {
        "stored": ARCHIVE[key],
        "types": sorted({type(v).__name__ for v in ARCHIVE[key].values()}),
    }


def test_stored_as_json_compatible(client: Any) -> None:
    response = client.put("/events/e1", json={"name": "launch", "at": "2031-05-01T10:00:00"})
    assert response.status_code == 200
    assert response.json() == {
        "stored": {"name": "launch", "at": "2031-05-01T10:00:00", "level": 1, "note": None},
        "types": ["NoneType", "int", "str"],
    }


def test_encoder_options() -> None:
    event = Event(name="x", at=datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC))
    assert jsonable_encoder(event, exclude_none=True) == {
        "name": "x",
        "at": "2030-01-02T03:04:05Z",
        "level": 1,
    }
    assert jsonable_encoder(event, include={"name"}) == {"name": "x"}
    assert jsonable_encoder(event, exclude={"at", "note"}) == {"name": "x", "level": 1}


def test_encoder_builtin_types() -> None:
    value = {
        "day": date(2020, 2, 29),
        "id": UUID("12345678-1234-5678-1234-567812345678"),
        "amount": Decimal("1.5"),
        "whole": Decimal("3"),
        "tags": {"b"},
        "pair": (1, 2),
        "path": PurePosixPath("/tmp/x"),
        "raw": b"bytes",
        Level.high: "enum key",
    }
    assert jsonable_encoder(value) == {
        "day": "2020-02-29",
        "id": "12345678-1234-5678-1234-567812345678",
        "amount": 1.5,
        "whole": 3,
        "tags": ["b"],
        "pair": [1, 2],
        "path": "/tmp/x",
        "raw": "bytes",
        2: "enum key",
    }


class Money:
    def __init__(self, cents: int) -> None:
        self.cents = cents


def test_custom_encoder() -> None:
    data = {"price": Money(250), "note": None}
    encoded = jsonable_encoder(
        data, custom_encoder={Money: lambda m: f"{m.cents / 100:.2f}"}, exclude_none=True
    )
    assert encoded == {"price": "2.50"}


def test_openapi_operation(client: Any) -> None:
    op = operation(client, "/events/{key}", "put")
    assert op["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Event"
    }
