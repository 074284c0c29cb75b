"""Server life cycle in-process: bind, serve, graceful shutdown, failures."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import stat
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from zephyr.server.config import Config
from zephyr.server.server import Server
from zephyr.types import Receive, Scope, Send

App = Callable[[Scope, Receive, Send], Awaitable[None]]


def lifespan_app(events: list[str], fail: bool = False, sleep: float = 0.0) -> App:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                events.append(message["type"])
                if message["type"] == "lifespan.startup":
                    if fail:
                        await send({"type": "lifespan.startup.failed", "message": "no db"})
                        return
                    scope["state"]["greeting"] = "hi"
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if sleep:
            await asyncio.sleep(sleep)
        body = f"{scope['state'].get('greeting')} {scope['path']}".encode()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})

    return app


def make_config(app: Any, **kwargs: Any) -> Config:
    kwargs.setdefault("port", 0)
    kwargs.setdefault("lifespan", "on")
    return Config(app=app, **kwargs)


async def start(server: Server) -> asyncio.Task[None]:
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started or task.done():
            break
        await asyncio.sleep(0.01)
    return task


async def http_get(address: Any, path: str = "/", family: int = socket.AF_INET) -> bytes:
    if family == socket.AF_UNIX:
        reader, writer = await asyncio.open_unix_connection(address)
    else:
        reader, writer = await asyncio.open_connection(*address[:2])
    writer.write(f"GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".encode())
    data = await asyncio.wait_for(reader.read(), 10)
    writer.close()
    return data


def test_serves_on_port_zero_and_stops_on_should_exit() -> None:
    events: list[str] = []
    server = Server(make_config(lifespan_app(events), headers=[("X-Extra", "1")]))

    async def main() -> bytes:
        task = await start(server)
        assert server.started
        address = server.servers[0].sockets[0].getsockname()
        assert address[1] != 0
        response = await http_get(address, "/hello")
        server.should_exit = True
        await asyncio.wait_for(task, 5)
        return response

    response = asyncio.run(main())
    assert response.startswith(b"HTTP/1.1 200")
    assert response.endswith(b"hi /hello")  # lifespan state reached the request
    assert b"x-extra: 1" in response.lower()
    assert events == ["lifespan.startup", "lifespan.shutdown"]
    assert server.exit_code == 0
    assert server.state.default_headers == [(b"x-extra", b"1")]


def test_graceful_shutdown_finishes_in_flight_request() -> None:
    events: list[str] = []
    server = Server(make_config(lifespan_app(events, sleep=0.5)))

    async def main() -> bytes:
        task = await start(server)
        address = server.servers[0].sockets[0].getsockname()
        request = asyncio.create_task(http_get(address, "/slow"))
        while not server.state.tasks and not request.done():
            await asyncio.sleep(0.01)
        server.should_exit = True
        response = await request
        await asyncio.wait_for(task, 5)
        # Listener closed: new connections are refused.
        with pytest.raises(OSError):
            await http_get(address)
        return response

    response = asyncio.run(main())
    assert response.startswith(b"HTTP/1.1 200")
    assert events[-1] == "lifespan.shutdown"


def test_graceful_timeout_cancels_stuck_requests() -> None:
    events: list[str] = []
    server = Server(make_config(lifespan_app(events, sleep=30), timeout_graceful_shutdown=0.3))

    async def main() -> float:
        task = await start(server)
        address = server.servers[0].sockets[0].getsockname()
        request = asyncio.create_task(http_get(address, "/stuck"))
        while not server.state.tasks:
            await asyncio.sleep(0.01)
        began = time.monotonic()
        server.should_exit = True
        await asyncio.wait_for(task, 5)
        request.cancel()
        return time.monotonic() - began

    assert asyncio.run(main()) < 2.0
    assert events[-1] == "lifespan.shutdown"


def test_startup_failure_sets_exit_code_3_and_never_binds(
    caplog: pytest.LogCaptureFixture,
) -> None:
    events: list[str] = []
    server = Server(make_config(lifespan_app(events, fail=True)))
    asyncio.run(asyncio.wait_for(server.serve(), 5))
    assert server.exit_code == 3
    assert not server.started and server.servers == []
    assert "no db" in caplog.text
    assert "Application startup failed. Exiting." in caplog.text


def test_import_failure_sets_exit_code_1(caplog: pytest.LogCaptureFixture) -> None:
    server = Server(make_config("no_such_module_zz:app"))
    asyncio.run(asyncio.wait_for(server.serve(), 5))
    assert server.exit_code == 1
    assert 'Could not import module "no_such_module_zz"' in caplog.text


def test_load_error_raised_by_zephyr_is_one_line(caplog: pytest.LogCaptureFixture) -> None:
    server = Server(make_config(42))
    asyncio.run(asyncio.wait_for(server.serve(), 5))
    assert server.exit_code == 1
    [error] = [record for record in caplog.records if record.levelname == "ERROR"]
    assert error.getMessage() == (
        "Error loading ASGI app. TypeError: The application 42 is not callable (not an ASGI app)"
    )
    assert error.exc_info is None


def test_bind_failure_sets_exit_code_1_before_any_lifespan(
    caplog: pytest.LogCaptureFixture,
) -> None:
    events: list[str] = []
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = Server(make_config(lifespan_app(events), port=port))
        asyncio.run(asyncio.wait_for(server.serve(), 5))
    assert server.exit_code == 1
    # The port is taken before the app starts: no startup, so no shutdown either.
    assert events == []
    assert (
        f"error while attempting to bind on address ('127.0.0.1', {port}): address already in use"
    ) in caplog.text


def test_limit_max_requests_stops_the_server() -> None:
    server = Server(make_config(lifespan_app([]), limit_max_requests=2))

    async def main() -> None:
        task = await start(server)
        address = server.servers[0].sockets[0].getsockname()
        for _ in range(2):
            assert (await http_get(address)).startswith(b"HTTP/1.1 200")
        await asyncio.wait_for(task, 5)  # exits by itself

    asyncio.run(main())
    assert server.exit_code == 0


def test_unix_socket(tmp_path: Path) -> None:
    path = str(tmp_path / "z.sock")
    Path(path).write_bytes(b"")  # a stale regular file must not be clobbered
    server = Server(make_config(lifespan_app([]), uds=path))
    asyncio.run(asyncio.wait_for(server.serve(), 5))
    assert server.exit_code == 1
    os.unlink(path)
    # A stale *socket* file is replaced.
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(path)
    stale.close()
    server = Server(make_config(lifespan_app([]), uds=path))

    async def main() -> bytes:
        task = await start(server)
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o666
        response = await http_get(path, "/u", family=socket.AF_UNIX)
        server.should_exit = True
        await asyncio.wait_for(task, 5)
        return response

    assert asyncio.run(main()).endswith(b"hi /u")
    assert not os.path.exists(path)


def test_serve_on_given_socket() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    port = sock.getsockname()[1]
    server = Server(make_config(lifespan_app([])))

    async def main() -> bytes:
        task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started:
            await asyncio.sleep(0.01)
        response = await http_get(("127.0.0.1", port))
        server.should_exit = True
        await asyncio.wait_for(task, 5)
        return response

    assert asyncio.run(main()).startswith(b"HTTP/1.1 200")


def test_signals_first_graceful_second_sigint_forces() -> None:
    server = Server(make_config(lifespan_app([])))
    server.handle_exit(signal.SIGTERM, None)
    assert server.should_exit and not server.force_exit
    server.handle_exit(signal.SIGTERM, None)
    assert not server.force_exit
    server.handle_exit(signal.SIGINT, None)
    assert server.force_exit


def test_sigterm_to_self_triggers_graceful_shutdown() -> None:
    events: list[str] = []
    server = Server(make_config(lifespan_app(events)))
    previous = signal.getsignal(signal.SIGTERM)

    async def main() -> None:
        task = await start(server)
        os.kill(os.getpid(), signal.SIGTERM)
        await asyncio.wait_for(task, 5)

    asyncio.run(main())
    assert events == ["lifespan.startup", "lifespan.shutdown"]
    assert signal.getsignal(signal.SIGTERM) == previous  # handler restored


def test_reload_filter_includes_and_excludes() -> None:
    from zephyr.server.reload import ReloadFilter

    default = ReloadFilter()
    assert default(None, "/src/app/main.py")
    assert not default(None, "/src/app/main.pyc")
    assert not default(None, "/src/app/.hidden.py")
    assert not default(None, "/src/__pycache__/x.py")
    assert not default(None, "/src/templates/page.html")
    custom = ReloadFilter(includes=["*.html"], excludes=["skip_*"])
    assert custom(None, "/src/templates/page.html")
    assert not custom(None, "/src/skip_me.py")


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """serve_config() configures the zephyr loggers globally: undo it."""
    names = ("zephyr.error", "zephyr.access")
    saved = {n: (logging.getLogger(n).handlers[:], logging.getLogger(n).level) for n in names}
    yield
    for name, (handlers, level) in saved.items():
        logger = logging.getLogger(name)
        logger.handlers, logger.propagate, logger.disabled = handlers, True, False
        logger.setLevel(level)


def test_reload_and_run_require_import_string_for_reload(
    restore_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    from zephyr.server.main import run, serve_config
    from zephyr.server.reload import ChangeReload

    with pytest.raises(ValueError, match="import string"):
        ChangeReload(Config(app=lifespan_app([]), reload=True), [])
    assert serve_config(Config(app=lifespan_app([]), reload=True, use_colors=False)) == 1
    assert "ERROR:    You must pass the application as an import string" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        run(lifespan_app([], fail=True), port=0, lifespan="on", log_level="critical")
    assert exit_info.value.code == 3
    with pytest.raises(TypeError):
        run(lifespan_app([]), no_such_option=True)
