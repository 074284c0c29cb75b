"""Run unmodified FastAPI / Starlette code on zephyr: ``import fastapi`` resolves to zephyr.

:func:`install` puts an import hook first on :data:`sys.meta_path`. From then
on, ``fastapi``, ``starlette`` and their submodules are served by zephyr's
modules of the same name (``fastapi.responses`` → ``zephyr.responses``,
``starlette.middleware.cors`` → ``zephyr.middleware.cors``...), so an app
written for FastAPI runs on zephyr without a single edited line::

    import zephyr.compat

    zephyr.compat.install()
    from main import app  # main.py says `from fastapi import FastAPI`

``zephyr run --compat main:app`` does the same before importing the app
(also in reload children and workers).

Most names are the same in both worlds, so most modules are plain aliases: the
name ``fastapi.responses`` is bound to the very module object
``zephyr.responses``. The top-level packages and the few modules whose names
differ (``starlette.applications.Starlette`` is zephyr's toolkit
:class:`~zephyr.applications.BaseApp`; ``fastapi.exceptions`` gathers
zephyr's toolkit and API-layer exceptions) are small shim modules that look
names up in their zephyr modules on first use.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.metadata
import importlib.util
import os
import pathlib
import sys
from collections.abc import Iterator, Sequence
from types import ModuleType
from typing import Any

__all__ = ["install", "installed", "uninstall"]

# The FastAPI / Starlette releases whose documented behaviour zephyr follows;
# libraries that check ``fastapi.__version__`` see these.
FASTAPI_VERSION = "0.165.0"
STARLETTE_VERSION = "1.10.0"

_ROOTS = ("fastapi", "starlette")

# Modules that are not a plain ``fastapi.X`` → ``zephyr.X`` alias: the zephyr
# modules searched for a name, in order.
_SHIMS: dict[str, tuple[str, ...]] = {
    "fastapi": ("zephyr",),
    "starlette": ("zephyr",),
    "fastapi.exceptions": ("zephyr.exceptions", "zephyr.api_exceptions"),
    # FastAPI's private Pydantic bridge: only the few constants other code reads.
    "fastapi._compat": ("zephyr._pydantic_version",),
    # FastAPI's helpers module: what libraries import from it (strawberry's
    # GraphQLRouter takes ``generate_unique_id``, the default operation id).
    "fastapi.utils": ("zephyr._api.routing",),
    "starlette.applications": ("zephyr.applications",),
    "starlette.exceptions": ("zephyr.exceptions",),
    # A shim, not an alias, so an unknown name is reported as missing from
    # ``starlette.status`` (the module the app imported), not ``zephyr.status``.
    "starlette.status": ("zephyr.status",),
}

# Modules served by a zephyr module of another name (not a shim: a test may
# patch a name there and the module's own functions must see it).
_MODULES: dict[str, str] = {"fastapi.cli": "zephyr._compat_cli"}

# ``python -m fastapi``: runpy (and ``coverage run -m``) execute the
# ``__main__`` module's source file, so it gets a spec with that file.
_MAINS: dict[str, str] = {"fastapi.__main__": "zephyr._compat_cli"}

# Names that differ: ``{shim module: {foreign name: zephyr name}}``.
_RENAMES: dict[str, dict[str, str]] = {
    "starlette.applications": {"Starlette": "BaseApp"},
    "starlette.exceptions": {"StarletteDeprecationWarning": "ZephyrDeprecationWarning"},
    "fastapi.exceptions": {
        "FastAPIError": "ZephyrError",
        "FastAPIDeprecationWarning": "ZephyrDeprecationWarning",
    },
}

_CONSTANTS: dict[str, dict[str, Any]] = {
    "fastapi": {"__version__": FASTAPI_VERSION},
    "starlette": {"__version__": STARLETTE_VERSION},
}


def zephyr_name(fullname: str) -> str:
    """Return the zephyr module that serves a ``fastapi``/``starlette`` module name.

    Args:
        fullname: A dotted module name such as ``"starlette.middleware.cors"``.

    Returns:
        The zephyr module name, e.g. ``"zephyr.middleware.cors"``.
    """
    if fullname in _MODULES:
        return _MODULES[fullname]
    _, _, rest = fullname.partition(".")
    return f"zephyr.{rest}" if rest else "zephyr"


class _ShimModule(ModuleType):
    """A foreign-named module that finds its attributes in zephyr modules."""

    def __init__(self, name: str, targets: Sequence[ModuleType]) -> None:
        super().__init__(name)
        # A package, so submodules import through the hook. Its path is the
        # zephyr package's directory (tools such as blockbuster read
        # ``__path__[0]`` to tell the framework's own frames from the app's).
        self.__path__: list[str] = list(getattr(targets[0], "__path__", ()))
        self._zephyr_targets = tuple(targets)
        self._zephyr_renames = _RENAMES.get(name, {})
        self.__dict__.update(_CONSTANTS.get(name, {}))
        names: list[str] = []
        for target in targets:
            names.extend(getattr(target, "__all__", ()))
        self.__all__ = [self._foreign(n) for n in dict.fromkeys(names)]

    def _foreign(self, zephyr_attr: str) -> str:
        for foreign, local in self._zephyr_renames.items():
            if local == zephyr_attr:
                return foreign
        return zephyr_attr

    def __getattr__(self, name: str) -> Any:
        local = self._zephyr_renames.get(name, name)
        for target in self._zephyr_targets:
            try:
                value = getattr(target, local)
            except AttributeError:
                continue
            # Cache: the next lookup is a dict hit. A name the target serves from
            # its own ``__getattr__`` (a deprecated alias that warns on every
            # read) stays uncached so the target keeps answering it.
            if local in vars(target):
                setattr(self, name, value)
            return value
        raise AttributeError(
            f"module {self.__name__!r} has no attribute {name!r} "
            f"(zephyr has no equivalent in {', '.join(t.__name__ for t in self._zephyr_targets)})"
        )

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self.__all__))


class _AliasLoader(importlib.abc.Loader):
    """Binds a foreign module name to a zephyr module (or a shim over several)."""

    def __init__(self, fullname: str) -> None:
        self.fullname = fullname
        self.original_spec: importlib.machinery.ModuleSpec | None = None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        targets = _SHIMS.get(self.fullname)
        if targets is None:
            local = zephyr_name(self.fullname)
            try:
                module = importlib.import_module(local)
            except ModuleNotFoundError as exc:
                if exc.name != local:
                    raise
                raise ModuleNotFoundError(
                    f"No module named {self.fullname!r}: zephyr has no {local!r} "
                    "equivalent (zephyr.compat maps fastapi/starlette modules to zephyr's)",
                    name=self.fullname,
                ) from None
            self.original_spec = module.__spec__
            return module
        return _ShimModule(self.fullname, [importlib.import_module(t) for t in targets])

    def exec_module(self, module: ModuleType) -> None:
        """Run nothing (the zephyr module is imported); give back its own ``__spec__``."""
        # The import system has just set ``__spec__`` to the foreign-named spec;
        # the module must keep describing itself (reload, pickling by spec).
        if self.original_spec is not None:
            module.__spec__ = self.original_spec


class _CompatFinder(importlib.abc.MetaPathFinder):
    """Answers imports of ``fastapi``/``starlette`` (and below) with zephyr modules."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname.partition(".")[0] not in _ROOTS:
            return None
        if fullname in _MAINS:
            source = importlib.util.find_spec(_MAINS[fullname])
            assert source is not None and source.origin is not None  # a zephyr module
            return importlib.util.spec_from_file_location(fullname, source.origin)
        spec = importlib.machinery.ModuleSpec(fullname, _AliasLoader(fullname), is_package=True)
        if fullname in _ROOTS:
            # Where the package's modules are, as its ``__path__`` says (tools
            # such as ``coverage run -m fastapi`` look for ``__main__`` only
            # in a package whose spec names a location).
            spec.submodule_search_locations = [os.path.dirname(__file__)]
        return spec

    def find_distributions(
        self, context: importlib.metadata.DistributionFinder.Context | None = None
    ) -> Iterator[importlib.metadata.Distribution]:
        """Answer ``importlib.metadata`` for ``fastapi``/``starlette`` with the versions followed.

        Libraries check ``importlib.metadata.version("starlette")`` before
        relying on a feature; while the hook is active, zephyr is that package.
        """
        wanted = None if context is None else context.name
        for root in _ROOTS:
            if wanted is None or _normalized(wanted) == root:
                yield _CompatDistribution(root)


