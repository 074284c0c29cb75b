"""Advanced, response cookies and headers: via a Response parameter or a returned response."""

from typing import Any

from tests.guide.conftest import operation
from zephyr import Response, Zephyr
from zephyr.responses import JSONResponse

app = Zephyr()


@app.post("/login")
async def login(response: Response, remember: bool = False) -> dict[str, str]:
    response.set_cookie(
        key="session",
        value="abc123",
        httponly=True,
        samesite="strict",
        max_age=3600 if remember else None,
    )
    response.headers["X-Login"] = "ok"
    return {"status": "logged in"}


@app.post("/logout")
async def logout() -> JSONResponse:
    response = JSONResponse({"status": "logged out"})
    response.delete_cookie("session")
    response.headers["Cache-Control"] = "no-store"
    return response


@app.get("/theme")
async def theme(response: Response) -> dict[str, str]:
    response.set_cookie("theme", "dark", path="/settings", secure=True)
    response.set_cookie("lang", "en")
    return {"theme": "dark"}


def test_cookie_via_response_parameter(client: Any) -> None:
    response = client.post("/login")
    assert response.status_code == 200
    assert response.json() == {"status": "logged in"}
    assert response.headers["x-login"] == "ok"
    cookie = response.headers["set-cookie"]
    assert cookie == "session=abc123; HttpOnly; Path=/; SameSite=strict"
    remembered = client.post("/login?remember=true").headers["set-cookie"]
    assert "Max-Age=3600" in remembered


def test_cookie_on_returned_response(client: Any) -> None:
    response = client.post("/logout")
    assert response.json() == {"status": "logged out"}
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["set-cookie"].startswith('session=""; expires=')
    assert "Max-Age=0" in response.headers["set-cookie"]


def test_several_cookies(client: Any) -> None:
    cookies = client.get("/theme").headers.get_list("set-cookie")
    assert cookies == [
        "theme=dark; Path=/settings; SameSite=lax; Secure",
        "lang=en; Path=/; SameSite=lax",
    ]


def test_openapi_hides_response_param(client: Any) -> None:
    op = operation(client, "/login", "post")
    assert [p["name"] for p in op["parameters"]] == ["remember"]
