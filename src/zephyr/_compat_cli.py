"""``fastapi.cli`` under zephyr.compat: the ``fastapi`` command, served by zephyr's CLI.

``fastapi dev main.py`` / ``fastapi run main.py`` (and ``python -m fastapi``)
take the same subcommands as ``zephyr``; the target is a path, as FastAPI's
command line reads it, so a missing one is reported the way that command
reports it. ``module:attr`` targets (zephyr's own) are passed on as they are.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence

from zephyr import cli

__all__ = ["cli_main", "main"]

cli_main: Callable[[Sequence[str] | None], int] | None = cli.main
"""The command line that runs; ``None`` would mean it is not installed."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``fastapi`` command on zephyr.

    Args:
        argv: Arguments without the program name; None reads ``sys.argv``.

    Returns:
        The process exit code: 1 for a target path that does not exist,
        otherwise the ``zephyr`` command's.

    Raises:
        RuntimeError: The command line is not available (``cli_main`` is None).
    """
    if cli_main is None:
        raise RuntimeError(
            "To use the fastapi command, please install zephyr with its server: "
            "pip install 'zephyr[standard]'"
        )
    args = list(sys.argv[1:] if argv is None else argv)
    target = cli.build_parser().parse_args(args).app
    if target is not None and ":" not in target and not os.path.exists(target):
        print(f"Path does not exist {target}")
        return 1
    return cli_main(args)


if __name__ == "__main__":  # ``python -m fastapi`` (see zephyr.compat)
    sys.exit(main())
