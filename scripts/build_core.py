"""Build zephyr's compiled server core (mypyc) into a tree of its own.

Usage: ``python scripts/build_core.py [--out DIR] [--clean | --where]``
(``scripts/compile`` runs it with ``.venv``'s interpreter; the benchmark
harness with the peers'). ``--where`` prints the tree's path and builds nothing.

The tree, ``build/compiled-<tag>`` by default (``<tag>`` is the interpreter's,
e.g. ``cpython-311``), holds a copy of ``src/zephyr`` in which the modules listed
under ``[tool.hatch.build.targets.wheel.hooks.mypyc]`` in ``pyproject.toml``
(the list the wheel's opt-in hook compiles) each have a C extension beside
their ``.py`` file, which Python imports in its place. Put the tree first on
``PYTHONPATH`` to run the compiled core; ``src`` itself never holds an
extension, so an edited ``.py`` file is never shadowed by a stale build. The
tree is rebuilt only when a source file or the hook's settings changed.
The interpreter needs mypy (which brings mypyc) and setuptools; gcc compiles;
nothing is downloaded.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "src"


def hook_settings() -> dict[str, Any]:
    """The wheel's mypyc hook table from ``pyproject.toml`` (``include``, ``options``)."""
    with (ROOT / "pyproject.toml").open("rb") as file:
        table: dict[str, Any] = tomllib.load(file)
    return table["tool"]["hatch"]["build"]["targets"]["wheel"]["hooks"]["mypyc"]


def default_out() -> Path:
    """``build/compiled-<tag>``: one tree per interpreter (extensions are per version)."""
    return ROOT / "build" / f"compiled-{sys.implementation.cache_tag}"


def _fingerprint(settings: dict[str, Any]) -> str:
    digest = hashlib.sha256(repr(sorted(settings.items())).encode())
    digest.update(sys.version.encode())
    for path in sorted((SOURCE / "zephyr").rglob("*.py")):
        digest.update(str(path.relative_to(SOURCE)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def build(out: Path) -> None:
    """Copy the package into ``out`` and compile the hook's modules there, unless current."""
    settings = hook_settings()
    stamp = out / ".source-sha256"
    want = _fingerprint(settings)
    if stamp.exists() and stamp.read_text() == want:
        print(f"compiled core: {out} is current")
        return
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(
        SOURCE / "zephyr", out / "zephyr", ignore=shutil.ignore_patterns("__pycache__", "*.so")
    )
    # Imported late: only a build needs mypyc and setuptools.
    from mypyc.build import mypycify
    from setuptools import Distribution

    paths = [str(out / Path(p).relative_to("src")) for p in settings["include"]]
    modules = mypycify(
        paths, target_dir=str(out / ".mypyc"), group_name="zephyr_core", **settings["options"]
    )
    # A bare Distribution: setuptools would otherwise read pyproject.toml as its own.
    dist = Distribution(
        {"name": "zephyr-core", "package_dir": {"": str(out)}, "ext_modules": modules}
    )
    dist.script_args = [
        "--quiet",
        "build_ext", "--inplace", "--build-temp", str(out / ".mypyc-temp"),
        "--build-lib", str(out / ".mypyc-lib"),
    ]  # fmt: skip
    dist.parse_command_line()
    dist.run_commands()
    stamp.write_text(want)
    built = sorted(
        str(p.relative_to(out)) for p in out.rglob("*.so") if ".mypyc-lib" not in p.parts
    )
    print(f"compiled core in {out}: {', '.join(built)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=default_out(), help="the tree to build")
    parser.add_argument("--clean", action="store_true", help="remove the tree and stop")
    parser.add_argument("--where", action="store_true", help="print the tree's path and stop")
    args = parser.parse_args()
    if args.where:
        print(args.out)
        return
    if args.clean:
        shutil.rmtree(args.out, ignore_errors=True)
        return
    build(args.out)


if __name__ == "__main__":
    main()
