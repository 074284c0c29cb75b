"""What ``zephyr run`` / ``zephyr dev`` print, as a FastAPI or Uvicorn user expects it.

Each test runs the real command in a subprocess, on real sockets.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import ROOT, ServerProcess, app_path, get_with_retry

pytestmark = pytest.mark.slow

Serve = Callable[..., ServerProcess]

LIFESPAN_APP = """\
import sys
from contextlib import asynccontextmanager
from zephyr import FastAPI

@asynccontextmanager
async def lifespan(app):
    print("LIFESPAN STARTUP", file=sys.stderr, flush=True)
    yield
    print("LIFESPAN SHUTDOWN", file=sys.stderr, flush=True)

app = FastAPI(lifespan=lifespan)
"""


def zephyr(*args: str, cwd: Path, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """Run ``python -m zephyr ARGS`` to completion; stdout and stderr together."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1", "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "zephyr", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.strip()]


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


@pytest.mark.parametrize("command", ["run", "dev"])
def test_port_in_use_names_the_address(tmp_path: Path, taken_port: int, command: str) -> None:
    (tmp_path / "main.py").write_text(LIFESPAN_APP)
    result = zephyr(
        command, "main:app", "--host", "127.0.0.1", "--port", str(taken_port), cwd=tmp_path
    )
    assert result.returncode == 1, result.stdout
    expected = (
        f"ERROR:    [Errno 98] error while attempting to bind on address "
        f"('127.0.0.1', {taken_port}): address already in use"
    )
    assert expected in lines(result), result.stdout
    # Nothing started, so nothing is shut down.
    assert "LIFESPAN" not in result.stdout
    assert "Application startup" not in result.stdout
    assert "Traceback" not in result.stdout


def test_dev_in_an_empty_folder_is_one_line(tmp_path: Path) -> None:
    result = zephyr("dev", cwd=tmp_path, timeout=20)
    assert result.returncode == 1
    assert lines(result) == [
        f'ERROR:    Error loading ASGI app. Could not find an app file in "{tmp_path}": '
        'looked for main.py, app.py, api.py there and in "app/".'
    ]


def test_dev_with_a_missing_module_fails_before_the_reloader(tmp_path: Path) -> None:
    result = zephyr("dev", "no_such_module_zz:app", cwd=tmp_path, timeout=20)
    assert result.returncode == 1
    assert lines(result) == [
        'ERROR:    Error loading ASGI app. Could not import module "no_such_module_zz".'
    ]


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("main:nope", 'Attribute "nope" not found in module "main".'),
        ("no_such_module_zz:app", 'Could not import module "no_such_module_zz".'),
        ("main", "must be in format"),
    ],
)
def test_wrong_target_is_one_line(tmp_path: Path, target: str, message: str) -> None:
    (tmp_path / "main.py").write_text("from zephyr import FastAPI\napp = FastAPI()\n")
    if target == "main":
        target = "main:app:extra"
    result = zephyr("run", target, "--port", "0", cwd=tmp_path)
    assert result.returncode == 1
    errors = [line for line in lines(result) if not line.startswith("INFO:")]
    assert len(errors) == 1, result.stdout
    assert errors[0].startswith("ERROR:    Error loading ASGI app. ")
    assert message in errors[0]
    assert "Traceback" not in result.stdout


def test_missing_import_shows_the_import_chain_only(tmp_path: Path) -> None:
    (tmp_path / "main.py").write_text(
        "from zephyr import FastAPI\nimport helpers\napp = FastAPI()\n"
    )
    (tmp_path / "helpers.py").write_text("VALUE = 1\nimport not_installed_zz\n")
    result = zephyr("run", "main:app", "--port", "0", cwd=tmp_path)
    assert result.returncode == 1
    output = result.stdout
    assert "ERROR:    Error loading ASGI app. No module named 'not_installed_zz'" in output
    chain = [line.strip() for line in output.splitlines() if line.strip().startswith("File ")]
    assert chain == [
        f'File "{tmp_path / "main.py"}", line 2, in <module>',
        f'File "{tmp_path / "helpers.py"}", line 2, in <module>',
    ]
    assert "import not_installed_zz" in output
    assert output.rstrip().endswith("ModuleNotFoundError: No module named 'not_installed_zz'")
    assert "zephyr/server" not in output and "importlib" not in output


def test_run_prints_where_the_docs_are(serve: Serve) -> None:
    server = serve("run", str(ROOT / "examples" / "main.py"))
    server.wait_for_log("Documentation at")
    assert f"INFO:     Documentation at http://127.0.0.1:{server.port}/docs" in (
        server.output().splitlines()
    )


def test_no_docs_line_without_docs(serve: Serve, tmp_path: Path) -> None:
    app = tmp_path / "nodocs.py"
    app.write_text("from zephyr import FastAPI\napp = FastAPI(docs_url=None, redoc_url=None)\n")
    for target in (str(app), app_path("basic.py")):
        server = serve("run", target)
        server.wait_for_log("(Press CTRL+C to quit)")
        assert "Documentation at" not in server.output()


def test_redoc_only_is_named(serve: Serve, tmp_path: Path) -> None:
    app = tmp_path / "redoconly.py"
    app.write_text("from zephyr import FastAPI\napp = FastAPI(docs_url=None)\n")
    server = serve("run", str(app))
    server.wait_for_log("Documentation at")
    assert f"Documentation at http://127.0.0.1:{server.port}/redoc" in server.output()


FASTAPI_NOTE = (
    "INFO:     fastapi.FastAPI app: running on zephyr's server only (FastAPI handles each "
    "request); --compat runs it on zephyr's framework"
)


def test_fastapi_source_without_compat_gets_one_note(serve: Serve) -> None:
    target = "tests.compat.apps.fastapi_app:app"
    plain = serve("run", target)
    plain.wait_for_log("(Press CTRL+C to quit)")
    assert plain.output().splitlines().count(FASTAPI_NOTE) == 1
    assert f"Documentation at http://127.0.0.1:{plain.port}/docs" in plain.output()
    compat = serve("run", "--compat", target)
    compat.wait_for_log("(Press CTRL+C to quit)")
    assert "zephyr's server only" not in compat.output()
    native = serve("run", str(ROOT / "examples" / "main.py"))
    native.wait_for_log("(Press CTRL+C to quit)")
    assert "zephyr's server only" not in native.output()


def test_access_log_carries_the_reason_phrase(serve: Serve) -> None:
    server = serve("run", str(ROOT / "examples" / "main.py"))
    with httpx.Client(timeout=10) as client:
        assert get_with_retry(client, server.url + "/").status_code == 200
        assert client.get(server.url + "/items/999").status_code == 404
    server.wait_for_log('"GET /items/999 HTTP/1.1" 404 Not Found')
    assert '"GET / HTTP/1.1" 200 OK' in server.output()
