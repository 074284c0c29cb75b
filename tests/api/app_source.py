"""One FastAPI-style app, run unchanged on fastapi and (imports swapped) on zephyr.

The comparison tests exec this file's text twice: as written, and with
``fastapi`` replaced by ``zephyr``; both apps must answer identically.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from fastapi import (
    APIRouter,
    BackgroundTasks,
    Body,
    Cookie,
    Depends,
    FastAPI,
    File,
    Form,
    Header,
    HTTPException,
    Path,
    Query,
    Response,
    UploadFile,
)
from pydantic import BaseModel, Field

app = FastAPI()
events: list[str] = []


class Color(str, Enum):  # noqa: UP042 - the FastAPI docs idiom
    red = "red"
    blue = "blue"


class Item(BaseModel):
    name: str
    price: float = Field(gt=0)
    tags: list[str] = []
    description: str | None = None


class UserIn(BaseModel):
    username: str
    password: str
    full_name: str | None = None


class UserOut(BaseModel):
    username: str
    full_name: str | None = None


@app.get("/items/{item_id}")
def read_item(item_id: int, q: str | None = None, limit: int = 10):
    return {"item_id": item_id, "q": q, "limit": limit}


@app.post("/items", status_code=201)
async def create_item(item: Item) -> Item:
    return item


@app.put("/items/{item_id}")
async def update_item(
    item_id: Annotated[int, Path(ge=1, le=1000)],
    item: Item,
    user: UserOut,
    importance: Annotated[int, Body(gt=0)],
):
    return {"item_id": item_id, "item": item, "user": user, "importance": importance}


@app.post("/embed")
async def embed(item: Annotated[Item, Body(embed=True)]):
    return item


@app.post("/scalar-body")
async def scalar_body(n: Annotated[int, Body()]):
    return n * 2


@app.get("/colors/{color}")
async def color(color: Color):
    return {"color": color, "is_red": color is Color.red}


@app.get("/files/{file_path:path}")
async def file_path(file_path: str):
    return {"file_path": file_path}


@app.get("/search")
async def search(
    q: Annotated[str, Query(min_length=3, max_length=10, pattern="^[a-z]+$")],
    tags: Annotated[list[str], Query()] = [],  # noqa: B006
    page: Annotated[int, Query(alias="p", ge=1)] = 1,
    flag: bool = False,
    ratio: float | None = None,
):
    return {"q": q, "tags": tags, "page": page, "flag": flag, "ratio": ratio}


@app.get("/headers")
async def headers(
    user_agent: Annotated[str | None, Header()] = None,
    x_token: Annotated[list[str], Header()] = [],  # noqa: B006
    strange_header: Annotated[str | None, Header(convert_underscores=False)] = None,
    session: Annotated[str | None, Cookie()] = None,
    count: Annotated[int, Cookie()] = 0,
):
    return [user_agent, x_token, strange_header, session, count]


@app.post("/users", response_model=UserOut)
async def create_user(user: UserIn):
    return user


@app.get("/exclude", response_model=Item, response_model_exclude_unset=True)
async def exclude_unset():
    return Item(name="a", price=1.5)


@app.get("/exclude-none", response_model=Item, response_model_exclude_none=True)
async def exclude_none():
    return {"name": "a", "price": 2, "tags": ["x"]}


@app.get("/bad-response", response_model=Item)
async def bad_response():
    return {"name": "a"}


@app.delete("/items/{item_id}", status_code=204)
async def delete_item(item_id: int) -> None:
    return None


@app.get("/teapot")
async def teapot(response: Response):
    response.status_code = 418
    response.headers["x-extra"] = "yes"
    response.set_cookie("c", "v")
    return {"short": "stout"}


@app.get("/raw")
async def raw():
    return Response(content="raw!", media_type="text/plain", headers={"x-raw": "1"})


@app.get("/fail/{code}")
async def fail(code: int):
    raise HTTPException(status_code=code, detail={"code": code}, headers={"x-code": str(code)})


# Dependencies: a three-level chain with caching, a class, yield and sync functions.


def level_one(q: str | None = None) -> str:
    events.append("one")
    return q or "none"


async def level_two(one: Annotated[str, Depends(level_one)], skip: int = 0) -> dict:
    events.append("two")
    return {"one": one, "skip": skip}


async def level_three(
    two: Annotated[dict, Depends(level_two)], again: Annotated[str, Depends(level_one)]
) -> dict:
    events.append("three")
    return {**two, "again": again}


@app.get("/deps")
async def deps(value: Annotated[dict, Depends(level_three)]):
    return value


class Pagination:
    def __init__(self, offset: int = 0, size: Annotated[int, Query(le=100)] = 10):
        self.offset = offset
        self.size = size


@app.get("/page")
def page(p: Annotated[Pagination, Depends()]):
    return {"offset": p.offset, "size": p.size}


async def session_dep():
    events.append("open")
    try:
        yield {"db": True}
    except HTTPException:
        events.append("saw-http-exception")
        raise
    finally:
        events.append("close")


def sync_gen_dep():
    events.append("sync-open")
    yield 7
    events.append("sync-close")


@app.get("/session")
async def use_session(
    db: Annotated[dict, Depends(session_dep)],
    n: Annotated[int, Depends(sync_gen_dep)],
    fail: bool = False,
):
    if fail:
        raise HTTPException(400, "asked to fail")
    return {"db": db, "n": n}


def verify_token(x_key: Annotated[str | None, Header()] = None) -> None:
    if x_key != "secret":
        raise HTTPException(status_code=401, detail="bad key")


@app.get("/guarded", dependencies=[Depends(verify_token)])
async def guarded(n: int):
    return n


def counter(request_id: Annotated[str, Header()] = "-") -> list[str]:
    events.append("counter")
    return [request_id]


@app.get("/nocache")
async def nocache(
    a: Annotated[list, Depends(counter)],
    b: Annotated[list, Depends(counter, use_cache=False)],
):
    return [a, b]


def write_log(message: str) -> None:
    events.append(message)


@app.post("/notify/{email}")
async def notify(email: str, tasks: BackgroundTasks):
    tasks.add_task(write_log, f"sent:{email}")
    return {"message": "queued"}


@app.post("/form")
async def form(username: Annotated[str, Form()], age: Annotated[int, Form()] = 0):
    return {"username": username, "age": age}


@app.post("/upload")
async def upload(
    file: UploadFile,
    raw: Annotated[bytes, File()],
    note: Annotated[str, Form()] = "",
):
    content = await file.read()
    return {"filename": file.filename, "size": len(content), "raw": len(raw), "note": note}


router = APIRouter(prefix="/admin", tags=["admin"], dependencies=[Depends(verify_token)])


@router.get("/stats")
async def stats():
    return {"ok": True}


app.include_router(router, prefix="/v1")
