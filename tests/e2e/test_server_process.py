"""The zephyr server as a real process over real sockets (httpx and h11 clients)."""

from __future__ import annotations

import os
import signal
import socket
import ssl
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import h11
import httpx
import pytest
import trustme

from tests.e2e.conftest import ServerProcess, app_path, get_with_retry, pids_seen

pytestmark = pytest.mark.slow

Serve = Callable[..., ServerProcess]


def h11_request(conn: h11.Connection, sock: socket.socket, target: str) -> tuple[int, bytes]:
    sock.sendall(conn.send(h11.Request(method="GET", target=target, headers=[("Host", "t")])))
    sock.sendall(conn.send(h11.EndOfMessage()))
    status, body = 0, b""
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA:
            conn.receive_data(sock.recv(65536))
        elif isinstance(event, h11.Response):
            status = event.status_code
        elif isinstance(event, h11.Data):
            body += event.data
        elif isinstance(event, h11.EndOfMessage):
            conn.start_next_cycle()
            return status, body


def test_keep_alive_reuses_one_connection(serve: Serve) -> None:
    server = serve("run", app_path("basic.py"))
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        conn = h11.Connection(h11.CLIENT)
        answers = [h11_request(conn, sock, f"/pid?n={i}") for i in range(3)]
    assert [status for status, _ in answers] == [200, 200, 200]
    assert len({body for _, body in answers}) == 1
    # The lifespan state reached every request: started_by is the worker pid.
    pid, started_by = answers[0][1].split()
    assert pid == started_by
    output = server.output()
    for line in (
        "Started server process [",
        "Waiting for application startup.",
        "Application startup complete.",
        "(Press CTRL+C to quit)",
    ):
        assert line in output
    assert '"GET /pid?n=0 HTTP/1.1" 200' in output  # access log


def test_sigterm_drains_in_flight_requests_then_exits_0(serve: Serve) -> None:
    server = serve("run", app_path("basic.py"))
    with httpx.Client(timeout=10) as client:
        assert get_with_retry(client, server.url + "/pid").status_code == 200

    def slow(_: int) -> int:
        with httpx.Client(timeout=15) as client:
            return client.get(server.url + "/sleep?s=2").status_code

    with ThreadPoolExecutor(5) as pool:
        futures = [pool.submit(slow, i) for i in range(5)]
        # Signal once all five are inside the app (a fixed sleep raced a slow
        # or traced server process).
        with httpx.Client(timeout=10) as client:
            deadline = time.monotonic() + 10
            while client.get(server.url + "/inflight").text != "5":
                assert time.monotonic() < deadline, "the five requests never reached the app"
                time.sleep(0.01)
        server.signal(signal.SIGTERM)
        statuses = [f.result(timeout=20) for f in futures]
    assert statuses == [200] * 5
    assert server.wait(15) == 0
    output = server.output()
    assert "Shutting down" in output
    assert "lifespan shutdown ran in" in output
    assert "Application shutdown complete." in output
    assert "Finished server process [" in output


def test_startup_failure_exits_3_with_app_message(serve: Serve) -> None:
    server = serve("run", app_path("failing.py"))
    assert server.wait(15) == 3
    output = server.output()
    assert "cannot reach the database" in output
    assert "Application startup failed. Exiting." in output


def test_workers_startup_failure_exits_3(serve: Serve) -> None:
    server = serve("run", app_path("failing.py"), "--workers", "2")
    assert server.wait(20) == 3
    assert "cannot reach the database" in server.output()


def test_two_workers_kill_one_then_sigterm(serve: Serve) -> None:
    server = serve("run", app_path("basic.py"), "--workers", "2")
    server.wait_for_log("Application startup complete.", count=2)
    assert "Started parent process [" in server.output()
    pids = pids_seen(server.url, 2)
    victim = min(pids)
    os.kill(victim, signal.SIGKILL)
    server.wait_for_log(f"Child process [{victim}] died unexpectedly")
    server.wait_for_log("Application startup complete.", count=3)
    new_pids = pids_seen(server.url, 2, exclude={victim})
    assert victim not in new_pids
    assert len(new_pids - pids) == 1
    server.signal(signal.SIGTERM)
    assert server.wait(20) == 0
    output = server.output()
    assert "Waiting for child process [" in output
    assert output.count("Application shutdown complete.") >= 2


