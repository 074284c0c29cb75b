"""Parity sweep: return values, encoders, response models, responses and dependencies."""

import dataclasses
import datetime as dt
import enum
import uuid
from decimal import Decimal
from typing import Annotated, NamedTuple

from fastapi import (
    BackgroundTasks,
    Body,
    Cookie,
    Depends,
    FastAPI,
    Form,
    Header,
    Query,
    Response,
    Security,
)
from fastapi.encoders import jsonable_encoder
from fastapi.security import OAuth2PasswordBearer, SecurityScopes
from pydantic import BaseModel

events: list[str] = []


class Color(enum.Enum):
    red = "red"
    one = 1


@dataclasses.dataclass
class Point:
    x: int
    y: float = 0.5


class Pair(NamedTuple):
    a: int
    b: str


class Leaf(BaseModel):
    name: str
    size: int = 1
    note: str | None = None


class Tree(BaseModel):
    title: str
    leaves: list[Leaf] = []
    main: Leaf | None = None
    count: int = 0


VALUES = {
    "decimal": Decimal("1.10"),
    "decimal_int": Decimal("3"),
    "timedelta": dt.timedelta(days=1, seconds=3, microseconds=5),
    "datetime": dt.datetime(2024, 5, 6, 7, 8, 9, 123456),
    "aware": dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=dt.UTC),
    "date": dt.date(2024, 1, 2),
    "time": dt.time(3, 4, 5),
    "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "bytes": b"abc",
    "enum": Color.red,
    "enum_int": Color.one,
    "set": {3},
    "frozenset": frozenset({"x"}),
    "dataclass": Point(1),
    "namedtuple": Pair(1, "b"),
    "tuple": (1, "2"),
    "nested": {"k": [Decimal("2.5"), {"p": Point(2, 1.0)}]},
    "model": Leaf(name="l"),
}

app = FastAPI()


@app.get("/value/{kind}")
def value(kind: str):
    return VALUES[kind]


@app.get("/encoded/{kind}")
def encoded(kind: str):
    return jsonable_encoder(VALUES[kind])


@app.get("/encoded-options")
def encoded_options():
    tree = Tree(title="t", leaves=[Leaf(name="a", note=None)], main=None)
    return {
        "unset": jsonable_encoder(tree, exclude_unset=True),
        "none": jsonable_encoder(tree, exclude_none=True),
        "defaults": jsonable_encoder(tree, exclude_defaults=True),
        "include": jsonable_encoder(tree, include={"title"}),
        "exclude": jsonable_encoder(tree, exclude={"leaves"}),
    }


@app.get("/tree", response_model=Tree, response_model_exclude_unset=True)
def tree():
    return Tree(title="t", leaves=[Leaf(name="a"), Leaf(name="b", size=3)], main=Leaf(name="m"))


@app.get("/tree-dict", response_model=Tree, response_model_exclude_unset=True)
def tree_dict():
    return {"title": "t", "leaves": [{"name": "a"}], "main": {"name": "m", "note": None}}


@app.get("/tree-defaults", response_model=Tree, response_model_exclude_defaults=True)
def tree_defaults():
    return Tree(title="t", leaves=[Leaf(name="a", size=1)], count=0)


@app.delete("/nothing", status_code=204)
def nothing():
    return None


@app.delete("/nothing-response", status_code=204)
def nothing_response(response: Response):
    response.headers["x-deleted"] = "yes"


def note(message: str) -> None:
    events.append(message)


@app.post("/cookie-bg")
def cookie_bg(response: Response, background: BackgroundTasks):
    response.set_cookie("session", "abc", httponly=True)
    response.headers["x-extra"] = "1"
    response.status_code = 201
    background.add_task(note, "bg ran")
    return {"ok": True}


@app.get("/only-get")
def only_get():
    return "get"


def base_dep() -> str:
    return "base"


def sub_dep(base: Annotated[str, Depends(base_dep)]) -> str:
    return f"sub({base})"


@app.get("/sub")
def read_sub(value: Annotated[str, Depends(sub_dep)]):
    return value


oauth2 = OAuth2PasswordBearer(
    tokenUrl="token", scopes={"me": "Read me", "items": "Read items", "admin": "Admin"}
)


def current_user(scopes: SecurityScopes, token: Annotated[str, Depends(oauth2)]) -> dict:
    return {"token": token, "scopes": scopes.scopes, "scope_str": scopes.scope_str}


def active_user(user: Annotated[dict, Security(current_user, scopes=["me"])]) -> dict:
    return user


@app.get("/me/items")
def my_items(user: Annotated[dict, Security(active_user, scopes=["items"])]):
    return user


@app.get("/admin", dependencies=[Security(current_user, scopes=["admin"])])
def admin():
    return "admin"


class Priced(BaseModel):
    price: Decimal
    wait: dt.timedelta
    at: dt.datetime


VALUES["priced"] = Priced(price=Decimal("1.50"), wait=dt.timedelta(seconds=90), at=VALUES["aware"])
VALUES["models"] = [Leaf(name="a"), Leaf(name="b", note="n")]
VALUES["int_keys"] = {1: "a", 2: Decimal("2")}
VALUES["none"] = None
VALUES["floats"] = {"small": 1e-7, "big": 1e20, "neg": -0.0}


@app.delete("/body-204", status_code=204)
def body_204():
    return {"ignored": True}


@app.get("/status-from-param", response_model=Leaf)
def status_from_param(response: Response):
    response.status_code = 202
    response.headers["x-extra"] = "p"
    return {"name": "n", "size": 2, "extra": "dropped"}


@app.get("/response-bg")
def response_bg(background: BackgroundTasks):
    background.add_task(note, "bg2")
    return Response("raw", media_type="text/plain")


@app.get("/tree-list", response_model=list[Tree], response_model_exclude_unset=True)
def tree_list():
    return [{"title": "a", "leaves": [{"name": "x", "size": 1}]}, Tree(title="b", count=2)]


@app.post("/form-examples")
def form_examples(a: Annotated[str, Form(openapi_examples={"x": {"value": "y"}})]):
    return a


@app.post("/media-body")
def media_body(
    a: Annotated[
        Leaf,
        Body(openapi_examples={"x": {"value": {"name": "y"}}}, media_type="application/vnd+json"),
    ],
):
    return a


@app.get("/documented")
def documented(
    a: Annotated[int, Query(examples=[1, 2], deprecated=True, description="d", title="T")] = 1,
    h: Annotated[str | None, Header(include_in_schema=False)] = None,
    c: Annotated[str | None, Cookie(alias="sess")] = None,
):
    return [a, h, c]
