"""Quick probe: zephyr's HttpProtocol vs uvicorn on a raw ASGI hello app.

Usage: ``python benchmarks/_protocol_probe.py [seconds]`` (needs /usr/bin/wrk).
Runs each server pinned to CPU 0 and wrk pinned to CPU 1, prints requests/s.
Not the benchmark harness; a sanity check for the protocol's hot path.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time

HELLO = """
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"Hello, world!"})
"""

ZEPHYR = (
    HELLO
    + """
import asyncio, functools, sys, uvloop
from zephyr.server.config import Config
from zephyr.server.protocol import HttpProtocol
from zephyr.server.state import ServerState

async def main(port):
    loop = asyncio.get_running_loop()
    config = Config(app=app, access_log=False)
    factory = functools.partial(HttpProtocol, config=config, app=app, state=ServerState(),
                                app_state={}, loop=loop)
    server = await loop.create_server(factory, "127.0.0.1", port, backlog=2048)
    async with server:
        await server.serve_forever()

uvloop.run(main(int(sys.argv[1])))
"""
)

# The whole zephyr server (adds its proxy-headers middleware, like uvicorn's default).
ZEPHYR_SERVER = (
    HELLO
    + """
import sys
from zephyr.server.main import run
run(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=False, log_level="warning")
"""
)

UVICORN = (
    HELLO
    + """
import sys, uvicorn
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), http="httptools", loop="uvloop",
            access_log=False, log_level="warning")
"""
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(port: int) -> None:
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("server did not start")


def run(name: str, code: str, seconds: int) -> float:
    port = _free_port()
    proc = subprocess.Popen(
        ["taskset", "-c", "0", sys.executable, "-c", code, str(port)], stderr=subprocess.PIPE
    )
    try:
        _wait(port)
        url = f"http://127.0.0.1:{port}/"
        subprocess.run(
            ["taskset", "-c", "1", "wrk", "-t1", "-c64", "-d1s", url],
            capture_output=True,
            check=True,
        )
        out = subprocess.run(
            ["taskset", "-c", "1", "wrk", "-t1", "-c64", f"-d{seconds}s", url],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        proc.terminate()
        proc.wait()
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    rps = float(match.group(1)) if match else 0.0
    print(f"{name:8} {rps:10.0f} req/s")
    return rps


def main() -> None:
    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    ratios = []
    for _ in range(rounds):
        z = run("protocol", ZEPHYR, seconds)
        s = run("zephyr", ZEPHYR_SERVER, seconds)
        u = run("uvicorn", UVICORN, seconds)
        ratios.append(z / u if u else 0.0)
        print(f"ratio    protocol {ratios[-1]:.2f}x  server {s / u if u else 0.0:.2f}x")


if __name__ == "__main__":
    main()