def test_sighup_rolling_restart_keeps_serving(serve: Serve) -> None:
    server = serve("run", app_path("basic.py"), "--workers", "2")
    server.wait_for_log("Application startup complete.", count=2)
    old = pids_seen(server.url, 2)
    failures: list[str] = []
    statuses: list[int] = []
    stop = time.monotonic() + 30

    def hammer() -> None:
        # A fresh connection per request: an idle keep-alive connection closed by
        # a retiring worker races with the client's next request (as with any
        # server; clients retry those), which is not what is measured here.
        with httpx.Client(timeout=10, headers={"Connection": "close"}) as client:
            while time.monotonic() < stop and len(statuses) < 10_000:
                try:
                    statuses.append(client.get(server.url + "/pid").status_code)
                except httpx.HTTPError as exc:
                    failures.append(repr(exc))
                if stop_event:
                    return

    stop_event: list[bool] = []
    with ThreadPoolExecutor(2) as pool:
        running = [pool.submit(hammer) for _ in range(2)]
        server.signal(signal.SIGHUP)
        server.wait_for_log("Application startup complete.", count=4, timeout=20)
        server.wait_for_log("Application shutdown complete.", count=2, timeout=20)
        stop_event.append(True)
        for future in running:
            future.result(timeout=20)
    assert failures == []
    assert statuses and set(statuses) == {200}
    new = pids_seen(server.url, 2)
    assert not new & old


def test_tls_end_to_end(serve: Serve, tmp_path: Path) -> None:
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    certfile, keyfile = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.private_key_pem.write_to_path(str(keyfile))
    cert.cert_chain_pems[0].write_to_path(str(certfile))
    for extra in cert.cert_chain_pems[1:]:
        extra.write_to_path(str(certfile), append=True)
    server = serve(
        "run", app_path("basic.py"), "--ssl-certfile", str(certfile), "--ssl-keyfile", str(keyfile)
    )
    context = ssl.create_default_context()
    ca.configure_trust(context)
    with httpx.Client(verify=context, timeout=10) as client:
        response = get_with_retry(client, f"https://127.0.0.1:{server.port}/scheme")
    assert response.status_code == 200
    assert response.text == "https"
    assert "Zephyr running on https://127.0.0.1:" in server.output()
    with httpx.Client(timeout=5) as plain, pytest.raises(httpx.HTTPError):
        plain.get(f"http://127.0.0.1:{server.port}/scheme")


def test_unix_domain_socket(serve: Serve, tmp_path: Path) -> None:
    path = str(tmp_path / "zephyr.sock")
    server = serve("run", app_path("basic.py"), "--uds", path, uds=path)
    server.wait_for_log("Zephyr running on unix socket")
    transport = httpx.HTTPTransport(uds=path)
    with httpx.Client(transport=transport, timeout=10) as client:
        response = client.get("http://zephyr/scheme")
    assert response.status_code == 200
    assert response.text == "http"
    server.signal(signal.SIGTERM)
    assert server.wait(15) == 0
    assert not os.path.exists(path)


def test_reload_serves_new_code(serve: Serve, tmp_path: Path) -> None:
    app_file = tmp_path / "reload_app.py"
    template = (
        "async def app(scope, receive, send):\n"
        "    await send({'type': 'http.response.start', 'status': 200, 'headers': []})\n"
        "    await send({'type': 'http.response.body', 'body': b'%s'})\n"
    )
    app_file.write_text(template % "one")
    server = serve("dev", str(app_file), "--reload-dir", str(tmp_path), "--lifespan", "off")
    with httpx.Client(timeout=10) as client:
        assert get_with_retry(client, server.url).text == "one"
        server.wait_for_log("Started reloader process [")
        time.sleep(0.5)  # let the watcher settle before the edit
        app_file.write_text(template % "two")
        deadline = time.monotonic() + 20
        text = "one"
        while text != "two" and time.monotonic() < deadline:
            time.sleep(0.2)
            text = get_with_retry(client, server.url).text
    assert text == "two"
    assert "Reloading..." in server.output()
    server.signal(signal.SIGTERM)
    assert server.wait(15) == 0
