"""The user-guide corpus: one module per FastAPI tutorial / advanced-guide topic.

Every module defines its own small example apps with ``from zephyr import ...`` and
tests them through ``TestClient``: status, body and the relevant part of
``/openapi.json``. Each test runs twice, on zephyr and on the same source rewritten
to ``fastapi`` (the behavioural oracle, see ``conftest.py``);
``test_openapi_parity.py`` then compares every app's whole OpenAPI document, and
``test_compat_corpus.py`` runs the FastAPI-import variants on zephyr through
``zephyr.compat``.
"""
