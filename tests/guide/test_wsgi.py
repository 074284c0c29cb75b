"""Advanced, including WSGI: a WSGI app mounted next to the API with WSGIMiddleware."""

from collections.abc import Callable, Iterable
from typing import Any

from tests.guide.conftest import openapi
from zephyr import Zephyr
from zephyr.middleware.wsgi import WSGIMiddleware


def legacy_wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    name = environ.get("QUERY_STRING", "").partition("=")[2] or "stranger"
    body = f"Hello, {name} from WSGI at {environ['SCRIPT_NAME']}{environ['PATH_INFO']}".encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("X-Legacy", "1")])
    return [body]


app = Zephyr()


@app.get("/v2")
async def modern() -> dict[str, str]:
    return {"message": "Hello from the API"}


app.mount("/v1", WSGIMiddleware(legacy_wsgi))


def test_wsgi_mount(client: Any) -> None:
    response = client.get("/v1/page?name=Kim")
    assert response.status_code == 200
    assert response.text == "Hello, Kim from WSGI at /v1/page"
    assert response.headers["x-legacy"] == "1"


def test_api_next_to_it(client: Any) -> None:
    assert client.get("/v2").json() == {"message": "Hello from the API"}
    assert list(openapi(client)["paths"]) == ["/v2"]
