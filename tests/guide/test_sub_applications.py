"""Advanced, sub applications: a mounted API with its own docs and OpenAPI."""

from typing import Any

from tests.guide.conftest import openapi
from zephyr import Request, Zephyr

app = Zephyr(title="Main")


@app.get("/app")
async def main_route() -> dict[str, str]:
    return {"message": "main app"}


subapi = Zephyr(title="Sub")


@subapi.get("/sub")
async def sub_route(request: Request) -> dict[str, Any]:
    return {"message": "sub app", "root_path": request.scope["root_path"]}


app.mount("/subapi", subapi)


def test_both_apps_answer(client: Any) -> None:
    assert client.get("/app").json() == {"message": "main app"}
    assert client.get("/subapi/sub").json() == {"message": "sub app", "root_path": "/subapi"}


def test_separate_openapi_documents(client: Any) -> None:
    main = openapi(client)
    assert main["info"]["title"] == "Main"
    assert list(main["paths"]) == ["/app"]
    sub = client.get("/subapi/openapi.json").json()
    assert sub["info"]["title"] == "Sub"
    assert list(sub["paths"]) == ["/sub"]
    assert sub["servers"] == [{"url": "/subapi"}]


def test_sub_docs_point_at_sub_openapi(client: Any) -> None:
    docs = client.get("/subapi/docs")
    assert docs.status_code == 200
    assert "/subapi/openapi.json" in docs.text
