"""zephyr: an async-first, FastAPI-compatible web framework with its own ASGI server."""

__version__ = "0.1.0"
