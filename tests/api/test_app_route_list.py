"""``app.routes`` lists what FastAPI's does; zephyr's docs assets route is served unlisted.

Libraries read and copy ``app.routes`` (fastapi-versioning appends every
route of the app, by its ``methods``, to a new app per version): an extra
entry of zephyr's own, an ASGI route with ``methods`` ``None``, broke them.
"""

from __future__ import annotations

from zephyr import FastAPI
from zephyr.openapi.docs import DOCS_STATIC_PATH, DOCS_STATIC_ROUTE_NAME
from zephyr.testclient import TestClient

ASSET = DOCS_STATIC_PATH + "/swagger-ui-dist@5.35.0/swagger-ui.css"


def test_a_new_app_lists_fastapis_four_routes() -> None:
    app = FastAPI()
    listed = [(route.path, route.methods) for route in app.routes]  # type: ignore[attr-defined]
    assert listed == [
        ("/openapi.json", ["GET", "HEAD"]),
        ("/docs", ["GET", "HEAD"]),
        ("/docs/oauth2-redirect", ["GET", "HEAD"]),
        ("/redoc", ["GET", "HEAD"]),
    ]


def test_the_assets_are_served_and_named_though_unlisted() -> None:
    app = FastAPI()

    @app.get("/items")
    async def items() -> list[int]:
        return [1]

    client = TestClient(app)
    assert client.get(ASSET).status_code == 200
    assert client.get("/items").json() == [1]
    assert app.url_path_for(DOCS_STATIC_ROUTE_NAME, path="a.js") == DOCS_STATIC_PATH + "/a.js"
    assert "/_zephyr" not in str(client.get("/openapi.json").json()["paths"])


def test_the_assets_outlive_edits_of_the_route_list() -> None:
    app = FastAPI()
    client = TestClient(app)
    assert client.get(ASSET).status_code == 200
    kept = [route for route in app.routes if route.path != "/redoc"]  # type: ignore[attr-defined]
    app.router.routes = kept
    assert client.get("/redoc").status_code == 404
    assert client.get(ASSET).status_code == 200
    app.router.routes.clear()
    assert client.get(ASSET).status_code == 200


def test_routes_copied_into_another_app_leave_its_assets_alone() -> None:
    # fastapi-versioning's way: every route of one app appended to another.
    source = FastAPI()

    @source.get("/items")
    async def items() -> list[int]:
        return [2]

    target = FastAPI(docs_url=None, redoc_url=None)
    for route in source.routes:
        assert route.methods  # type: ignore[attr-defined]
        target.router.routes.append(route)
    client = TestClient(target)
    assert client.get("/items").json() == [2]
    # The target has no docs page of its own, so no assets route.
    assert client.get(ASSET).status_code == 404
