"""Import strings and app discovery (zephyr.server.importer)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from zephyr.server.importer import (
    ImportFromStringError,
    check_target,
    discover_app,
    find_module_file,
    format_load_error,
    import_from_string,
    is_import_string,
    load_app,
    module_target,
)

APP_SOURCE = "async def app(scope, receive, send):\n    pass\n"


@pytest.fixture
def clean_imports() -> Iterator[None]:
    """Undo sys.path / sys.modules changes made by discovery."""
    path, modules = list(sys.path), set(sys.modules)
    yield
    sys.path[:] = path
    for name in set(sys.modules) - modules:
        del sys.modules[name]


def write(path: Path, text: str = APP_SOURCE) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_import_from_string_returns_nested_attribute() -> None:
    assert import_from_string("os.path:join") is __import__("os").path.join
    assert import_from_string("zephyr.server.importer:ImportFromStringError.__name__") == (
        "ImportFromStringError"
    )


def test_import_from_string_passes_objects_through() -> None:
    marker = object()
    assert import_from_string(marker) is marker


@pytest.mark.parametrize("bad", ["nocolon", ":app", "mod:", "a:b:c"])
def test_import_from_string_bad_format(bad: str) -> None:
    with pytest.raises(ImportFromStringError, match="format"):
        import_from_string(bad)


def test_import_from_string_missing_module() -> None:
    with pytest.raises(ImportFromStringError, match='Could not import module "no_such_mod_xyz"'):
        import_from_string("no_such_mod_xyz:app")


def test_import_from_string_missing_attribute() -> None:
    with pytest.raises(ImportFromStringError, match='Attribute "nope" not found in module "os"'):
        import_from_string("os:nope")


def test_import_error_inside_module_is_not_masked(tmp_path: Path, clean_imports: None) -> None:
    write(tmp_path / "broken_mod_q.py", "import missing_dependency_q\n")
    sys.path.insert(0, str(tmp_path))
    with pytest.raises(ModuleNotFoundError, match="missing_dependency_q"):
        import_from_string("broken_mod_q:app")


def test_is_import_string(tmp_path: Path) -> None:
    assert is_import_string("main:app")
    assert not is_import_string("main.py")
    weird = write(tmp_path / "a:b.py")
    assert not is_import_string(str(weird))


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (["main.py", "app.py", "api.py"], "main.py"),
        (["app.py", "api.py"], "app.py"),
        (["api.py"], "api.py"),
        (["app/main.py", "app/api.py"], "app/main.py"),
        (["app/app.py", "app/api.py"], "app/app.py"),
        (["app/api.py"], "app/api.py"),
        (["api.py", "app/main.py"], "api.py"),
    ],
)
def test_discovery_order(tmp_path: Path, files: list[str], expected: str) -> None:
    for name in files:
        write(tmp_path / name)
    assert find_module_file(tmp_path) == (tmp_path / expected).resolve()


def test_discovery_errors(tmp_path: Path) -> None:
    with pytest.raises(ImportFromStringError, match="Could not find an app file"):
        find_module_file(tmp_path)
    with pytest.raises(ImportFromStringError, match="does not exist"):
        find_module_file(tmp_path / "missing.py")


def test_module_target_walks_packages(tmp_path: Path) -> None:
    write(tmp_path / "proj" / "pkg" / "__init__.py", "")
    write(tmp_path / "proj" / "pkg" / "sub" / "__init__.py", "")
    file = write(tmp_path / "proj" / "pkg" / "sub" / "main.py")
    target = module_target(file)
    assert target.module == "pkg.sub.main"
    assert target.sys_path == str(tmp_path / "proj")
    plain = write(tmp_path / "loose.py")
    assert module_target(plain).module == "loose"


def test_discover_app_in_package_with_relative_import(
    tmp_path: Path, clean_imports: None, caplog: pytest.LogCaptureFixture
) -> None:
    write(tmp_path / "svc_pkg_a" / "__init__.py", "")
    write(tmp_path / "svc_pkg_a" / "helpers.py", "VALUE = 7\n")
    write(
        tmp_path / "svc_pkg_a" / "main.py",
        "from .helpers import VALUE\n" + APP_SOURCE.replace("pass", "return VALUE"),
    )
    import_string, app = discover_app(tmp_path / "svc_pkg_a")
    assert import_string == "svc_pkg_a.main:app"
    assert callable(app)
    assert str(tmp_path) in sys.path


def test_discover_prefers_app_then_api(tmp_path: Path, clean_imports: None) -> None:
    write(tmp_path / "both_q.py", "app = 'the app'\napi = 'the api'\n")
    assert discover_app(tmp_path / "both_q.py") == ("both_q:app", "the app")
    write(tmp_path / "only_api_q.py", "api = 'the api'\n")
    assert discover_app(tmp_path / "only_api_q.py") == ("only_api_q:api", "the api")


def test_discover_without_app_attribute(tmp_path: Path, clean_imports: None) -> None:
    write(tmp_path / "nothing_q.py", "x = 1\n")
    with pytest.raises(ImportFromStringError, match="Could not find an app in module"):
        discover_app(tmp_path / "nothing_q.py")


def test_discover_bare_module_name(tmp_path: Path, clean_imports: None) -> None:
    write(tmp_path / "bare_mod_q.py", "api = 5\n")
    sys.path.insert(0, str(tmp_path))
    assert discover_app("bare_mod_q") == ("bare_mod_q:api", 5)


def test_load_app_dispatch(tmp_path: Path, clean_imports: None) -> None:
    marker = object()
    assert load_app(marker) is marker
    assert load_app("os:sep") == __import__("os").sep
    write(tmp_path / "main.py", "app = 'found'\n")
    assert load_app(str(tmp_path)) == "found"


def test_check_target_imports_nothing(tmp_path: Path, clean_imports: None) -> None:
    (tmp_path / "side_effect.py").write_text("raise SystemExit('imported!')\n")
    check_target("side_effect:app", app_dir=str(tmp_path))  # found, never run
    check_target(str(tmp_path / "side_effect.py"))
    check_target("json:loads")
    check_target(object())
    assert "side_effect" not in sys.modules


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("no_such_module_zz:app", 'Could not import module "no_such_module_zz".'),
        ("no_such_module_zz.sub:app", 'Could not import module "no_such_module_zz.sub".'),
        ("no_such_module_zz", 'Could not import module "no_such_module_zz".'),
        ("main:", "must be in format"),
        ("", "Could not find an app file"),
    ],
)
def test_check_target_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ImportFromStringError, match=message.replace(".", r"\.")):
        check_target(target, app_dir=str(tmp_path))


def test_format_load_error_keeps_only_the_apps_frames(tmp_path: Path, clean_imports: None) -> None:
    (tmp_path / "outer.py").write_text("import inner\n")
    (tmp_path / "inner.py").write_text("import missing_dependency_zz\n")
    sys.path.insert(0, str(tmp_path))
    with pytest.raises(ModuleNotFoundError) as caught:
        load_app("outer:app")
    text = format_load_error(caught.value)
    lines = text.splitlines()
    assert lines[0] == "No module named 'missing_dependency_zz'"
    assert lines[1] == "Traceback (most recent call last):"
    files = [line.strip() for line in lines if line.strip().startswith("File ")]
    assert files == [
        f'File "{__file__}", line {caught.traceback[0].lineno + 1}, in {caught.traceback[0].name}',
        f'File "{tmp_path / "outer.py"}", line 1, in <module>',
        f'File "{tmp_path / "inner.py"}", line 1, in <module>',
    ]
    assert lines[-1] == "ModuleNotFoundError: No module named 'missing_dependency_zz'"
    assert format_load_error(ImportFromStringError("nope")) == "nope"
