"""Tutorial, extra models: in/out/db models, inheritance, Union and dict responses."""

from typing import Any, Literal

from pydantic import BaseModel

from tests.guide.conftest import operation, schema
from zephyr import Zephyr

app = Zephyr()


class MemberBase(BaseModel):
    handle: str
    city: str | None = None


class MemberIn(MemberBase):
    password: str


class MemberOut(MemberBase):
    pass


class MemberStored(MemberBase):
    password_hash: str


def store(member: MemberIn) -> MemberStored:
    return MemberStored(**member.model_dump(), password_hash="h$" + member.password[::-1])


class Bike(BaseModel):
    kind: Literal["bike"] = "bike"
    wheels: int = 2


class Car(BaseModel):
    kind: Literal["car"] = "car"
    doors: int


VEHICLES: dict[str, Bike | Car] = {"b": Bike(), "c": Car(doors=5)}


@app.post("/members", response_model=MemberOut)
async def join(member: MemberIn) -> Any:
    return store(member)


@app.get("/vehicles/{key}", response_model=Bike | Car)
async def vehicle(key: str) -> Any:
    return VEHICLES[key]


@app.get("/vehicles", response_model=list[Bike | Car])
async def vehicles() -> Any:
    return list(VEHICLES.values())


@app.get("/stock", response_model=dict[str, int])
async def stock() -> Any:
    return {"bolts": 40, "nuts": 12}


def test_output_model_hides_stored_fields(client: Any) -> None:
    response = client.post("/members", json={"handle": "zed", "password": "pw"})
    assert response.status_code == 200
    assert response.json() == {"handle": "zed", "city": None}


def test_union_response(client: Any) -> None:
    assert client.get("/vehicles/b").json() == {"kind": "bike", "wheels": 2}
    assert client.get("/vehicles/c").json() == {"kind": "car", "doors": 5}
    assert client.get("/vehicles").json() == [
        {"kind": "bike", "wheels": 2},
        {"kind": "car", "doors": 5},
    ]


def test_dict_response(client: Any) -> None:
    assert client.get("/stock").json() == {"bolts": 40, "nuts": 12}


def test_openapi_extra_models(client: Any) -> None:
    assert schema(client, "MemberIn")["required"] == ["handle", "password"]
    assert "MemberStored" not in client.get("/openapi.json").json()["components"]["schemas"]
    union = operation(client, "/vehicles/{key}")["responses"]["200"]["content"]
    assert union["application/json"]["schema"] == {
        "anyOf": [{"$ref": "#/components/schemas/Bike"}, {"$ref": "#/components/schemas/Car"}],
        "title": "Response Vehicle Vehicles  Key  Get",
    }
    stock = operation(client, "/stock")["responses"]["200"]["content"]["application/json"]
    assert stock["schema"] == {
        "type": "object",
        "additionalProperties": {"type": "integer"},
        "title": "Response Stock Stock Get",
    }
