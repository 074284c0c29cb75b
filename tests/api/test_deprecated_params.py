"""Deprecated parameter arguments still work and warn visibly (FastAPI's documented behaviour).

``Query(regex=...)`` is the old spelling of ``pattern=`` and ``example=`` the
old spelling of ``examples=``. Both keep working and warn with a
``UserWarning`` subclass, which Python shows by default (a plain
``DeprecationWarning`` is hidden outside ``__main__``).
"""

from __future__ import annotations

import subprocess
import sys
import warnings
from typing import Annotated

import pytest

from zephyr import Query, Request, Zephyr
from zephyr.api_exceptions import ZephyrDeprecationWarning
from zephyr.testclient import TestClient


def test_regex_warns_and_still_validates() -> None:
    app = Zephyr()
    with pytest.warns(ZephyrDeprecationWarning, match="regex"):

        @app.get("/items")
        def items(q: Annotated[str | None, Query(regex="^fixed$")] = None) -> str | None:
            return q

    client = TestClient(app)
    assert client.get("/items", params={"q": "fixed"}).json() == "fixed"
    response = client.get("/items", params={"q": "other"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "string_pattern_mismatch"


def test_example_warns() -> None:
    with pytest.warns(ZephyrDeprecationWarning, match="examples"):
        Query(example="x")


def test_the_warning_is_shown_by_default() -> None:
    assert issubclass(ZephyrDeprecationWarning, UserWarning)
    assert not issubclass(ZephyrDeprecationWarning, DeprecationWarning)
    with warnings.catch_warnings(record=True) as seen:
        warnings.resetwarnings()  # Python's defaults, without pytest's filters
        warnings.simplefilter("default")
        Query(regex="a")
    assert [w.category for w in seen] == [ZephyrDeprecationWarning]


def test_foreign_names_are_the_same_class() -> None:
    # Under compat, FastAPI's and Starlette's deprecation warnings are this class,
    # so warning filters and pytest.warns written for them catch zephyr's.
    code = """
import zephyr.compat
zephyr.compat.install()
from fastapi.exceptions import FastAPIDeprecationWarning
from starlette.exceptions import StarletteDeprecationWarning
from zephyr.api_exceptions import ZephyrDeprecationWarning
assert FastAPIDeprecationWarning is StarletteDeprecationWarning is ZephyrDeprecationWarning
print("ok")
"""
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.stdout.strip() == "ok", run.stderr


def test_app_root_path_warns_and_still_applies() -> None:
    # The root path belongs to the server (zephyr run --root-path); on the app
    # it still works, with a warning naming the server options.
    with pytest.warns(ZephyrDeprecationWarning, match="zephyr run --root-path /edge") as caught:
        app = Zephyr(root_path="/edge")
    assert caught[0].filename == __file__  # points at the caller

    @app.get("/where")
    def where(request: Request) -> str:
        return str(request.scope["root_path"])

    assert TestClient(app).get("/where").json() == "/edge"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Zephyr()  # no root path, no warning
