"""Fixtures for the API-layer satellite tests (security, OpenAPI models, docs pages)."""

from __future__ import annotations

import pytest

from zephyr.openapi.docs import DocsStaticFiles, docs_static_app


@pytest.fixture(scope="module")
def static_app() -> DocsStaticFiles:
    """The docs asset app over the vendored files (loaded bytes are cached per module)."""
    return docs_static_app()
