"""TestClient as an HTTP client: the library it is built on, its default headers, ``timeout=``."""

from __future__ import annotations

import importlib.util
import sys
import types
import warnings
from typing import Any

import httpx
import pytest

from zephyr import _testclient_lib
from zephyr.api_exceptions import ZephyrDeprecationWarning
from zephyr.requests import Request
from zephyr.responses import JSONResponse
from zephyr.testclient import TestClient


async def headers_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await JSONResponse(Request(scope, receive).headers.items())(scope, receive, send)


def fresh_library_module() -> types.ModuleType:
    """Run ``zephyr._testclient_lib`` anew (the imported one keeps its first choice)."""
    spec = importlib.util.find_spec("zephyr._testclient_lib")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_built_on_httpx2_when_it_is_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    stand_in = types.ModuleType("httpx2")
    monkeypatch.setitem(sys.modules, "httpx2", stand_in)
    assert fresh_library_module().httpx is stand_in


def test_built_on_httpx_without_httpx2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "httpx2", None)  # None in sys.modules: ImportError
    assert fresh_library_module().httpx is httpx


def test_the_client_is_a_client_of_the_chosen_library() -> None:
    library = _testclient_lib.httpx
    client = TestClient(headers_app)
    assert isinstance(client, library.Client)
    assert isinstance(client.get("/"), library.Response)


def test_default_headers_are_the_librarys_with_the_testclient_user_agent() -> None:
    # Accept-Encoding lists what the library can decode (zstd with httpx2[zstd]),
    # as Starlette's client sends it; the client adds only its User-Agent.
    library_defaults = _testclient_lib.httpx.Client().headers
    sent = TestClient(headers_app).get("/").json()
    assert sent == [
        ["host", "testserver"],
        ["accept", "*/*"],
        ["accept-encoding", library_defaults["accept-encoding"]],
        ["connection", "keep-alive"],
        ["user-agent", "testclient"],
    ]
    assert TestClient(headers_app, headers={"user-agent": "mine"}).get("/").json()[-1] == [
        "user-agent",
        "mine",
    ]


@pytest.mark.parametrize("timeout", [1, 5.0, None, httpx.Timeout(2.0)])
def test_a_timeout_argument_warns_and_the_request_still_runs(timeout: Any) -> None:
    client = TestClient(headers_app)
    with pytest.warns(ZephyrDeprecationWarning, match="'timeout' argument") as record:
        response = client.get("/", timeout=timeout)
    assert response.status_code == 200
    assert record[0].filename == __file__  # the warning points at the test's call
    with pytest.warns(ZephyrDeprecationWarning, match="'timeout' argument"):
        client.request("POST", "/", timeout=timeout)


def test_no_timeout_argument_no_warning() -> None:
    client = TestClient(headers_app)
    client.timeout = httpx.Timeout(3.0)  # the client's own setting is not an argument
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert client.get("/").status_code == 200
        with client.stream("GET", "/", timeout=1) as response:  # as Starlette's: stream() is quiet
            assert response.status_code == 200
