"""Twelve-factor settings: read typed values from the environment and a ``.env`` file.

::

    config = Config(".env")
    DEBUG = config("DEBUG", cast=bool, default=False)
    DATABASE_URL = config("DATABASE_URL", cast=Secret)
    ALLOWED_HOSTS = config("ALLOWED_HOSTS", cast=CommaSeparatedStrings, default="")

Environment variables win over the file. :data:`environ` is ``os.environ``
behind a guard: once a key has been read through a :class:`Config`, changing it
raises, because code that already read the old value would silently disagree
with code reading the new one (set test settings before importing the app).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from pathlib import Path
from typing import Any, TypeVar, overload

from zephyr.datastructures import CommaSeparatedStrings, Secret

__all__ = [
    "CommaSeparatedStrings",
    "Config",
    "Environ",
    "EnvironError",
    "Secret",
    "environ",
    "undefined",
]

T = TypeVar("T")

_TRUE = frozenset({"true", "1"})
_FALSE = frozenset({"false", "0"})


class _Undefined:
    """The "no default" marker (``None`` is a legitimate default)."""

    def __repr__(self) -> str:
        return "undefined"


undefined: Any = _Undefined()


class EnvironError(Exception):
    """A read key of :class:`Environ` was set or deleted afterwards."""


class Environ(MutableMapping[str, str]):
    """A mapping over ``os.environ`` that refuses to change keys already read.

    Args:
        environ: The mapping to wrap. Default ``os.environ``.
    """

    def __init__(self, environ: MutableMapping[str, str] = os.environ) -> None:
        self._environ = environ
        self._has_been_read: set[str] = set()

    def __getitem__(self, key: str) -> str:
        self._has_been_read.add(key)
        return self._environ[key]

    def __setitem__(self, key: str, value: str) -> None:
        if key in self._has_been_read:
            raise EnvironError(
                f"Attempting to set environ[{key!r}], but the value has already been read."
            )
        self._environ[key] = value

    def __delitem__(self, key: str) -> None:
        if key in self._has_been_read:
            raise EnvironError(
                f"Attempting to delete environ[{key!r}], but the value has already been read."
            )
        del self._environ[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._environ)

    def __len__(self) -> int:
        return len(self._environ)


environ = Environ()


class Config:
    """Read settings from the environment, then from an optional ``.env`` file.

    Args:
        env_file: A ``KEY=VALUE`` file (``#`` comments, optional quotes). A
            missing file is ignored, so production can rely on the environment
            alone (a warning says it was not found). Default None.
        environ: The environment mapping. Default the module's :data:`environ`.
        env_prefix: Prefix added to every key looked up, e.g. ``"APP_"``.
        encoding: The file's encoding. Default UTF-8.
    """

    def __init__(
        self,
        env_file: str | os.PathLike[str] | None = None,
        environ: Mapping[str, str] = environ,
        env_prefix: str = "",
        encoding: str = "utf-8",
    ) -> None:
        self.environ = environ
        self.env_prefix = env_prefix
        self.file_values: dict[str, str] = {}
        if env_file is not None:
            if Path(env_file).is_file():
                self.file_values = _read_env_file(Path(env_file), encoding)
            else:
                warnings.warn(f"Config file {str(env_file)!r} not found.", stacklevel=2)

    @overload
    def __call__(self, key: str, *, default: None) -> str | None: ...

    @overload
    def __call__(self, key: str, cast: Callable[[Any], T], default: Any = undefined) -> T: ...

    @overload
    def __call__(self, key: str, cast: None = None, default: Any = undefined) -> str: ...

    def __call__(
        self, key: str, cast: Callable[[Any], Any] | None = None, default: Any = undefined
    ) -> Any:
        """Return ``key``'s value, cast; see :meth:`get`."""
        return self.get(key, cast, default)

    def get(
        self, key: str, cast: Callable[[Any], Any] | None = None, default: Any = undefined
    ) -> Any:
        """Return the value of ``env_prefix + key``, cast.

        Args:
            key: The setting's name (without the prefix).
            cast: A callable applied to the text (``int``, ``Secret``...);
                ``bool`` accepts true/false and 1/0 (any case). A default
                that is not None is cast too.
            default: Returned when the key is absent; without it, absence raises.

        Returns:
            The (cast) value.

        Raises:
            KeyError: The key is absent and there is no default.
            ValueError: ``cast`` rejected the value; the message names the key.
        """
        name = self.env_prefix + key
        if name in self.environ:
            return _cast(name, self.environ[name], cast)
        if name in self.file_values:
            return _cast(name, self.file_values[name], cast)
        if default is not undefined:
            return _cast(name, default, cast)
        raise KeyError(f"Config {name!r} is missing, and has no default.")


def _cast(name: str, value: Any, cast: Callable[[Any], Any] | None) -> Any:
    if cast is None or value is None:
        return value
    if cast is bool and isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ValueError(f"Config {name!r} has value {value!r}. Not a valid bool.")
    try:
        return cast(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"Config {name!r} has value {value!r}. Not a valid {getattr(cast, '__name__', cast)}."
        ) from exc


def _read_env_file(path: Path, encoding: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for raw in path.read_text(encoding=encoding).splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        key = key.strip().removeprefix("export ").strip()
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key] = value
    return values
