"""The server + framework combinations compared, as command lines for the peers' interpreter.

Every stack is one server process (gunicorn and granian fork their workers
from it) pinned to one core. Placeholders: ``{python}`` is the peers'
interpreter, ``{port}`` the port to bind.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# Large enough for the 10,000-connection test (the kernel caps it at somaxconn).
BACKLOG = "16384"
_DB = frozenset({"db", "queries", "fortunes", "updates"})
_TECHEMPOWER = frozenset({"plaintext", "pipelined", "json"}) | _DB
_API_NO_DEPS = frozenset({"params", "post"})
_IO = frozenset({"io-1k", "io-10k"})


def command(line: str) -> tuple[str, ...]:
    """Split a command line written as one string (``{backlog}`` filled in now)."""
    return tuple(line.replace("{backlog}", BACKLOG).split())


def _uvicorn(app: str) -> tuple[str, ...]:
    return command(
        f"{{python}} -m uvicorn {app} --host 127.0.0.1 --port {{port}} --loop uvloop "
        "--http httptools --no-access-log --log-level warning --backlog {backlog}"
    )


def _gunicorn(options: str) -> tuple[str, ...]:
    return command(
        f"{{python}} -m gunicorn {options} --bind 127.0.0.1:{{port}} --backlog {{backlog}} "
        "--log-level warning benchmarks.apps.flask_app:app"
    )


# zephyr on its own server with the access log off (the pure and compiled stacks).
_ZEPHYR_NO_LOG = command(
    "{python} -m zephyr run benchmarks.apps.zephyr_api:app --host 127.0.0.1 "
    "--port {port} --no-access-log --log-level warning --backlog {backlog}"
)


@dataclass(frozen=True)
class Stack:
    """One server + app combination.

    Args:
        key: Short name for ``--stacks`` and the JSON results.
        name: Label in tables and charts.
        argv: Command line with ``{python}`` / ``{port}`` placeholders.
        tests: Test names the stack serves; ``None`` means all of them.
        role: ``zephyr`` (the subject), ``peer`` (compared with) or ``ceiling``.
        compiled: Run on zephyr's compiled server core (``scripts/build_core.py``
            builds it for the peers' interpreter; its tree goes first on
            ``PYTHONPATH``).
    """

    key: str
    name: str
    argv: tuple[str, ...]
    tests: frozenset[str] | None = None
    role: str = "peer"
    compiled: bool = False

    def serves(self, test: str) -> bool:
        return self.tests is None or test in self.tests


STACKS: tuple[Stack, ...] = (
    Stack("zephyr", "zephyr (own server)", _ZEPHYR_NO_LOG, role="zephyr"),
    Stack(
        "zephyr-compiled",
        "zephyr (own server, compiled core)",
        _ZEPHYR_NO_LOG,
        role="zephyr",
        compiled=True,
    ),
    Stack(
        "zephyr-log",
        "zephyr (own server, default logging)",
        # What a user runs without options: access log on, INFO level (lines
        # go to the server's stdout, which the harness sends to /dev/null).
        command(
            "{python} -m zephyr run benchmarks.apps.zephyr_api:app --host 127.0.0.1 "
            "--port {port} --backlog {backlog}"
        ),
        role="zephyr",
    ),
    Stack(
        "zephyr-uvicorn",
        "zephyr on uvicorn",
        _uvicorn("benchmarks.apps.zephyr_api:app"),
        role="zephyr",
    ),
    Stack("fastapi-uvicorn", "FastAPI on uvicorn", _uvicorn("benchmarks.apps.fastapi_api:app")),
    Stack(
        "fastapi-granian",
        "FastAPI on granian",
        command(
            "{python} -m granian --interface asgi --host 127.0.0.1 --port {port} --workers 1 "
            "--loop uvloop --no-ws --log-level warning --backlog {backlog} "
            "benchmarks.apps.fastapi_api:app"
        ),
    ),
    Stack(
        "starlette",
        "Starlette on uvicorn",
        _uvicorn("benchmarks.apps.starlette_app:app"),
        tests=_TECHEMPOWER | _API_NO_DEPS | _IO,
    ),
    Stack("litestar", "Litestar on uvicorn", _uvicorn("benchmarks.apps.litestar_app:app")),
    Stack(
        "blacksheep",
        "BlackSheep on uvicorn",
        _uvicorn("benchmarks.apps.blacksheep_app:app"),
        tests=_TECHEMPOWER | _API_NO_DEPS | _IO,
    ),
    Stack(
        "flask",
        "Flask on gunicorn (3 sync workers)",
        _gunicorn("--workers 3 --worker-class sync"),
        tests=_TECHEMPOWER | _API_NO_DEPS,
    ),
    Stack(
        "flask-threads",
        "Flask on gunicorn (3 workers x 64 threads)",
        _gunicorn("--workers 3 --worker-class gthread --threads 64"),
        tests=_IO,
    ),
    Stack(
        "raw",
        "raw uvloop+httptools, fixed bytes (ceiling)",
        command("{python} -m benchmarks.apps.raw_protocol --port {port}"),
        tests=frozenset({"plaintext", "pipelined", "json"}),
        role="ceiling",
    ),
)
STACK_KEYS = tuple(s.key for s in STACKS)
ZEPHYR_KEYS = frozenset(s.key for s in STACKS if s.role == "zephyr")
#: The reference every zephyr figure is divided by.
REFERENCE = "fastapi-uvicorn"
#: The ceiling every zephyr figure is also given as a share of.
CEILING = "raw"
#: The zephyr stack with the access log on, shown beside ``zephyr`` (no log).
LOGGED = {"zephyr-log": "zephyr"}
#: What ``--quick`` runs: the zephyr stacks, the reference and the ceiling.
QUICK = ("zephyr", "zephyr-compiled", "zephyr-log", "zephyr-uvicorn", REFERENCE, CEILING)


def select(keys: Sequence[str] | None) -> list[Stack]:
    """Stacks named by ``keys`` (in suite order); all when ``keys`` is empty.

    Raises:
        SystemExit: A key names no stack.
    """
    if not keys:
        return list(STACKS)
    unknown = [k for k in keys if k not in STACK_KEYS]
    if unknown:
        raise SystemExit(f"unknown stack(s) {unknown}; choose from {', '.join(STACK_KEYS)}")
    return [s for s in STACKS if s.key in keys]
