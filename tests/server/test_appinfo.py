"""What the server says about the app it loaded (zephyr.server._appinfo)."""

from __future__ import annotations

from typing import Any

import fastapi
import pytest

from zephyr import FastAPI
from zephyr.server._appinfo import docs_path, fastapi_note
from zephyr.server.proxy_headers import ProxyHeadersMiddleware


async def plain_asgi(scope: Any, receive: Any, send: Any) -> None:  # pragma: no cover
    pass


@pytest.mark.parametrize(
    ("app", "path"),
    [
        (FastAPI(), "/docs"),
        (FastAPI(docs_url="/api-docs"), "/api-docs"),
        (FastAPI(docs_url=None), "/redoc"),
        (FastAPI(docs_url=None, redoc_url=None), None),
        (FastAPI(openapi_url=None), None),
        (fastapi.FastAPI(), "/docs"),
        (ProxyHeadersMiddleware(FastAPI(redoc_url=None), "127.0.0.1"), "/docs"),
        (plain_asgi, None),
    ],
)
def test_docs_path(app: Any, path: str | None) -> None:
    assert docs_path(app) == path


def test_fastapi_note_only_for_real_fastapi_without_compat() -> None:
    class Custom(fastapi.FastAPI):
        pass

    real = ProxyHeadersMiddleware(Custom(), "127.0.0.1")
    note = fastapi_note(real, compat=False)
    assert note is not None
    assert note.startswith("fastapi.FastAPI app: running on zephyr's server only")
    assert note.endswith("--compat runs it on zephyr's framework")
    assert fastapi_note(real, compat=True) is None
    assert fastapi_note(FastAPI(), compat=False) is None
    assert fastapi_note(plain_asgi, compat=False) is None
