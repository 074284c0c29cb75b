"""OpenAPI webhooks, callbacks, ``openapi_examples`` and response titles, as on fastapi."""

from __future__ import annotations

import types
from pathlib import Path

import pytest

from tests.api.conftest import load_app, zephyr_client

SOURCE = (Path(__file__).parent / "hooks_source.py").read_text()


@pytest.fixture(scope="module", params=[True, False], ids=["separate", "shared"])
def hook_apps(request: pytest.FixtureRequest) -> tuple[types.ModuleType, types.ModuleType]:
    pytest.importorskip("fastapi")
    source = SOURCE
    if not request.param:
        source = source.replace("FastAPI()", "FastAPI(separate_input_output_schemas=False)")
    suffix = "sep" if request.param else "shared"
    return (
        load_app(source, "fastapi", f"oracle_hooks_{suffix}"),
        load_app(source, "zephyr", f"zephyr_hooks_{suffix}"),
    )


@pytest.mark.filterwarnings("ignore:Duplicate Operation ID")
def test_document_equal(hook_apps: tuple[types.ModuleType, types.ModuleType]) -> None:
    oracle, ours = hook_apps
    assert ours.app.openapi() == oracle.app.openapi()


@pytest.mark.filterwarnings("ignore:Duplicate Operation ID")  # one callback router, two routes
def test_webhooks_and_callbacks_documented_not_routed() -> None:
    ours = load_app(SOURCE, "zephyr", "zephyr_hooks_plain")
    document = ours.app.openapi()
    hook = document["webhooks"]["new-subscription"]["post"]
    assert hook["operationId"] == "new_subscriptionnew_subscription_post"
    assert hook["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Subscription"
    }
    callbacks = document["paths"]["/invoices/"]["post"]["callbacks"]
    assert list(callbacks["invoice_notification"]) == [
        "{$callback_url}/invoices/{$request.body.id}"
    ]
    assert "callbacks" in document["paths"]["/sub-invoices/"]["post"]
    assert "/new-subscription" not in document["paths"]
    client = zephyr_client(ours.app)
    assert client.post("/new-subscription", json={}).status_code == 404
    item = client.put("/items/3", json={"name": "n"})
    assert item.json() == {"item_id": 3, "item": {"name": "n", "description": None}}


@pytest.mark.filterwarnings("ignore:Duplicate Operation ID")
def test_openapi_examples_on_parameters_and_body() -> None:
    ours = load_app(SOURCE, "zephyr", "zephyr_hooks_examples")
    operation = ours.app.openapi()["paths"]["/items/{item_id}"]["put"]
    path_param, query_param = operation["parameters"]
    assert path_param["examples"] == {"one": {"summary": "One", "value": 1}}
    assert query_param["examples"]["empty"] == {"value": ""}
    media = operation["requestBody"]["content"]["application/json"]
    assert set(media["examples"]) == {"normal", "invalid"}
    assert "examples" not in media["schema"]
