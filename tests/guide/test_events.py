"""Advanced, alternative (deprecated) events: startup and shutdown handlers."""

import warnings
from typing import Any

from tests.guide.conftest import operation
from zephyr import Zephyr

app = Zephyr()

STATE: dict[str, Any] = {"log": []}

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)

    @app.on_event("startup")
    async def load_catalogue() -> None:
        STATE["catalogue"] = {"a": "apple"}
        STATE["log"].append("startup")

    @app.on_event("shutdown")
    def close_files() -> None:
        STATE["log"].append("shutdown")


@app.get("/catalogue/{key}")
async def catalogue(key: str) -> dict[str, str]:
    return {key: STATE["catalogue"][key]}


def test_startup_and_shutdown_handlers(mod: Any, make_client: Any) -> None:
    mod.STATE["log"].clear()
    with make_client(mod.app) as client:
        assert mod.STATE["log"] == ["startup"]
        assert client.get("/catalogue/a").json() == {"a": "apple"}
    assert mod.STATE["log"] == ["startup", "shutdown"]


def test_openapi(mod: Any, make_client: Any) -> None:
    with make_client(mod.app) as client:
        assert operation(client, "/catalogue/{key}")["parameters"][0]["name"] == "key"
