"""Tutorial, SQL (relational) databases, with an in-memory store standing in for the engine.

The shape follows the tutorial: table model, create/read/update/delete models, a session
dependency with yield, offset/limit queries and 404s.
"""

import itertools
from collections.abc import Iterator
from typing import Annotated, Any

from pydantic import BaseModel

from tests.guide.conftest import operation, schema
from zephyr import Depends, HTTPException, Query, Zephyr

app = Zephyr()


class HeroBase(BaseModel):
    name: str
    age: int | None = None


class HeroCreate(HeroBase):
    secret_name: str


class HeroPublic(HeroBase):
    id: int


class HeroUpdate(BaseModel):
    name: str | None = None
    age: int | None = None
    secret_name: str | None = None


class Store:
    """A dict-backed table with transaction-like commit/rollback."""

    def __init__(self) -> None:
        self.rows: dict[int, dict[str, Any]] = {}
        self.ids = itertools.count(1)
        self.sessions = 0


STORE = Store()


class Session:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.pending = dict(store.rows)

    def commit(self) -> None:
        self.store.rows = self.pending


def get_session() -> Iterator[Session]:
    STORE.sessions += 1
    session = Session(STORE)
    yield session


SessionDep = Annotated[Session, Depends(get_session)]


@app.post("/heroes", response_model=HeroPublic, status_code=201)
def create_hero(hero: HeroCreate, session: SessionDep) -> Any:
    hero_id = next(session.store.ids)
    session.pending[hero_id] = {"id": hero_id, **hero.model_dump()}
    session.commit()
    return session.pending[hero_id]


@app.get("/heroes", response_model=list[HeroPublic])
def read_heroes(
    session: SessionDep, offset: int = 0, limit: Annotated[int, Query(le=100)] = 100
) -> Any:
    return list(session.pending.values())[offset : offset + limit]


@app.get("/heroes/{hero_id}", response_model=HeroPublic)
def read_hero(hero_id: int, session: SessionDep) -> Any:
    if hero_id not in session.pending:
        raise HTTPException(status_code=404, detail="Hero not found")
    return session.pending[hero_id]


@app.patch("/heroes/{hero_id}", response_model=HeroPublic)
def update_hero(hero_id: int, hero: HeroUpdate, session: SessionDep) -> Any:
    if hero_id not in session.pending:
        raise HTTPException(status_code=404, detail="Hero not found")
    session.pending[hero_id] = {**session.pending[hero_id], **hero.model_dump(exclude_unset=True)}
    session.commit()
    return session.pending[hero_id]


@app.delete("/heroes/{hero_id}")
def delete_hero(hero_id: int, session: SessionDep) -> dict[str, bool]:
    if session.pending.pop(hero_id, None) is None:
        raise HTTPException(status_code=404, detail="Hero not found")
    session.commit()
    return {"ok": True}


def reset() -> None:
    STORE.rows.clear()
    STORE.ids = itertools.count(1)


def test_crud_cycle(mod: Any, client: Any) -> None:
    mod.reset()
    created = client.post("/heroes", json={"name": "Nova", "secret_name": "Nora", "age": 30})
    assert created.status_code == 201
    assert created.json() == {"name": "Nova", "age": 30, "id": 1}
    client.post("/heroes", json={"name": "Bolt", "secret_name": "Bo"})
    assert client.get("/heroes").json() == [
        {"name": "Nova", "age": 30, "id": 1},
        {"name": "Bolt", "age": None, "id": 2},
    ]
    assert client.get("/heroes?offset=1&limit=1").json() == [{"name": "Bolt", "age": None, "id": 2}]
    patched = client.patch("/heroes/2", json={"age": 19})
    assert patched.json() == {"name": "Bolt", "age": 19, "id": 2}
    assert client.delete("/heroes/1").json() == {"ok": True}
    assert client.get("/heroes/1").status_code == 404
    assert mod.STORE.rows[2]["secret_name"] == "Bo"


def test_not_found_and_limits(mod: Any, client: Any) -> None:
    mod.reset()
    assert client.get("/heroes/9").json() == {"detail": "Hero not found"}
    assert client.delete("/heroes/9").status_code == 404
    assert client.patch("/heroes/9", json={}).status_code == 404
    too_many = client.get("/heroes?limit=101")
    assert too_many.status_code == 422
    assert too_many.json()["detail"][0]["loc"] == ["query", "limit"]


def test_one_session_per_request(mod: Any, client: Any) -> None:
    before = mod.STORE.sessions
    client.get("/heroes")
    client.get("/heroes")
    assert mod.STORE.sessions == before + 2


def test_openapi_models(client: Any) -> None:
    assert "secret_name" not in schema(client, "HeroPublic")["properties"]
    assert schema(client, "HeroCreate")["required"] == ["name", "secret_name"]
    created = operation(client, "/heroes", "post")["responses"]
    assert created["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/HeroPublic"
    }
