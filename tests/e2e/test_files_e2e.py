"""Files over real sockets: range and traversal tables on the wire, a 1 GiB resumable download."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

import h11
import httpx
import pytest

from tests.e2e.conftest import ServerProcess, app_path, get_with_retry
from tests.toolkit.test_fileresponse import BAD, DATA, RANGE_VECTORS
from tests.toolkit.test_staticfiles import TRAVERSAL_VECTORS, build_tree

pytestmark = pytest.mark.slow

Serve = Callable[..., ServerProcess]
GIB = 1024**3
MIB = 1024**2


class RawClient:
    """One keep-alive connection driven by h11 (strict about the server's framing)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.conn = h11.Connection(h11.CLIENT)

    def request(
        self, target: bytes, headers: list[tuple[bytes, bytes]] = (), method: bytes = b"GET"
    ) -> tuple[int, dict[bytes, bytes], bytes]:
        if self.conn.our_state is h11.MUST_CLOSE or self.conn.their_state is h11.MUST_CLOSE:
            self.reconnect()
        request = h11.Request(method=method, target=target, headers=[(b"host", b"t"), *headers])
        self.sock.sendall(self.conn.send(request) + self.conn.send(h11.EndOfMessage()))
        status, response_headers, body = 0, {}, b""
        while True:
            event = self.conn.next_event()
            if event is h11.NEED_DATA:
                self.conn.receive_data(self.sock.recv(1 << 20))
            elif isinstance(event, h11.Response):
                status = event.status_code
                response_headers = dict(event.headers)
            elif isinstance(event, h11.Data):
                body += event.data
            elif isinstance(event, h11.EndOfMessage):
                if self.conn.our_state is h11.DONE and self.conn.their_state is h11.DONE:
                    self.conn.start_next_cycle()
                return status, response_headers, body

    def reconnect(self) -> None:
        self.sock.close()
        self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        self.conn = h11.Connection(h11.CLIENT)

    def healthy(self) -> None:
        status, _, body = self.request(b"/health")
        assert status == 200
        assert b'"pid"' in body

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def files_server(serve: Serve, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ServerProcess:
    root = build_tree(tmp_path)
    (root / "data.bin").write_bytes(DATA)
    monkeypatch.setenv("ZEPHYR_E2E_FILES", str(root))
    server = serve("run", app_path("files_app.py"))
    with httpx.Client(timeout=10) as client:
        assert get_with_retry(client, server.url + "/health").status_code == 200
    return server


def test_range_table_on_the_wire(files_server: ServerProcess) -> None:
    client = RawClient(files_server.port)
    try:
        for value, expected in RANGE_VECTORS:
            # Leading/trailing whitespace is OWS on the wire: parsers drop it.
            header = value.strip(" \t").encode("latin-1")
            status, headers, body = client.request(b"/file/data.bin", [(b"range", header)])
            if expected == BAD:
                assert status == 400, value
            elif expected is None:
                assert (status, body) == (200, DATA), value
            elif expected == []:
                assert status == 416, value
                assert headers[b"content-range"] == b"bytes */1000"
            elif len(expected) == 1:
                start, stop = expected[0]
                assert (status, body) == (206, DATA[start:stop]), value
            else:
                assert status == 206, value
                assert headers[b"content-type"].startswith(b"multipart/byteranges")
                for start, stop in expected:
                    assert (
                        b"bytes %d-%d/1000\r\n\r\n" % (start, stop - 1) + DATA[start:stop] in body
                    )
            client.healthy()  # the same connection still serves
    finally:
        client.close()


def test_conditional_and_head_on_the_wire(files_server: ServerProcess) -> None:
    client = RawClient(files_server.port)
    try:
        status, headers, body = client.request(b"/static/a.txt")
        assert (status, body) == (200, b"hello")
        etag = headers[b"etag"]
        status, _, body = client.request(b"/static/a.txt", [(b"if-none-match", etag)])
        assert (status, body) == (304, b"")
        status, headers, body = client.request(b"/static/a.txt", method=b"HEAD")
        assert (status, headers[b"content-length"], body) == (200, b"5", b"")
        status, _, body = client.request(b"/static/a.txt", [(b"range", b"bytes=-2")])
        assert (status, body) == (206, b"lo")
        client.healthy()
    finally:
        client.close()


def test_traversal_table_on_the_wire(files_server: ServerProcess) -> None:
    client = RawClient(files_server.port)
    try:
        for target in TRAVERSAL_VECTORS:
            status, _, body = client.request(target.encode("latin-1"))
            assert status == 404, target
            assert b"SECRET" not in body
            client.healthy()
        status, _, body = client.request(b"/static/sub/b.txt")
        assert (status, body) == (200, b"bee")
    finally:
        client.close()


def _make_sparse(path: Path, markers: dict[int, bytes]) -> None:
    with path.open("wb") as f:
        f.truncate(GIB)
        for offset, mark in markers.items():
            f.seek(offset)
            f.write(mark)


class RssSampler(threading.Thread):
    """Samples a process's VmRSS (bytes) every 20 ms until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.samples = 0
        self.done = threading.Event()

    def read(self) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise AssertionError("no VmRSS")

    def run(self) -> None:
        while not self.done.wait(0.02):
            self.peak = max(self.peak, self.read())
            self.samples += 1


def _check_markers(chunk: bytes, position: int, markers: dict[int, bytes], found: set[int]) -> None:
    end = position + len(chunk)
    for offset, mark in markers.items():
        if position <= offset and offset + len(mark) <= end:
            index = offset - position
            assert chunk[index : index + len(mark)] == mark, offset
            found.add(offset)


@pytest.mark.timeout(120)  # ~5-10 s on loopback; room for a loaded CI machine
def test_one_gib_sparse_download_interrupted_and_resumed(
    serve: Serve, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    markers = {
        offset: b"MARK%016d" % offset
        for offset in (0, 4096 * 7 + 3, 300 * MIB + 11, 600 * MIB + 5, GIB - 20)
    }
    _make_sparse(tmp_path / "big.bin", markers)
    monkeypatch.setenv("ZEPHYR_E2E_FILES", str(tmp_path))
    server = serve("run", app_path("files_app.py"))
    url = server.url + "/file/big.bin"
    found: set[int] = set()
    with httpx.Client(timeout=30) as client:
        pid = get_with_retry(client, server.url + "/health").json()["pid"]
        assert pid == server.proc.pid
        sampler = RssSampler(pid)
        baseline = sampler.read()
        sampler.start()
        started = time.monotonic()
        position = 0
        # The first half, then the client drops the connection mid-body.
        with client.stream("GET", url) as response:
            assert response.status_code == 200
            assert response.headers["content-length"] == str(GIB)
            assert response.headers["accept-ranges"] == "bytes"
            etag = response.headers["etag"]
            for chunk in response.iter_raw(1 << 20):
                if position + len(chunk) > GIB // 2:
                    chunk = chunk[: GIB // 2 - position]
                _check_markers(chunk, position, markers, found)
                position += len(chunk)
                if position >= GIB // 2:
                    break
        assert position == GIB // 2
        # Resume where it stopped, guarded by If-Range.
        headers = {"range": f"bytes={position}-", "if-range": etag}
        with client.stream("GET", url, headers=headers) as response:
            assert response.status_code == 206
            assert response.headers["content-range"] == f"bytes {position}-{GIB - 1}/{GIB}"
            assert response.headers["content-length"] == str(GIB - position)
            for chunk in response.iter_raw(1 << 20):
                _check_markers(chunk, position, markers, found)
                position += len(chunk)
        elapsed = time.monotonic() - started
        sampler.done.set()
        sampler.join()
        # The server is still fine.
        assert client.get(server.url + "/health").status_code == 200
    assert position == GIB
    assert found == set(markers)
    assert sampler.samples > 0
    print(f"peak RSS {sampler.peak / MIB:.1f} MiB (baseline {baseline / MIB:.1f}), {elapsed:.1f} s")
    assert sampler.peak < 100 * MIB, (sampler.peak, baseline)
