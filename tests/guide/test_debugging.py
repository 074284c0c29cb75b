"""Tutorial, debugging: the app served by a real server on a loopback socket.

FastAPI's guide runs ``uvicorn.run(app)`` under ``if __name__ == "__main__"``; zephyr's
equivalent is ``zephyr.run(app)``. The test serves the app (either framework's) with
zephyr's server on an ephemeral port and talks to it with a real HTTP client.
"""

import asyncio
from typing import Any

import httpx

from zephyr import Zephyr
from zephyr.server.config import Config
from zephyr.server.server import Server

app = Zephyr()


@app.get("/")
def root(a: str = "x", b: int = 1) -> dict[str, Any]:
    c = a * b  # a line to stop a debugger on
    return {"c": c}


if __name__ == "__main__":  # pragma: no cover - what the tutorial shows
    import zephyr

    zephyr.run(app, host="127.0.0.1", port=8000)


def test_served_over_a_real_socket(mod: Any) -> None:
    server = Server(
        Config(app=mod.app, host="127.0.0.1", port=0, lifespan="on", log_level="warning")
    )

    async def main() -> list[httpx.Response]:
        task = asyncio.create_task(server.serve())
        for _ in range(500):
            if server.started or task.done():
                break
            await asyncio.sleep(0.01)
        assert server.started
        host, port = server.servers[0].sockets[0].getsockname()[:2]
        try:
            async with httpx.AsyncClient(base_url=f"http://{host}:{port}", timeout=10) as client:
                return [
                    await client.get("/?a=ab&b=3"),
                    await client.get("/?b=oops"),
                    await client.get("/openapi.json"),
                ]
        finally:
            server.should_exit = True
            await asyncio.wait_for(task, 10)

    ok, invalid, doc = asyncio.run(main())
    assert ok.status_code == 200
    assert ok.json() == {"c": "ababab"}
    assert invalid.status_code == 422
    assert invalid.json()["detail"][0]["loc"] == ["query", "b"]
    assert doc.json()["paths"]["/"]["get"]["operationId"] == "root__get"
