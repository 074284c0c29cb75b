"""An override a dependency installs replaces later dependencies of the same request.

FastAPI looks a dependency's override up when it reaches it, so a dependency
that sets (or clears) ``app.dependency_overrides`` changes what the rest of
the request runs. zephyr watches only plans with such a dependency (its code
names ``dependency_overrides``, seen when the route is compiled); every other
plan keeps its generated runner.
"""

from collections import Counter
from typing import Annotated

from zephyr import BackgroundTasks, Depends, Response, Zephyr
from zephyr.testclient import TestClient


def test_an_override_installed_mid_request_applies_to_later_dependencies() -> None:
    calls: Counter[str] = Counter()
    app = Zephyr()

    def original() -> str:
        calls["original"] += 1
        return "original"

    async def replacement() -> str:
        calls["replacement"] += 1
        return "replacement"

    def install() -> str:
        calls["install"] += 1
        app.dependency_overrides[original] = replacement
        return "installed"

    def after(installed: Annotated[str, Depends(install)]) -> str:
        calls["after"] += 1
        return installed

    tasks: list[str] = []

    @app.get("/")
    def endpoint(
        installed: Annotated[str, Depends(install)],
        value: Annotated[str, Depends(original)],
        again: Annotated[str, Depends(after)],
        response: Response,
        background: BackgroundTasks,
    ) -> list[str]:
        response.headers["x-seen"] = value
        background.add_task(tasks.append, "ran")
        return [installed, value, again]

    client = TestClient(app)
    response = client.get("/")
    assert response.json() == ["installed", "replacement", "installed"]
    assert response.headers["x-seen"] == "replacement"  # the injected Response came through
    assert tasks == ["ran"]
    # The installer ran once; ``original`` never did.
    assert calls == {"install": 1, "replacement": 1, "after": 1}
    app.dependency_overrides.clear()


def test_clearing_overrides_mid_request_restores_the_dependency() -> None:
    app = Zephyr()

    def original() -> str:
        return "original"

    def fake() -> str:
        return "fake"

    def reset() -> None:
        app.dependency_overrides.pop(original, None)

    @app.get("/")
    def endpoint(
        _: Annotated[None, Depends(reset)], value: Annotated[str, Depends(original)]
    ) -> str:
        return value

    app.dependency_overrides[original] = fake
    assert TestClient(app).get("/").json() == "original"


def test_other_plans_are_not_watched() -> None:
    app = Zephyr()

    def reader() -> str:
        return "r"

    def installer() -> None:
        app.dependency_overrides[reader] = reader

    @app.get("/plain")
    def plain(value: Annotated[str, Depends(reader)]) -> str:
        return value

    @app.get("/watched")
    def watched(_: Annotated[None, Depends(installer)]) -> str:
        return "w"

    plans = {route.path: route.plan for route in app.routes if hasattr(route, "plan")}
    assert plans["/plain"].runner.__code__.co_filename.startswith("<zephyr plan ")
    assert not plans["/watched"].runner.__code__.co_filename.startswith("<zephyr plan ")
    assert plans["/watched"].request_slot >= 0  # where the runner finds the route
    client = TestClient(app)
    assert client.get("/plain").json() == "r"
    assert client.get("/watched").json() == "w"


def test_partials_and_callable_instances_are_looked_into() -> None:
    import functools

    app = Zephyr()

    def original() -> str:
        return "original"

    def replacement() -> str:
        return "replacement"

    def install(label: str) -> None:
        app.dependency_overrides[original] = replacement

    class Installer:
        def __call__(self) -> None:
            app.dependency_overrides[original] = replacement

    @app.get("/partial")
    def by_partial(
        _: Annotated[None, Depends(functools.partial(install, "x"))],
        value: Annotated[str, Depends(original)],
    ) -> str:
        return value

    @app.get("/instance")
    def by_instance(
        _: Annotated[None, Depends(Installer())], value: Annotated[str, Depends(original)]
    ) -> str:
        return value

    client = TestClient(app)
    assert client.get("/partial").json() == "replacement"
    app.dependency_overrides.clear()
    assert client.get("/instance").json() == "replacement"
    app.dependency_overrides.clear()
