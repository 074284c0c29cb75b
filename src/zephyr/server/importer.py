"""Find the ASGI application: ``"module:attr"`` import strings and file/dir discovery.

Discovery follows ``fastapi dev``: given a file, a directory or nothing (the
current directory), look for ``main.py``, ``app.py``, ``api.py``, then the same
names under ``app/``; import the module under its full dotted package name
(walking up ``__init__.py`` parents, with the package root put on
``sys.path``); take the attribute ``app``, else ``api``, else the first
instance of :class:`zephyr.applications.BaseApp` (any zephyr app) in the module.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import logging
import os
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

logger = logging.getLogger("zephyr.error")

CANDIDATE_FILES = ("main.py", "app.py", "api.py")
"""File names tried, in order, in a directory and then in its ``app/`` subdirectory."""

CANDIDATE_ATTRS = ("app", "api")
"""Attribute names tried, in order, in a discovered module."""


class ImportFromStringError(Exception):
    """The application could not be found: bad format, no module, or no attribute."""


@dataclass(frozen=True)
class ModuleTarget:
    """Where a discovered module lives.

    Attributes:
        module: Dotted module name, e.g. ``"app.main"``.
        sys_path: Directory that must be on ``sys.path`` to import ``module``.
    """

    module: str
    sys_path: str


def import_from_string(import_str: Any) -> Any:
    """Import ``"package.module:attr.sub"`` and return the attribute.

    Args:
        import_str: ``"<module>:<attribute>"`` (the attribute may be dotted); a
            non-string is returned unchanged (an already-loaded app).

    Returns:
        The object named by the import string.

    Raises:
        ImportFromStringError: The string is not ``module:attr``, the module
            does not exist, or the attribute is missing. Errors raised *inside*
            the imported module (including its own failed imports) propagate
            unchanged so their traceback points at the real cause.
    """
    if not isinstance(import_str, str):
        return import_str
    module_str, _, attrs_str = import_str.partition(":")
    if not module_str or not attrs_str or ":" in attrs_str:
        raise ImportFromStringError(
            f'Import string "{import_str}" must be in format "<module>:<attribute>".'
        )
    module = _import_module(module_str)
    instance: Any = module
    try:
        for attr in attrs_str.split("."):
            instance = getattr(instance, attr)
    except AttributeError:
        raise ImportFromStringError(
            f'Attribute "{attrs_str}" not found in module "{module_str}".'
        ) from None
    return instance


def _import_module(module_str: str) -> ModuleType:
    try:
        return importlib.import_module(module_str)
    except ModuleNotFoundError as exc:
        # Only "this very module (or a parent package) is missing" is our error;
        # a missing import inside the user's module must surface as is.
        if exc.name is None or not (
            module_str == exc.name or module_str.startswith(exc.name + ".")
        ):
            raise
        raise ImportFromStringError(f'Could not import module "{module_str}".') from None


def is_import_string(target: str) -> bool:
    """Tell whether ``target`` reads as ``"module:attr"`` rather than a filesystem path.

    Args:
        target: The CLI/``Config.app`` value.

    Returns:
        True when ``target`` contains ``:`` and is not an existing path.
    """
    return ":" in target and not os.path.exists(target)


def find_module_file(path: str | Path | None = None) -> Path:
    """Resolve a file or directory to the Python file holding the app.

    Args:
        path: A ``.py`` file, a directory to search, or None for the current
            directory.

    Returns:
        Absolute path of the module file (``main.py``, ``app.py``, ``api.py``,
        ``app/main.py``, ``app/app.py``, ``app/api.py`` -- first that exists).

    Raises:
        ImportFromStringError: Nothing exists at ``path`` or no candidate file
            is found in the directory.
    """
    base = Path(path if path is not None else ".").resolve()
    if base.is_file():
        return base
    if not base.is_dir():
        raise ImportFromStringError(f'Path "{path}" does not exist.')
    for folder in (base, base / "app"):
        for name in CANDIDATE_FILES:
            candidate = folder / name
            if candidate.is_file():
                return candidate
    tried = ", ".join(CANDIDATE_FILES)
    raise ImportFromStringError(
        f'Could not find an app file in "{base}": looked for {tried} there and in "app/".'
    )


def module_target(file: Path) -> ModuleTarget:
    """Compute the dotted module name of ``file`` and the ``sys.path`` entry it needs.

    Walks up the parents while they hold an ``__init__.py`` so that relative
    imports inside a package keep working.

    Args:
        file: Absolute path of a ``.py`` file.

    Returns:
        The :class:`ModuleTarget`; e.g. ``/src/app/main.py`` with
        ``/src/app/__init__.py`` gives ``("app.main", "/src")``.
    """
    parts = [] if file.name == "__init__.py" else [file.stem]
    folder = file.parent
    while (folder / "__init__.py").is_file() and folder.parent != folder:
        parts.insert(0, folder.name)
        folder = folder.parent
    return ModuleTarget(module=".".join(parts), sys_path=str(folder))


def find_app_in_module(module: ModuleType) -> tuple[str, Any]:
    """Pick the application object out of an imported module.

    Args:
        module: The imported module.

    Returns:
        ``(attribute_name, app)``: ``app`` first, then ``api``, then the first
        instance of ``zephyr.applications.BaseApp`` found in the module.

    Raises:
        ImportFromStringError: No candidate attribute exists.
    """
    namespace = vars(module)
    for name in CANDIDATE_ATTRS:
        if name in namespace:
            return name, namespace[name]
    app_class = _zephyr_app_class()
    if app_class is not None:
        for name, value in namespace.items():
            if isinstance(value, app_class):
                return name, value
    raise ImportFromStringError(
        f'Could not find an app in module "{module.__name__}": define `app = Zephyr()` '
        'or use "module:attribute".'
    )


def _zephyr_app_class() -> type[Any] | None:
    try:
        from zephyr._app import BaseApp
    except ImportError:  # the API layer is optional for the server
        return None
    return BaseApp


def discover_app(target: str | Path | None = None) -> tuple[str, Any]:
    """Find, import and return the application named by a path or module.

    Args:
        target: A ``.py`` file, a directory, None (current directory), or a
            bare dotted module name (``"pkg.main"``) searched for an app.

    Returns:
        ``(import_string, app)``, e.g. ``("app.main:app", <app>)``. The
        package root is inserted first on ``sys.path``.

    Raises:
        ImportFromStringError: No file, module or app attribute found.
    """
    if target is not None and _looks_like_module_name(str(target)):
        module = _import_module(str(target))
    else:
        found = module_target(find_module_file(target))
        if found.sys_path not in sys.path:
            sys.path.insert(0, found.sys_path)
        module = _import_module(found.module)
    name, app = find_app_in_module(module)
    import_string = f"{module.__name__}:{name}"
    logger.info("Using import string: %s", import_string)
    return import_string, app


def _looks_like_module_name(target: str) -> bool:
    if os.path.exists(target) or target.endswith(".py"):
        return False
    return all(part.isidentifier() for part in target.split("."))


def check_target(target: Any, app_dir: str | None = None) -> None:
    """Fail early, without importing anything, when ``target`` cannot name an app.

    Run before a reloader or worker supervisor starts, so a typo ends the
    command with one line instead of a supervisor waiting on a child that
    can never start. Only what needs no import is checked: a path or
    directory holds a candidate file, an import string has the
    ``module:attr`` form and its top-level module exists. Attributes are
    checked when the app is imported.

    Args:
        target: ``Config.app``; objects pass.
        app_dir: The directory ``Config.load`` puts first on ``sys.path``.

    Raises:
        ImportFromStringError: As :func:`load_app` would, for these cases.
    """
    if not isinstance(target, str):
        return
    if is_import_string(target):
        module_str, _, attrs_str = target.partition(":")
        if not module_str or not attrs_str or ":" in attrs_str:
            import_from_string(target)  # raises the format error
        module = module_str
    elif target and _looks_like_module_name(target):
        module = target
    else:
        find_module_file(target or None)
        return
    top = module.partition(".")[0]
    if top in sys.modules or importlib.util.find_spec(top) is not None:
        return
    if app_dir is not None:
        search = [os.path.abspath(app_dir)]
        if importlib.machinery.PathFinder.find_spec(top, search) is not None:
            return
    raise ImportFromStringError(f'Could not import module "{module}".')


_ZEPHYR_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _is_user_frame(frame: traceback.FrameSummary) -> bool:
    filename = frame.filename
    if filename.startswith("<frozen importlib"):
        return False
    if os.path.dirname(filename) == os.path.dirname(importlib.__file__ or ""):
        return False  # importlib/__init__.py
    return not filename.startswith(_ZEPHYR_DIR + os.sep)


def _user_frames_only(error: traceback.TracebackException) -> None:
    # Chained exceptions (raise ... from, during handling) are filtered too.
    seen: set[int] = set()
    pending: list[traceback.TracebackException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        frames = [frame for frame in current.stack if _is_user_frame(frame)]
        current.stack = traceback.StackSummary.from_list(frames)
        pending += [current.__cause__, current.__context__]


def format_load_error(exc: BaseException) -> str:
    """Describe why the app failed to load: the error and the application's own frames.

    An :class:`ImportFromStringError` is one line. Anything else (a missing
    import in the app's modules, a syntax error, an exception at import
    time) keeps its traceback, but only the frames of the application's
    code: the chain of imports and the line that failed, not zephyr's or
    importlib's frames.

    Args:
        exc: The exception raised while loading the app.

    Returns:
        The text to log after ``"Error loading ASGI app. "``; without a
        trailing newline.
    """
    if isinstance(exc, ImportFromStringError):
        return str(exc)
    error = traceback.TracebackException.from_exception(exc)
    _user_frames_only(error)
    text = "".join(error.format()).rstrip()
    # One line ("TypeError: ...") when no frame is the app's; else a headline first.
    return f"{exc}\n{text}" if "\n" in text else text


def load_app(target: Any) -> Any:
    """Turn ``Config.app`` into an object: pass objects through, import or discover strings.

    Args:
        target: An app object, ``"module:attr"``, a path, a module name or "".

    Returns:
        The application object (not yet called when it is a factory).

    Raises:
        ImportFromStringError: As for :func:`import_from_string` /
            :func:`discover_app`.
    """
    if not isinstance(target, str):
        return target
    if is_import_string(target):
        return import_from_string(target)
    return discover_app(target or None)[1]
