"""A 200 MiB multipart upload to a real zephyr process: the server's memory stays flat."""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.e2e.conftest import ServerProcess, app_path, get_with_retry

pytestmark = pytest.mark.slow

MiB = 1 << 20
UPLOAD_SIZE = 200 * MiB
RSS_LIMIT_KIB = 100 * 1024
BOUNDARY = "e2e-upload-boundary"


def status_kib(pid: int, field: str) -> int:
    """A ``/proc/<pid>/status`` memory field (``VmRSS``, ``VmHWM``) in KiB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError(f"{field} not in /proc/{pid}/status")


def multipart_stream(digest: hashlib._Hash) -> Iterator[bytes]:
    """Yield a multipart body with a note field and a 200 MiB file, 1 MiB at a time."""
    yield (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    block = os.urandom(MiB)
    for i in range(UPLOAD_SIZE // MiB):
        chunk = i.to_bytes(8, "big") + block[8:]  # no two chunks alike
        digest.update(chunk)
        yield chunk
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


@pytest.mark.timeout(180)
def test_200_mib_upload_keeps_server_rss_under_100_mib(
    serve: Callable[..., ServerProcess],
) -> None:
    server = serve("run", app_path("upload.py"))
    pid = server.proc.pid
    samples: list[int] = []
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            samples.append(status_kib(pid, "VmRSS"))

    with httpx.Client(base_url=server.url, timeout=120) as client:
        get_with_retry(client, server.url + "/docs")
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        digest = hashlib.sha256()
        try:
            response = client.post(
                "/upload",
                content=multipart_stream(digest),
                headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
            )
        finally:
            done.set()
            sampler.join(5)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["pid"] == pid  # measured the process that parsed the upload
    assert result["size"] == UPLOAD_SIZE
    assert result["sha256"] == digest.hexdigest()
    assert result["note"] == "hello"
    assert result["filename"] == "big.bin"
    assert result["on_disk"] is True
    peak = status_kib(pid, "VmHWM")  # the kernel's own high-water mark for the process
    assert samples, "no RSS samples taken"
    assert max(samples) < RSS_LIMIT_KIB
    assert peak < RSS_LIMIT_KIB, f"peak RSS {peak} KiB"
    print(f"upload: peak RSS {peak // 1024} MiB, sampled max {max(samples) // 1024} MiB")
