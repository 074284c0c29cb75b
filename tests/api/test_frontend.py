"""``app.frontend()`` next to FastAPI: the same build directory and requests on both.

The source below runs on fastapi (the oracle) and on zephyr; every request of
``CASES`` must get the same status, content type, body and ``Location``.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import fastapi_client, load_app, zephyr_client

SOURCE = """
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request


def require_key(request: Request) -> None:
    if request.headers.get("x-key") == "wrong":
        raise HTTPException(status_code=401)


def build(site, admin, docs, empty):
    app = FastAPI(dependencies=[Depends(require_key)])

    @app.get("/api/users")
    def users():
        return ["ann"]

    @app.get("/api/missing")
    def missing():
        raise HTTPException(status_code=404, detail="api missing")

    app.frontend("/", directory=site, fallback="index.html")
    app.frontend("/admin", directory=admin)
    router = APIRouter(prefix="/docs")
    router.frontend("/", directory=docs, fallback="404.html")
    app.include_router(router, prefix="/v1", max_body_size=0)
    app.frontend("/empty", directory=empty, fallback=None)
    return app
"""

HTML = {"accept": "text/html"}

CASES: list[tuple[str, str, dict[str, str]]] = [
    ("GET", "/", {}),
    ("GET", "/index.html", {}),
    ("GET", "/assets/app.js", {}),
    ("HEAD", "/assets/app.js", {}),
    ("GET", "/assets/missing.js", {}),
    ("GET", "/dashboard/settings", HTML),
    ("HEAD", "/dashboard/settings", HTML),
    ("GET", "/dashboard/settings", {}),
    ("GET", "/dashboard/settings", {"accept": "*/*"}),
    ("GET", "/dashboard/settings", {"accept": "application/xhtml+xml"}),
    ("GET", "/dashboard/settings", {"accept": "text/html; q=0, */*; q=1"}),
    ("GET", "/dashboard/settings", {"accept": "text/html; charset=utf-8; q=0.5"}),
    ("GET", "/dashboard/settings", {"accept": "text/html; q=wat"}),
    ("GET", "/about", {}),
    ("GET", "/about/", {}),
    ("POST", "/assets/app.js", {}),
    ("POST", "/", {}),
    ("POST", "/about/", {}),
    ("POST", "/dashboard", HTML),
    ("DELETE", "/nothing", {}),
    ("GET", "/api/users", HTML),
    ("GET", "/api/missing", HTML),
    ("POST", "/api/users", {}),
    ("GET", "/../secret.txt", {}),
    ("GET", "/%2e%2e/secret.txt", {}),
    ("GET", "/..%2fsecret.txt", {}),
    ("GET", "/admin", HTML),
    ("GET", "/admin/settings", HTML),
    ("GET", "/admin/page.txt", {}),
    ("GET", "/administrator", HTML),
    ("GET", "/v1/docs/guide.txt", {}),
    ("GET", "/v1/docs/nowhere", HTML),
    ("GET", "/empty/nowhere", HTML),
    ("GET", "/assets/app.js", {"x-key": "wrong"}),
    ("GET", "/dashboard", {**HTML, "x-key": "wrong"}),
]


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture(scope="module")
def clients(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any]:
    pytest.importorskip("fastapi")
    root = tmp_path_factory.mktemp("frontend")
    write(root / "site" / "index.html", "<p>site</p>")
    write(root / "site" / "assets" / "app.js", "console.log(1)")
    write(root / "site" / "about" / "index.html", "about")
    write(root / "admin" / "404.html", "admin missing")
    write(root / "admin" / "page.txt", "admin page")
    write(root / "docs" / "404.html", "docs missing")
    write(root / "docs" / "guide.txt", "guide")
    (root / "empty").mkdir()
    write(root / "secret.txt", "secret")
    dirs = [root / name for name in ("site", "admin", "docs", "empty")]
    theirs = load_app(SOURCE, "fastapi", "frontend_oracle").build(*dirs)
    ours = load_app(SOURCE, "zephyr", "frontend_zephyr").build(*dirs)
    return fastapi_client(theirs), zephyr_client(ours)


def _answer(response: Any) -> tuple[Any, ...]:
    return (
        response.status_code,
        response.headers.get("content-type"),
        response.headers.get("content-length"),
        response.content,
        response.headers.get("location"),
    )


@pytest.mark.parametrize(("method", "path", "headers"), CASES)
def test_same_answer_as_fastapi(
    clients: tuple[Any, Any], method: str, path: str, headers: dict[str, str]
) -> None:
    theirs, ours = (
        client.request(method, path, headers=headers, follow_redirects=False) for client in clients
    )
    assert _answer(ours) == _answer(theirs)


def test_body_limit_of_the_inclusion(clients: tuple[Any, Any]) -> None:
    theirs, ours = (client.request("GET", "/v1/docs/guide.txt", content=b"x") for client in clients)
    assert ours.status_code == theirs.status_code == 413


def test_not_in_openapi(clients: tuple[Any, Any]) -> None:
    theirs, ours = (client.get("/openapi.json").json() for client in clients)
    assert sorted(ours["paths"]) == sorted(theirs["paths"]) == ["/api/missing", "/api/users"]


def test_files_carry_validators(clients: tuple[Any, Any]) -> None:
    _, ours = clients
    first = ours.get("/assets/app.js")
    assert "etag" in first.headers and "last-modified" in first.headers
    again = ours.get("/assets/app.js", headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304


# -- declaration-time checks ----------------------------------------------------------


def test_missing_directory_fails_outside_development(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from zephyr import FastAPI

    monkeypatch.delenv("ZEPHYR_ENV", raising=False)
    monkeypatch.delenv("FASTAPI_ENV", raising=False)
    with pytest.raises(RuntimeError, match="does not exist") as info:
        FastAPI().frontend("/", directory=tmp_path / "dist")
    assert str(tmp_path / "dist") in str(info.value)


@pytest.mark.parametrize("variable", ["ZEPHYR_ENV", "FASTAPI_ENV"])
def test_missing_directory_warns_in_development(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    from zephyr import APIRouter, FastAPI

    monkeypatch.setenv(variable, "development")
    with pytest.warns(UserWarning, match="does not exist") as caught:
        FastAPI().frontend("/", directory=tmp_path / "dist")
    assert caught[0].filename == __file__  # points at the declaring line
    with pytest.warns(UserWarning, match="does not exist") as caught:
        APIRouter().frontend("/", directory=tmp_path / "dist")
    assert caught[0].filename == __file__
    with pytest.raises(RuntimeError, match="does not exist"):
        FastAPI().frontend("/", directory=tmp_path / "dist", check_dir=True)


def test_unchecked_directory_fails_on_request(tmp_path: Path) -> None:
    from zephyr import FastAPI
    from zephyr.testclient import TestClient

    app = FastAPI()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        app.frontend("/", directory=tmp_path / "dist", check_dir=False)
    with pytest.raises(RuntimeError, match="does not exist"):
        TestClient(app).get("/app.js")


def test_missing_explicit_fallback_and_bad_settings(tmp_path: Path) -> None:
    from zephyr import FastAPI

    with pytest.raises(RuntimeError, match=r"index\.html") as info:
        FastAPI().frontend("/", directory=tmp_path, fallback="index.html")
    assert f"directory {str(tmp_path)!r}" in str(info.value)
    with pytest.raises(AssertionError, match="fallback"):
        FastAPI().frontend("/", directory=tmp_path, fallback="other")  # type: ignore[arg-type]
    with pytest.raises(AssertionError):
        FastAPI().frontend("app", directory=tmp_path)
