"""The peers' virtualenv: pinned competitors plus zephyr from this checkout, apart from .venv.

Every server the suite starts runs on this one interpreter with one Pydantic,
so stacks differ only in framework and server. The venv lives in
``benchmarks/.venv-peers`` (``BENCH_PEERS_VENV`` overrides it) and is
re-created when ``benchmarks/requirements-peers.txt`` or ``pyproject.toml``
changes; zephyr is installed editable, so source edits need no re-install.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "benchmarks" / "requirements-peers.txt"
VENV = Path(os.environ.get("BENCH_PEERS_VENV", ROOT / "benchmarks" / ".venv-peers"))
_STAMP = ".requirements-sha256"


def _wanted() -> str:
    digest = hashlib.sha256()
    for path in (REQUIREMENTS, ROOT / "pyproject.toml"):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def python() -> Path:
    """Path of the peers' interpreter (it may not exist yet)."""
    return VENV / "bin" / "python"


def ensure() -> Path:
    """Create or refresh the peers virtualenv; return its interpreter.

    Returns:
        ``benchmarks/.venv-peers/bin/python``.

    Raises:
        SystemExit: ``venv`` or ``pip`` failed (pip's output is shown).
    """
    stamp = VENV / _STAMP
    want = _wanted()
    if python().exists() and stamp.exists() and stamp.read_text().strip() == want:
        return python()
    started = time.monotonic()
    print(f"peers venv: creating {VENV} (pinned peers from {REQUIREMENTS.name})", flush=True)
    if VENV.exists():
        shutil.rmtree(VENV)
    _run([sys.executable, "-m", "venv", str(VENV)])
    _run([str(python()), "-m", "pip", "install", "-q", "-r", str(REQUIREMENTS), "-e", str(ROOT)])
    stamp.write_text(want + "\n")
    print(f"peers venv: ready in {time.monotonic() - started:.0f} s", flush=True)
    return python()


@functools.cache
def compiled_core(interpreter: Path) -> Path:
    """Build (or reuse) zephyr's compiled server core for ``interpreter``; return its tree.

    Runs ``scripts/build_core.py`` with that interpreter (the peers venv has
    mypy for it), which rebuilds only when a source changed and says where
    the tree of that interpreter is.

    Returns:
        The tree to put first on ``PYTHONPATH`` (``build/compiled-<tag>``).
    """
    build_core = [str(interpreter), str(ROOT / "scripts" / "build_core.py")]
    _run(build_core)
    where = subprocess.run([*build_core, "--where"], capture_output=True, text=True, check=True)
    return Path(where.stdout.strip())


def _run(argv: list[str]) -> None:
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(
            f"{' '.join(argv)} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
        )


def versions(interpreter: Path) -> dict[str, str]:
    """Installed versions of the packages that matter to the comparison."""
    names = [
        "zephyr",
        "fastapi",
        "starlette",
        "uvicorn",
        "granian",
        "litestar",
        "blacksheep",
        "flask",
        "gunicorn",
        "pydantic",
        "pydantic-core",
        "uvloop",
        "httptools",
        "asyncpg",
        "psycopg",
    ]
    code = (
        "import importlib.metadata as m, json, sys\n"
        "out = {}\n"
        "for n in sys.argv[1:]:\n"
        "    try: out[n] = m.version(n)\n"
        "    except m.PackageNotFoundError: pass\n"
        "print(json.dumps(out))\n"
    )
    done = subprocess.run([str(interpreter), "-c", code, *names], capture_output=True, text=True)
    found: dict[str, str] = json.loads(done.stdout or "{}")
    found["python"] = subprocess.run(
        [str(interpreter), "-c", "import platform; print(platform.python_version())"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    return found
