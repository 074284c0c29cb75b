"""``zephyr.config``: typed settings from the environment and a ``.env`` file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import starlette.config as peer

from zephyr.config import CommaSeparatedStrings, Config, Environ, EnvironError, Secret

ENV_FILE = "A=1\nB='quoted'\n# a comment\n\nE = spaced \nF=\"x\"\nexport G=7\nnot a pair\n"


@pytest.fixture()
def env_file(tmp_path: Path) -> Path:
    path = tmp_path / ".env"
    path.write_text(ENV_FILE)
    return path


def _outcome(config: Any, key: str, **kwargs: Any) -> tuple[str, Any]:
    try:
        return "ok", config(key, **kwargs)
    except (KeyError, ValueError) as exc:
        return type(exc).__name__, str(exc)


@pytest.mark.parametrize(
    ("key", "kwargs"),
    [
        ("A", {}),
        ("A", {"cast": int}),
        ("B", {}),
        ("E", {}),
        ("F", {}),
        ("MISSING", {}),
        ("MISSING", {"default": None}),
        ("MISSING", {"cast": int, "default": "5"}),
        ("B", {"cast": int}),
    ],
)
def test_file_values_read_like_starlette(env_file: Path, key: str, kwargs: dict[str, Any]) -> None:
    ours = _outcome(Config(env_file, environ={}), key, **kwargs)
    theirs = _outcome(peer.Config(env_file, environ={}), key, **kwargs)
    assert ours == theirs


@pytest.mark.parametrize("text", ["true", "TRUE", "1", "false", "0", "False", "yes", "x"])
def test_bool_cast_like_starlette(text: str) -> None:
    ours = _outcome(Config(environ={"X": text}), "X", cast=bool)
    theirs = _outcome(peer.Config(environ={"X": text}), "X", cast=bool)
    assert ours == theirs


def test_environment_wins_over_file_and_prefix_applies(env_file: Path) -> None:
    config = Config(env_file, environ={"APP_A": "from-env", "A": "plain"}, env_prefix="APP_")
    assert config("A") == "from-env"
    assert Config(env_file, environ={"A": "env"})("A") == "env"


def test_export_lines_and_junk_lines(env_file: Path) -> None:
    config = Config(env_file, environ={})
    assert config("G", cast=int) == 7
    assert config("not a pair", default=None) is None


def test_missing_file_warns_and_environment_still_works(tmp_path: Path) -> None:
    with pytest.warns(UserWarning, match="not found"):
        config = Config(tmp_path / "nope.env", environ={"K": "v"})
    assert config("K") == "v"


def test_secret_and_comma_separated_casts() -> None:
    config = Config(environ={"DB": "postgres://u:pw@h/db", "HOSTS": "a.com, b.com"})
    secret = config("DB", cast=Secret)
    assert "pw" not in repr(secret)
    assert str(secret) == "postgres://u:pw@h/db"
    assert list(config("HOSTS", cast=CommaSeparatedStrings)) == ["a.com", "b.com"]


def test_environ_refuses_changes_to_keys_already_read() -> None:
    environ = Environ({"K": "v", "L": "w"})
    config = Config(environ=environ)
    assert config("K") == "v"
    with pytest.raises(EnvironError, match="already been read"):
        environ["K"] = "changed"
    with pytest.raises(EnvironError):
        del environ["K"]
    environ["L"] = "fine"  # Not read yet.
    del environ["L"]
    assert dict(environ) == {"K": "v"}
