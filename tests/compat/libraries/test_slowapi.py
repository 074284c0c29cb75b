"""slowapi's rate limits on a zephyr app (the decorator form from slowapi's docs)."""

from __future__ import annotations

import httpx
from fastapi import FastAPI, Request
from slowapi import Limiter, _rate_limit_exceeded_handler
from slowapi.errors import RateLimitExceeded
from slowapi.util import get_remote_address

from .conftest import Serve


def test_a_route_over_its_limit_gets_429(serve: Serve) -> None:
    limiter = Limiter(key_func=get_remote_address)
    app = FastAPI()
    app.state.limiter = limiter
    app.add_exception_handler(RateLimitExceeded, _rate_limit_exceeded_handler)

    @app.get("/home")
    @limiter.limit("2/minute")
    async def homepage(request: Request) -> dict[str, str]:
        return {"hello": "world"}

    url = serve(app)
    with httpx.Client(base_url=url) as client:
        assert [client.get("/home").status_code for _ in range(2)] == [200, 200]
        limited = client.get("/home")
    assert limited.status_code == 429
    assert "2 per 1 minute" in limited.text
