"""OpenAPI support: document models, docs pages and their offline assets.

The document builder (``zephyr.openapi.utils.get_openapi``) lives beside
these modules; nothing is imported here so that ``import zephyr.openapi``
stays cheap.
"""
