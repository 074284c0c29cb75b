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
    service_name: str = "Inventory"
    support_contact: str = "help@inventory.example"
    max_pallets: int = Field(12, ge=1)

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
    monkeypatch.delenv("INVENTORY_SERVICE_NAME", raising=False)
    assert client.get("/info").json() == {
        "service_name": "Inventory",
        "support_contact": "help@inventory.example",
        "max_pallets": 12,
    }
    mod.get_settings.cache_clear()
    monkeypatch.setenv("INVENTORY_SERVICE_NAME", "Depot")
    monkeypatch.setenv("INVENTORY_MAX_PALLETS", "7")
    assert client.get("/info").json()["service_name"] == "Depot"
    assert client.get("/info").json()["max_pallets"] == 7
    mod.get_settings.cache_clear()


def test_override_in_tests(mod: Any, client: Any) -> None:
    mod.app.dependency_overrides[mod.get_settings] = lambda: mod.Settings(support_contact="t@x")
    try:
        assert client.get("/info").json()["support_contact"] == "t@x"
    finally:
        mod.app.dependency_overrides.clear()


def test_openapi_has_no_settings_params(client: Any) -> None:
    assert "parameters" not in operation(client, "/info")
