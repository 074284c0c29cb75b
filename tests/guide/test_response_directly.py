"""Advanced, return a response directly: Response, JSONResponse and jsonable_encoder."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from tests.guide.conftest import operation
from zephyr import Zephyr
from zephyr.encoders import jsonable_encoder
from zephyr.responses import JSONResponse, Response

app = Zephyr()


class Reading(BaseModel):
    sensor: str
    taken_at: datetime
    value: float


@app.put("/readings/{sensor}")
async def put_reading(sensor: str, reading: Reading) -> JSONResponse:
    content = jsonable_encoder(reading)
    return JSONResponse(content=content, headers={"X-Sensor": sensor})


@app.get("/feed.xml")
async def feed() -> Response:
    body = '<?xml version="1.0"?><feed><entry>first</entry></feed>'
    return Response(content=body, media_type="application/xml")


@app.get("/empty")
async def empty() -> Response:
    return Response(status_code=204)


def test_json_response_with_encoded_model(client: Any) -> None:
    payload = {"sensor": "t1", "taken_at": "2030-01-01T08:00:00", "value": 21.5}
    response = client.put("/readings/t1", json=payload)
    assert response.status_code == 200
    assert response.json() == payload
    assert response.headers["x-sensor"] == "t1"


def test_custom_media_type(client: Any) -> None:
    response = client.get("/feed.xml")
    assert response.headers["content-type"] == "application/xml"
    assert response.text.startswith('<?xml version="1.0"?>')


def test_bare_response(client: Any) -> None:
    response = client.get("/empty")
    assert response.status_code == 204
    assert response.content == b""


def test_openapi_for_direct_responses(client: Any) -> None:
    assert operation(client, "/feed.xml")["responses"]["200"] == {
        "description": "Successful Response",
        "content": {"application/json": {"schema": {}}},
    }
