"""The HTTP client library the test client is built on: httpx2 when installed, else httpx.

Starlette 1.10's ``TestClient`` is an ``httpx2.Client`` whenever httpx2 is
installed (``starlette[full]`` and ``fastapi[standard]`` both bring it), so tests
written for it pass httpx2 objects (``httpx2.BasicAuth``, ``httpx2.Timeout``) and
catch httpx2 exceptions; zephyr's client must be built on the same library to
accept them. Without httpx2 it is built on httpx, the library zephyr's
``standard`` extra installs. httpx2 keeps httpx's API, so one code path serves
both; it is type-checked against httpx.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx
else:
    try:
        import httpx2 as httpx
    except ImportError:
        import httpx

__all__ = ["httpx"]