class _CompatDistribution(importlib.metadata.Distribution):
    """The installed-package metadata of ``fastapi``/``starlette``, served by zephyr."""

    def __init__(self, name: str) -> None:
        self._name = name

    def read_text(self, filename: str) -> str | None:
        if filename != "METADATA":
            return None
        version = _CONSTANTS[self._name]["__version__"]
        return (
            f"Metadata-Version: 2.1\nName: {self._name}\nVersion: {version}\n"
            f"Summary: {self._name} {version} as served by zephyr.compat\n"
        )

    def locate_file(self, path: str | os.PathLike[str]) -> Any:
        import zephyr

        return pathlib.Path(zephyr.__path__[0]).parent / path


def _normalized(name: str) -> str:
    # Distribution names compare case-insensitively with runs of -_. equal (PEP 503).
    return name.lower().replace("-", "_").replace(".", "_")


_finder = _CompatFinder()


def installed() -> bool:
    """Return whether the import hook is active."""
    return _finder in sys.meta_path


def install() -> None:
    """Make ``import fastapi…`` / ``import starlette…`` resolve to zephyr's modules.

    Idempotent. Call it before anything imports ``fastapi`` or ``starlette``.

    Raises:
        RuntimeError: If the real ``fastapi`` or ``starlette`` is already
            imported: modules loaded from it would mix two frameworks' classes.
    """
    if installed():
        return
    loaded = sorted(name for name in sys.modules if _is_foreign(name) and not _is_ours(name))
    if loaded:
        raise RuntimeError(
            "zephyr.compat.install() must run before fastapi/starlette are imported; "
            f"already imported: {', '.join(loaded[:5])}"
        )
    sys.meta_path.insert(0, _finder)


def uninstall() -> None:
    """Remove the import hook and forget the ``fastapi``/``starlette`` names it bound."""
    if _finder in sys.meta_path:
        sys.meta_path.remove(_finder)
    for name in [n for n in sys.modules if _is_foreign(n)]:
        if _is_ours(name):
            del sys.modules[name]


def _is_foreign(name: str) -> bool:
    return name.partition(".")[0] in _ROOTS


def _is_ours(name: str) -> bool:
    module = sys.modules.get(name)
    return isinstance(module, _ShimModule) or (
        module is not None and getattr(module, "__name__", "").startswith("zephyr")
    )
