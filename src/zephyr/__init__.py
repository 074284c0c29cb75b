"""zephyr: an async-first, FastAPI-compatible web framework with its own ASGI server.

The top-level names mirror ``fastapi``'s. They load lazily so that
``import zephyr`` stays cheap (the server and the CLI don't need Pydantic).

Where things live (``docs/architecture.md`` has the full map and one request's
path through the files). Three layers, each importing only those below it:

* the API layer (FastAPI's part): ``Zephyr`` in ``applications.py``,
  ``APIRoute`` in ``_api/route.py``, ``APIRouter`` in ``_api/routing.py``,
  dependency plans in ``dependencies/``, ``openapi/``, ``security/``;
* the toolkit (Starlette's part): ``BaseApp`` in ``_app.py``, ``Router`` and
  ``Route`` in ``routing.py``, ``Request``/``Response`` in ``requests.py`` /
  ``responses.py``, ``middleware/``, and in ``_native.py`` the rules for when
  the server's whole-response shortcut applies;
* the server (Uvicorn's part): ``server/``, which runs any ASGI app.

Exceptions: ``exceptions.py`` (``HTTPException``, ``WebSocketException``),
``api_exceptions.py`` (validation errors), ``exception_handlers.py`` (the API
layer's default handlers), ``_exception_handlers.py`` (handler lookup).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from zephyr import status as status
    from zephyr._api.routing import APIRouter as APIRouter
    from zephyr.applications import Zephyr as FastAPI
    from zephyr.applications import Zephyr as Zephyr
    from zephyr.background import BackgroundTasks as BackgroundTasks
    from zephyr.datastructures import UploadFile as UploadFile
    from zephyr.exceptions import HTTPException as HTTPException
    from zephyr.exceptions import WebSocketException as WebSocketException
    from zephyr.param_functions import Body as Body
    from zephyr.param_functions import Cookie as Cookie
    from zephyr.param_functions import Depends as Depends
    from zephyr.param_functions import File as File
    from zephyr.param_functions import Form as Form
    from zephyr.param_functions import Header as Header
    from zephyr.param_functions import Path as Path
    from zephyr.param_functions import Query as Query
    from zephyr.param_functions import Security as Security
    from zephyr.requests import Request as Request
    from zephyr.responses import Response as Response
    from zephyr.server.main import run as run
    from zephyr.websockets import WebSocket as WebSocket
    from zephyr.websockets import WebSocketDisconnect as WebSocketDisconnect

_LAZY = {
    "Zephyr": ("zephyr.applications", "Zephyr"),
    "FastAPI": ("zephyr.applications", "Zephyr"),
    "APIRouter": ("zephyr._api.routing", "APIRouter"),
    "BackgroundTasks": ("zephyr.background", "BackgroundTasks"),
    "UploadFile": ("zephyr.datastructures", "UploadFile"),
    "HTTPException": ("zephyr.exceptions", "HTTPException"),
    "WebSocketException": ("zephyr.exceptions", "WebSocketException"),
    "Body": ("zephyr.param_functions", "Body"),
    "Cookie": ("zephyr.param_functions", "Cookie"),
    "Depends": ("zephyr.param_functions", "Depends"),
    "File": ("zephyr.param_functions", "File"),
    "Form": ("zephyr.param_functions", "Form"),
    "Header": ("zephyr.param_functions", "Header"),
    "Path": ("zephyr.param_functions", "Path"),
    "Query": ("zephyr.param_functions", "Query"),
    "Security": ("zephyr.param_functions", "Security"),
    "Request": ("zephyr.requests", "Request"),
    "Response": ("zephyr.responses", "Response"),
    "run": ("zephyr.server.main", "run"),
    "WebSocket": ("zephyr.websockets", "WebSocket"),
    "WebSocketDisconnect": ("zephyr.websockets", "WebSocketDisconnect"),
}

__all__ = [
    "APIRouter",
    "BackgroundTasks",
    "Body",
    "Cookie",
    "Depends",
    "FastAPI",
    "File",
    "Form",
    "HTTPException",
    "Header",
    "Path",
    "Query",
    "Request",
    "Response",
    "Security",
    "UploadFile",
    "WebSocket",
    "WebSocketDisconnect",
    "WebSocketException",
    "Zephyr",
    "run",
    "status",
]


def __getattr__(name: str) -> Any:
    """Import a public name on first use (PEP 562)."""
    if name == "status":
        return importlib.import_module("zephyr.status")
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'zephyr' has no attribute {name!r}")
    value = getattr(importlib.import_module(target[0]), target[1])
    globals()[name] = value
    return value
