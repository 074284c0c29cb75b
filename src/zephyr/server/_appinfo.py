"""What the server tells the user about the app it loaded (its docs, what runs it).

Read once at start-up from the app object, never per request. Only public
attributes that FastAPI and zephyr apps share are read (``openapi_url``,
``docs_url``, ``redoc_url``); any other ASGI app simply has none.
"""

from __future__ import annotations

from typing import Any

from zephyr.server.proxy_headers import ProxyHeadersMiddleware

__all__ = ["docs_path", "fastapi_note"]


def _unwrap(app: Any) -> Any:
    """The user's app below the wrapper the server itself added."""
    while isinstance(app, ProxyHeadersMiddleware):
        app = app.app
    return app


def docs_path(app: Any) -> str | None:
    """Return the path of the app's interactive docs page, if it has one.

    Args:
        app: The loaded app (wrapped in ``ProxyHeadersMiddleware`` or not).

    Returns:
        ``docs_url`` (Swagger UI), else ``redoc_url``, when the app serves an
        OpenAPI document; ``None`` for apps without docs or that are not
        FastAPI-style.
    """
    app = _unwrap(app)
    if not isinstance(getattr(app, "openapi_url", None), str) or not app.openapi_url:
        return None
    for name in ("docs_url", "redoc_url"):
        path = getattr(app, name, None)
        if isinstance(path, str) and path:
            return path
    return None


def fastapi_note(app: Any, compat: bool) -> str | None:
    """Return the start-up note for a real ``fastapi.FastAPI`` app run without ``--compat``.

    Args:
        app: The loaded app.
        compat: Whether ``--compat`` is on (then ``fastapi`` is zephyr's and
            no note is needed).

    Returns:
        One line saying that only the server is zephyr's and how to run the
        app on zephyr's framework, or ``None``.
    """
    if compat:
        return None
    for base in type(_unwrap(app)).__mro__:
        if base.__module__.partition(".")[0] == "fastapi":
            return (
                f"fastapi.{base.__qualname__} app: running on zephyr's server only "
                "(FastAPI handles each request); --compat runs it on zephyr's framework"
            )
    return None
