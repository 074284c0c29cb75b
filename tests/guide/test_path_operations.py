"""Tutorial and reference, path operations: every method, api_route, add_api_route, names."""

from typing import Any

from tests.guide.conftest import openapi, operation
from zephyr import APIRouter, Request, Zephyr

app = Zephyr()

DOCS: dict[int, str] = {1: "first"}


@app.get("/docs-store/{doc_id}", name="read-doc")
async def read_doc(doc_id: int) -> dict[str, Any]:
    return {"doc_id": doc_id, "text": DOCS.get(doc_id)}


@app.post("/docs-store")
async def create_doc(text: str) -> int:
    DOCS[len(DOCS) + 1] = text
    return len(DOCS)


@app.put("/docs-store/{doc_id}")
async def put_doc(doc_id: int, text: str) -> str:
    DOCS[doc_id] = text
    return "put"


@app.patch("/docs-store/{doc_id}")
async def patch_doc(doc_id: int) -> str:
    return "patch"


@app.delete("/docs-store/{doc_id}")
async def delete_doc(doc_id: int) -> str:
    return "delete"


@app.options("/docs-store")
async def options_docs() -> dict[str, list[str]]:
    return {"methods": ["GET", "POST"]}


@app.head("/docs-store/{doc_id}/exists")
async def doc_exists(doc_id: int) -> None:
    return None


@app.trace("/trace")
async def trace(request: Request) -> dict[str, str]:
    return {"method": request.method}


# One operation id for both methods: the generated one would name an arbitrary method.
@app.api_route("/multi", methods=["GET", "POST"], operation_id="multi")
async def multi(request: Request) -> dict[str, str]:
    return {"method": request.method}


async def added_later(x: int = 1) -> dict[str, int]:
    return {"x": x}


app.add_api_route("/added", added_later, methods=["GET"], summary="Added by call")

legacy = APIRouter(prefix="/legacy", tags=["legacy"])


@legacy.get("/items")
async def legacy_items() -> list[int]:
    return [1]


hidden = APIRouter()


@hidden.get("/hidden")
async def hidden_route() -> str:
    return "hidden"


app.include_router(legacy, deprecated=True)
app.include_router(hidden, include_in_schema=False)


@app.get("/links")
async def links(request: Request) -> dict[str, str]:
    return {
        "path": app.url_path_for("read-doc", doc_id=3),
        "url": str(request.url_for("read-doc", doc_id=4)),
    }


def test_all_methods(client: Any) -> None:
    assert client.get("/docs-store/1").json() == {"doc_id": 1, "text": "first"}
    assert client.post("/docs-store?text=two").json() == 2
    assert client.put("/docs-store/2?text=deux").json() == "put"
    assert client.patch("/docs-store/2").json() == "patch"
    assert client.delete("/docs-store/2").json() == "delete"
    assert client.options("/docs-store").json() == {"methods": ["GET", "POST"]}
    head = client.head("/docs-store/1/exists")
    assert head.status_code == 200
    assert head.content == b""
    assert client.request("TRACE", "/trace").json() == {"method": "TRACE"}


def test_api_routes_answer_only_their_methods(client: Any) -> None:
    # Unlike plain Starlette routes, a GET path operation does not answer HEAD.
    response = client.head("/docs-store/1")
    assert response.status_code == 405
    allowed = response.headers["allow"].split(", ")
    assert allowed[0] == "GET"  # the first matching route's methods come first
    # zephyr names every route on the path (a README difference); FastAPI the first only.
    assert set(allowed) <= {"GET", "PUT", "PATCH", "DELETE"}


def test_api_route_and_add_api_route(client: Any) -> None:
    assert client.get("/multi").json() == {"method": "GET"}
    assert client.post("/multi").json() == {"method": "POST"}
    assert client.put("/multi").status_code == 405
    assert client.get("/added?x=5").json() == {"x": 5}


def test_routers_with_options(client: Any) -> None:
    assert client.get("/legacy/items").json() == [1]
    assert client.get("/hidden").json() == "hidden"


@app.get("/collections/")
async def collections() -> list[str]:
    return ["c1"]


def test_trailing_slash_redirect(client: Any) -> None:
    response = client.get("/collections?page=2", follow_redirects=False)
    assert response.status_code == 307
    # zephyr sends a same-origin path; Starlette an absolute URL: both name the same place.
    assert response.headers["location"].endswith("/collections/?page=2")
    assert client.get("/collections").json() == ["c1"]


def test_url_path_for(client: Any) -> None:
    assert client.get("/links").json() == {
        "path": "/docs-store/3",
        "url": "http://testserver/docs-store/4",
    }


def test_openapi_operations(client: Any) -> None:
    paths = openapi(client)["paths"]
    assert sorted(paths["/docs-store/{doc_id}"]) == ["delete", "get", "patch", "put"]
    assert sorted(paths["/docs-store"]) == ["options", "post"]
    assert list(paths["/docs-store/{doc_id}/exists"]) == ["head"]
    assert list(paths["/trace"]) == ["trace"]
    assert sorted(paths["/multi"]) == ["get", "post"]
    assert paths["/multi"]["get"]["operationId"] == "multi"
    assert paths["/multi"]["post"]["operationId"] == "multi"
    assert operation(client, "/added")["summary"] == "Added by call"
    assert operation(client, "/legacy/items")["deprecated"] is True
    assert "/hidden" not in paths
