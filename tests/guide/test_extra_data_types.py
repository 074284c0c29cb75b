"""Tutorial, extra data types: UUID, datetime, date, time, timedelta, frozenset, bytes, Decimal."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from tests.guide.conftest import operation, schema
from zephyr import Body, Zephyr

app = Zephyr()


@app.put("/bookings/{booking_id}")
async def book(
    booking_id: UUID,
    check_in: Annotated[datetime, Body()],
    nights: Annotated[timedelta, Body()],
    breakfast_at: Annotated[time | None, Body()] = None,
    rooms: Annotated[frozenset[int], Body()] = frozenset(),
    deposit: Annotated[Decimal, Body()] = Decimal("0"),
    note: Annotated[bytes, Body()] = b"",
) -> dict[str, Any]:
    check_out = check_in + nights
    return {
        "booking_id": booking_id,
        "check_in": check_in,
        "check_out": check_out,
        "last_day": check_out.date(),
        "breakfast_at": breakfast_at,
        "rooms": sorted(rooms),
        "deposit": deposit,
        "note": note.decode(),
    }


@app.get("/calendar/{day}")
async def calendar(day: date) -> dict[str, Any]:
    return {"day": day, "weekday": day.isoweekday()}


def test_extra_types_round_trip(client: Any) -> None:
    booking_id = "6a1c5e6e-0c3e-4c70-9a48-1d6a2f3b9e11"
    payload = {
        "check_in": "2030-04-01T15:00:00",
        "nights": 172800,
        "breakfast_at": "07:30:00",
        "rooms": [12, 3, 12],
        "deposit": "99.50",
        "note": "late arrival",
    }
    response = client.put(f"/bookings/{booking_id}", json=payload)
    assert response.status_code == 200
    assert response.json() == {
        "booking_id": booking_id,
        "check_in": "2030-04-01T15:00:00",
        "check_out": "2030-04-03T15:00:00",
        "last_day": "2030-04-03",
        "breakfast_at": "07:30:00",
        "rooms": [3, 12],
        "deposit": "99.50",
        "note": "late arrival",
    }


def test_iso_duration_and_bad_uuid(client: Any) -> None:
    payload = {"check_in": "2030-01-01T00:00:00Z", "nights": "P1D"}
    response = client.put("/bookings/00000000-0000-0000-0000-000000000000", json=payload)
    assert response.json()["check_out"] == "2030-01-02T00:00:00Z"
    bad = client.put("/bookings/not-a-uuid", json=payload)
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["type"] == "uuid_parsing"
    assert bad.json()["detail"][0]["loc"] == ["path", "booking_id"]


def test_date_path(client: Any) -> None:
    assert client.get("/calendar/2024-02-29").json() == {"day": "2024-02-29", "weekday": 4}
    bad = client.get("/calendar/2023-02-29")
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["type"] == "date_from_datetime_parsing"


def test_openapi_formats(client: Any) -> None:
    op = operation(client, "/bookings/{booking_id}", "put")
    assert op["parameters"][0]["schema"] == {
        "type": "string",
        "format": "uuid",
        "title": "Booking Id",
    }
    props = schema(client, "Body_book_bookings__booking_id__put")["properties"]
    assert props["check_in"] == {"type": "string", "format": "date-time", "title": "Check In"}
    assert props["nights"] == {"type": "string", "format": "duration", "title": "Nights"}
    assert props["rooms"]["uniqueItems"] is True
    assert props["note"] == {
        "type": "string",
        "contentMediaType": "application/octet-stream",
        "default": "",
        "title": "Note",
    }
    assert props["deposit"]["anyOf"] == [{"type": "number"}, {"type": "string"}]
