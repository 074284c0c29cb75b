"""Advanced middleware: GZip, TrustedHost, HTTPS redirect and sessions via add_middleware."""

from typing import Any

from tests.guide.conftest import operation
from zephyr import Request, Zephyr
from zephyr.middleware.gzip import GZipMiddleware
from zephyr.middleware.httpsredirect import HTTPSRedirectMiddleware
from zephyr.middleware.sessions import SessionMiddleware
from zephyr.middleware.trustedhost import TrustedHostMiddleware

app = Zephyr()
app.add_middleware(GZipMiddleware, minimum_size=500, compresslevel=5)
app.add_middleware(TrustedHostMiddleware, allowed_hosts=["testserver", "*.example.com"])
secure = Zephyr()
secure.add_middleware(HTTPSRedirectMiddleware)
with_session = Zephyr()
with_session.add_middleware(SessionMiddleware, secret_key="guide-secret", max_age=600)


@app.get("/big")
async def big() -> dict[str, str]:
    return {"text": "z" * 2000}


@app.get("/small")
async def small() -> dict[str, str]:
    return {"text": "z"}


@secure.get("/account")
async def account() -> dict[str, bool]:
    return {"secure": True}


@with_session.get("/visit")
async def visit(request: Request) -> dict[str, int]:
    request.session["visits"] = request.session.get("visits", 0) + 1
    return {"visits": request.session["visits"]}


def test_gzip(client: Any) -> None:
    response = client.get("/big", headers={"accept-encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.json() == {"text": "z" * 2000}
    small_response = client.get("/small", headers={"accept-encoding": "gzip"})
    assert "content-encoding" not in small_response.headers


def test_trusted_host(client: Any) -> None:
    assert client.get("/small", headers={"host": "api.example.com"}).status_code == 200
    refused = client.get("/small", headers={"host": "evil.test"})
    assert refused.status_code == 400
    assert refused.text.startswith("Invalid host header")


def test_https_redirect(mod: Any, make_client: Any) -> None:
    client = make_client(mod.secure)
    response = client.get("/account?x=1", follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == "https://testserver/account?x=1"
    assert make_client(mod.secure, base_url="https://testserver").get("/account").json() == {
        "secure": True
    }


def test_sessions(mod: Any, make_client: Any) -> None:
    client = make_client(mod.with_session)
    assert client.get("/visit").json() == {"visits": 1}
    assert client.get("/visit").json() == {"visits": 2}
    assert "httponly" in client.get("/visit").headers["set-cookie"].lower()


def test_openapi_unaffected(client: Any) -> None:
    assert operation(client, "/big")["operationId"] == "big_big_get"
