"""Advanced, settings and environment variables: a cached settings dependency, overridden in tests.

pydantic-settings is not a dependency of zephyr, so the settings class here reads the
environment itself; the app-side pattern (a cached ``get_settings`` dependency that tests
override) is the one the guide teaches.
"""

import os
from functools import lru_cache
from typing import Annotated, Any

from pydantic import BaseModel, Field

from tests.guide.conftest import operation
from zephyr import Depends, Zephyr

app = Zephyr()


class Settings(BaseModel):
    app_name: str = "Inventory"
    admin_email: str = "admin@inventory.example"
    items_per_user: int = Field(50, ge=1)

    @classmethod
    def from_env(cls, prefix: str = "INVENTORY_") -> "Settings":
        values = {
            name: os.environ[prefix + name.upper()]
            for name in cls.model_fields
            if prefix + name.upper() in os.environ
        }
        return cls.model_validate(values)


@lru_cache
def get_settings() -> Settings:
    return Settings.from_env()


@app.get("/info")
async def info(settings: Annotated[Settings, Depends(get_settings)]) -> dict[str, Any]:
    return settings.model_dump()


def test_defaults_and_environment(mod: Any, client: Any, monkeypatch: Any) -> None:
    mod.get_settings.cache_clear()
    monkeypatch.delenv("INVENTORY_APP_NAME", raising=False)
    assert client.get("/info").json() == {
        "app_name": "Inventory",
        "admin_email": "admin@inventory.example",
        "items_per_user": 50,
    }
    mod.get_settings.cache_clear()
    monkeypatch.setenv("INVENTORY_APP_NAME", "Depot")
    monkeypatch.setenv("INVENTORY_ITEMS_PER_USER", "7")
    assert client.get("/info").json()["app_name"] == "Depot"
    assert client.get("/info").json()["items_per_user"] == 7
    mod.get_settings.cache_clear()


def test_override_in_tests(mod: Any, client: Any) -> None:
    mod.app.dependency_overrides[mod.get_settings] = lambda: mod.Settings(admin_email="t@x")
    try:
        assert client.get("/info").json()["admin_email"] == "t@x"
    finally:
        mod.app.dependency_overrides.clear()


def test_openapi_has_no_settings_params(client: Any) -> None:
    assert "parameters" not in operation(client, "/info")
