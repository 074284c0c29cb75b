"""Advanced, using the Request directly: client, URL, headers, raw body next to parameters."""

from typing import Any

from tests.guide.conftest import operation
from zephyr import Request, Zephyr

app = Zephyr()


@app.post("/inspect/{part}")
async def inspect_request(part: str, request: Request) -> dict[str, Any]:
    body = await request.body()
    return {
        "part": part,
        "method": request.method,
        "path": request.url.path,
        "query": dict(request.query_params),
        "client_host": request.client.host if request.client else None,
        "agent": request.headers.get("user-agent"),
        "body_len": len(body),
        "path_params": request.path_params,
        "cookies": request.cookies,
    }


@app.get("/where", name="where-am-i")
async def where(request: Request) -> dict[str, str]:
    return {
        "self": str(request.url_for("where-am-i")),
        "base": str(request.base_url),
        "scheme": request.url.scheme,
    }


def test_request_attributes(client: Any) -> None:
    response = client.post(
        "/inspect/ab?x=1&y=2",
        content=b"raw bytes",
        headers={"user-agent": "probe", "cookie": "c=1"},
    )
    assert response.status_code == 200
    assert response.json() == {
        "part": "ab",
        "method": "POST",
        "path": "/inspect/ab",
        "query": {"x": "1", "y": "2"},
        "client_host": "testclient",
        "agent": "probe",
        "body_len": 9,
        "path_params": {"part": "ab"},
        "cookies": {"c": "1"},
    }


def test_url_helpers(client: Any) -> None:
    assert client.get("/where").json() == {
        "self": "http://testserver/where",
        "base": "http://testserver/",
        "scheme": "http",
    }


def test_openapi_ignores_request(client: Any) -> None:
    op = operation(client, "/inspect/{part}", "post")
    assert [p["name"] for p in op["parameters"]] == ["part"]
    assert "requestBody" not in op
