"""OpenAPI documents must equal the ones fastapi generates for the same source."""

from __future__ import annotations

import types
from pathlib import Path

import pytest

from tests.api.conftest import fastapi_client, load_app, zephyr_client

SECURITY_SOURCE = (Path(__file__).parent / "security_source.py").read_text()


@pytest.fixture(scope="module")
def secure_apps() -> tuple[types.ModuleType, types.ModuleType]:
    return (
        load_app(SECURITY_SOURCE, "fastapi", "oracle_secure"),
        load_app(SECURITY_SOURCE, "zephyr", "zephyr_secure"),
    )


def test_main_app_document_equal(apps: tuple[types.ModuleType, types.ModuleType]) -> None:
    oracle, ours = apps
    assert ours.app.openapi() == oracle.app.openapi()


def test_security_app_document_equal(
    secure_apps: tuple[types.ModuleType, types.ModuleType],
) -> None:
    oracle, ours = secure_apps
    document = ours.app.openapi()
    assert document == oracle.app.openapi()
    assert "/api/hidden" not in document["paths"]
    assert (
        document["paths"]["/me"]["get"]["description"] == "Return the current user.\n\nMore text."
    )


def test_openapi_route_serves_cached_document(
    apps: tuple[types.ModuleType, types.ModuleType],
) -> None:
    oracle, ours = apps
    response = zephyr_client(ours.app).get("/openapi.json")
    assert response.status_code == 200
    assert response.json() == fastapi_client(oracle.app).get("/openapi.json").json()
    assert ours.app.openapi() is ours.app.openapi()


@pytest.mark.parametrize(
    ("url", "headers"),
    [
        ("/me", {}),
        ("/me", {"authorization": "Bearer me"}),
        ("/me", {"authorization": "Basic me"}),
        ("/api/items/", {"authorization": "Bearer me"}),
        ("/api/items/", {"authorization": "Bearer me,items"}),
        ("/api/hidden", {}),
    ],
)
def test_security_responses_equal(
    secure_apps: tuple[types.ModuleType, types.ModuleType], url: str, headers: dict[str, str]
) -> None:
    oracle, ours = secure_apps
    expected = fastapi_client(oracle.app).get(url, headers=headers)
    actual = zephyr_client(ours.app).get(url, headers=headers)
    assert (actual.status_code, actual.json()) == (expected.status_code, expected.json())
    assert actual.headers.get("www-authenticate") == expected.headers.get("www-authenticate")


def test_openapi_url_none_disables_routes() -> None:
    from zephyr import FastAPI

    app = FastAPI(openapi_url=None)
    client = zephyr_client(app)
    assert client.get("/openapi.json").status_code == 404
    assert client.get("/docs").status_code == 404
