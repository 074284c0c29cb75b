"""Tutorial, path parameters: types, validation, order of routes, enums and paths."""

from enum import Enum, IntEnum
from typing import Any

from tests.guide.conftest import openapi, operation
from zephyr import Zephyr

app = Zephyr()


class Planet(str, Enum):  # noqa: UP042 - the str mix-in is the documented pattern
    mercury = "mercury"
    venus = "venus"
    earth = "earth"


@app.get("/orbits/{orbit_id}")
async def get_orbit(orbit_id: int) -> dict[str, int]:
    return {"orbit_id": orbit_id}


@app.get("/crew/me")
async def my_profile() -> dict[str, str]:
    return {"crew": "the current member"}


@app.get("/crew/{name}")
async def crew_member(name: str) -> dict[str, str]:
    return {"crew": name}


@app.get("/planets/{planet}")
async def planet_info(planet: Planet) -> dict[str, Any]:
    if planet is Planet.earth:
        return {"planet": planet, "inhabited": True}
    return {"planet": planet.value, "inhabited": False}


class Priority(IntEnum):
    low = 1
    high = 2


@app.get("/queues/{priority}")
async def queue(priority: Priority) -> dict[str, Any]:
    return {"priority": priority, "name": priority.name}


@app.get("/archive/{file_path:path}")
async def archive(file_path: str) -> dict[str, str]:
    return {"file_path": file_path}


def test_typed_path_param(client: Any) -> None:
    response = client.get("/orbits/42")
    assert response.status_code == 200
    assert response.json() == {"orbit_id": 42}


def test_path_param_validation_error(client: Any) -> None:
    response = client.get("/orbits/high")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "int_parsing",
                "loc": ["path", "orbit_id"],
                "msg": "Input should be a valid integer, unable to parse string as an integer",
                "input": "high",
            }
        ]
    }
    assert client.get("/orbits/4.2").status_code == 422


def test_fixed_route_declared_first_wins(client: Any) -> None:
    assert client.get("/crew/me").json() == {"crew": "the current member"}
    assert client.get("/crew/ada").json() == {"crew": "ada"}


def test_enum_path_param(client: Any) -> None:
    assert client.get("/planets/earth").json() == {"planet": "earth", "inhabited": True}
    assert client.get("/planets/venus").json() == {"planet": "venus", "inhabited": False}
    response = client.get("/planets/pluto")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "enum",
                "loc": ["path", "planet"],
                "msg": "Input should be 'mercury', 'venus' or 'earth'",
                "input": "pluto",
                "ctx": {"expected": "'mercury', 'venus' or 'earth'"},
            }
        ]
    }


def test_int_enum_path_param(client: Any) -> None:
    assert client.get("/queues/2").json() == {"priority": 2, "name": "high"}
    response = client.get("/queues/high")
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "enum"


def test_path_converter_keeps_slashes(client: Any) -> None:
    response = client.get("/archive/2024/logs/run.txt")
    assert response.status_code == 200
    assert response.json() == {"file_path": "2024/logs/run.txt"}
    assert client.get("/archive//etc/passwd").json() == {"file_path": "/etc/passwd"}


def test_openapi_path_params(client: Any) -> None:
    assert operation(client, "/orbits/{orbit_id}")["parameters"] == [
        {
            "name": "orbit_id",
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "title": "Orbit Id"},
        }
    ]
    doc = openapi(client)
    assert doc["paths"]["/planets/{planet}"]["get"]["parameters"][0]["schema"] == {
        "$ref": "#/components/schemas/Planet"
    }
    assert doc["components"]["schemas"]["Planet"] == {
        "type": "string",
        "enum": ["mercury", "venus", "earth"],
        "title": "Planet",
    }
    assert "/archive/{file_path}" in doc["paths"]
    assert "422" in doc["paths"]["/orbits/{orbit_id}"]["get"]["responses"]
    assert "422" not in doc["paths"]["/crew/me"]["get"]["responses"]
