"""Which build of the server core is running: the compiled one (mypyc) or pure Python."""

from __future__ import annotations

from zephyr.server import protocol


def core_compiled() -> bool:
    """Return True when the server core runs as compiled C extensions (mypyc).

    ``scripts/compile`` (a checkout) or a wheel built with
    ``HATCH_BUILD_HOOK_ENABLE_MYPYC=true`` put an extension module beside each
    core module's ``.py`` file; Python imports the extension in its place.
    The modules are listed once, in ``pyproject.toml``
    (``[tool.hatch.build.targets.wheel.hooks.mypyc] include``), and are
    compiled together, so the protocol module tells for all of them.

    Returns:
        True for the compiled core, False for the pure-Python one.
    """
    return not protocol.__file__.endswith(".py")
