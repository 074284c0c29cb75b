"""Tutorial, header parameters: underscore conversion, duplicates, required headers."""

from typing import Annotated, Any

from tests.guide.conftest import operation
from zephyr import Header, Zephyr

app = Zephyr()


@app.get("/client")
async def client_info(
    user_agent: Annotated[str | None, Header()] = None,
    x_request_id: Annotated[str | None, Header()] = None,
    legacy_flag: Annotated[str | None, Header(convert_underscores=False)] = None,
) -> dict[str, Any]:
    return {"ua": user_agent, "request_id": x_request_id, "legacy": legacy_flag}


@app.get("/forwarded")
async def forwarded(x_hop: Annotated[list[str] | None, Header()] = None) -> dict[str, Any]:
    return {"hops": x_hop}


@app.get("/api-version")
async def api_version(x_api_version: Annotated[int, Header()]) -> dict[str, int]:
    return {"version": x_api_version}


def test_underscores_become_hyphens(client: Any) -> None:
    response = client.get("/client", headers={"user-agent": "probe/1", "X-Request-ID": "r9"})
    assert response.json() == {"ua": "probe/1", "request_id": "r9", "legacy": None}
    underscored = client.get("/client", headers={"x_request_id": "nope"})
    assert underscored.json()["request_id"] is None


def test_convert_underscores_off(client: Any) -> None:
    response = client.get("/client", headers={"legacy_flag": "on"})
    assert response.json()["legacy"] == "on"


def test_duplicate_headers_as_list(client: Any) -> None:
    response = client.get("/forwarded", headers=[("x-hop", "a"), ("x-hop", "b")])
    assert response.json() == {"hops": ["a", "b"]}
    assert client.get("/forwarded").json() == {"hops": None}


def test_required_header(client: Any) -> None:
    missing = client.get("/api-version")
    assert missing.status_code == 422
    assert missing.json()["detail"] == [
        {
            "type": "missing",
            "loc": ["header", "x-api-version"],
            "msg": "Field required",
            "input": None,
        }
    ]
    assert client.get("/api-version", headers={"x-api-version": "3"}).json() == {"version": 3}
    bad = client.get("/api-version", headers={"x-api-version": "three"})
    assert bad.json()["detail"][0]["loc"] == ["header", "x-api-version"]


def test_openapi_header_params(client: Any) -> None:
    params = operation(client, "/client")["parameters"]
    assert [(p["name"], p["in"]) for p in params] == [
        ("user-agent", "header"),
        ("x-request-id", "header"),
        ("legacy_flag", "header"),
    ]
    [hop] = operation(client, "/forwarded")["parameters"]
    assert hop == {
        "name": "x-hop",
        "in": "header",
        "required": False,
        "schema": {
            "anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}],
            "title": "X-Hop",
        },
    }
