"""dependency-injector wired into a zephyr app: ``@inject`` with ``Depends(Provide[...])``.

``@inject`` wraps each endpoint (``functools.wraps``, so the route reads the
original signature through ``__wrapped__``); the ``Provide`` marker is the
dependency FastAPI calls, and the wrapper swaps it for the provider's object.
Overriding a provider in the container changes what the next request gets.

No ``from __future__ import annotations`` here: ``@inject`` looks for its
markers in the parameters' annotations as objects, and a string
``Annotated[...]`` hides them (on FastAPI as well).
"""

import sys
from collections.abc import Iterator
from typing import Annotated

import httpx
import pytest
from dependency_injector import containers, providers
from dependency_injector.wiring import Provide, inject
from fastapi import APIRouter, Depends, FastAPI, Header, HTTPException

from .conftest import Serve


class Greeter:
    def __init__(self, template: str) -> None:
        self.template = template

    def greet(self, name: str) -> str:
        return self.template.format(name=name)


class Visits:
    def __init__(self) -> None:
        self.count = 0

    def add(self) -> int:
        self.count += 1
        return self.count


class Tokens:
    def __init__(self, users: dict[str, str]) -> None:
        self.users = users

    def user(self, token: str) -> str | None:
        return self.users.get(token)


class Container(containers.DeclarativeContainer):
    config = providers.Configuration()
    greeter = providers.Factory(Greeter, template=config.template)
    visits = providers.Singleton(Visits)
    tokens = providers.Singleton(Tokens, users=config.users)


@pytest.fixture
def container() -> Iterator[Container]:
    container = Container()
    container.config.from_dict({"template": "Hello, {name}!", "users": {"t1": "ann"}})
    yield container
    container.unwire()


def _app(container: Container) -> FastAPI:
    @inject
    def current_user(
        x_token: str = Header(), tokens: Tokens = Depends(Provide[Container.tokens])
    ) -> str:
        user = tokens.user(x_token)
        if user is None:
            raise HTTPException(401, "bad token")
        return user

    router = APIRouter()

    @router.get("/greet/{name}")
    @inject
    async def greet(
        name: str,
        loud: bool = False,
        greeter: Greeter = Depends(Provide[Container.greeter]),
    ) -> dict[str, str]:
        text = greeter.greet(name)
        return {"text": text.upper() if loud else text}

    @router.post("/visits")
    @inject
    def visit(
        visits: Annotated[Visits, Depends(Provide[Container.visits])],
        user: str = Depends(current_user),
    ) -> dict[str, object]:
        return {"user": user, "visits": visits.add()}

    app = FastAPI()
    app.container = container  # type: ignore[attr-defined]  # as the docs do
    app.include_router(router)
    container.wire(modules=[sys.modules[__name__]])
    return app


def test_providers_reach_the_endpoints(serve: Serve, container: Container) -> None:
    url = serve(_app(container))
    with httpx.Client(base_url=url) as client:
        hello = client.get("/greet/Ann")
        loud = client.get("/greet/Bob", params={"loud": True})
        bad_query = client.get("/greet/Bob", params={"loud": "maybe"})
        first = client.post("/visits", headers={"x-token": "t1"})
        second = client.post("/visits", headers={"x-token": "t1"})
        stranger = client.post("/visits", headers={"x-token": "nope"})
        no_token = client.post("/visits")
        schema = client.get("/openapi.json").json()
    assert hello.json() == {"text": "Hello, Ann!"}
    assert loud.json() == {"text": "HELLO, BOB!"}
    assert bad_query.status_code == 422
    assert bad_query.json()["detail"][0]["loc"] == ["query", "loud"]
    assert first.json() == {"user": "ann", "visits": 1}
    assert second.json() == {"user": "ann", "visits": 2}  # a Singleton: the same Visits
    assert stranger.status_code == 401
    assert no_token.status_code == 422
    assert no_token.json()["detail"][0]["loc"] == ["header", "x-token"]
    assert container.visits().count == 2
    # The injected providers are no parameters of the operations.
    greet_params = schema["paths"]["/greet/{name}"]["get"]["parameters"]
    assert {p["name"] for p in greet_params} == {"name", "loud"}
    visit_params = schema["paths"]["/visits"]["post"]["parameters"]
    assert {p["name"] for p in visit_params} == {"x-token"}
    assert "requestBody" not in schema["paths"]["/visits"]["post"]


def test_overriding_a_provider_changes_the_answer(serve: Serve, container: Container) -> None:
    url = serve(_app(container))
    fake_visits = Visits()
    fake_visits.count = 41
    with httpx.Client(base_url=url, headers={"x-token": "t2"}) as client:
        before = client.get("/greet/Ann")
        with container.greeter.override(providers.Factory(Greeter, template="Hi {name}")):
            during = client.get("/greet/Ann")
        after = client.get("/greet/Ann")
        with container.config.template.override("Bye, {name}."):
            config_override = client.get("/greet/Ann")
        container.visits.override(providers.Object(fake_visits))
        container.tokens.override(providers.Object(Tokens({"t2": "bob"})))
        visit = client.post("/visits")
        # (container.reset_override() would drop the configuration too: from_dict is an override)
        container.visits.reset_override()
        container.tokens.reset_override()
        unknown_again = client.post("/visits")
    assert before.json() == {"text": "Hello, Ann!"}
    assert during.json() == {"text": "Hi Ann"}
    assert after.json() == {"text": "Hello, Ann!"}
    assert config_override.json() == {"text": "Bye, Ann."}
    assert visit.json() == {"user": "bob", "visits": 42}
    assert fake_visits.count == 42
    assert unknown_again.status_code == 401
    assert container.visits().count == 0
