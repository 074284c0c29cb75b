"""zephyr: an async-first, FastAPI-compatible web framework with its own ASGI server."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from zephyr.server.config import Config
    from zephyr.server.main import run
    from zephyr.server.server import Server

# PERF: `import zephyr` (e.g. by a worker or the CLI) loads nothing heavy; each
# public name is imported from its module on first use.
_LAZY: dict[str, str] = {
    "Config": "zephyr.server.config",
    "Server": "zephyr.server.server",
    "run": "zephyr.server.main",
}

__all__ = ["Config", "Server", "__version__", "run"]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'zephyr' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
