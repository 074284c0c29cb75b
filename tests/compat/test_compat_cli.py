"""The ``fastapi`` command under ``zephyr.compat``: zephyr's CLI, reached as FastAPI's is.

``python -m fastapi dev main.py`` must run (runpy, and ``coverage run -m``,
look the package's ``__main__`` up through its spec), and a target path that
does not exist is reported on stdout with exit code 1, as FastAPI's command
line does. ``fastapi.cli.main`` refuses to run when ``cli_main`` is gone.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from zephyr import _compat_cli


def _run_compat(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    prelude = "import zephyr.compat\nzephyr.compat.install()\n"
    return subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
    )


def test_python_m_fastapi_reports_a_missing_path(tmp_path: Path) -> None:
    result = _run_compat(
        """
        import runpy, sys
        sys.argv = ["fastapi", "dev", "nowhere.py"]
        runpy.run_module("fastapi", run_name="__main__", alter_sys=True)
        """,
        tmp_path,
    )
    assert result.returncode == 1, result.stderr
    assert result.stdout.strip() == "Path does not exist nowhere.py"


def test_the_fastapi_package_spec_leads_to_a_main_file(tmp_path: Path) -> None:
    result = _run_compat(
        """
        import importlib.util, os
        package = importlib.util.find_spec("fastapi")
        assert package.submodule_search_locations, package
        main = importlib.util.find_spec("fastapi.__main__")
        assert main.origin and os.path.isfile(main.origin), main
        import fastapi.cli, zephyr._compat_cli
        assert fastapi.cli is zephyr._compat_cli
        print("ok")
        """,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_an_existing_target_and_module_targets_go_to_zephyrs_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[list[str]] = []
    monkeypatch.setattr(_compat_cli, "cli_main", lambda argv: seen.append(list(argv)) or 0)
    app_file = tmp_path / "main.py"
    app_file.write_text("app = None\n")
    assert _compat_cli.main(["run", str(app_file), "--port", "18301"]) == 0
    assert _compat_cli.main(["dev", "main:app"]) == 0  # zephyr's module:attr targets
    assert _compat_cli.main(["dev"]) == 0  # no target: discovered in the cwd
    assert seen == [["run", str(app_file), "--port", "18301"], ["dev", "main:app"], ["dev"]]


def test_main_refuses_without_a_command_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_compat_cli, "cli_main", None)
    with pytest.raises(RuntimeError, match="To use the fastapi command, please install"):
        _compat_cli.main(["dev", "main.py"])
