"""A route with Form/File parameters checks python-multipart as it is built, as FastAPI does."""

from __future__ import annotations

import sys
import types
import warnings

import pytest

from zephyr import FastAPI, File, Form, UploadFile
from zephyr.formparsers import MULTIPART_NOT_INSTALLED, MULTIPART_WRONG_PACKAGE


def _form_route() -> None:
    app = FastAPI()

    @app.post("/")
    async def root(name: str = Form(), upload: UploadFile = File()) -> str:
        return name  # pragma: no cover


@pytest.fixture
def old_python_multipart(monkeypatch: pytest.MonkeyPatch) -> None:
    """python_multipart reports 0.0.12: only the ``multipart`` name counts."""
    monkeypatch.setattr("python_multipart.__version__", "0.0.12")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import multipart  # noqa: F401  (python-multipart's alias; warns that it is one)


def test_a_current_install_builds_the_route() -> None:
    _form_route()


@pytest.mark.usefixtures("old_python_multipart")
def test_the_old_import_name_is_enough() -> None:
    _form_route()


@pytest.mark.usefixtures("old_python_multipart")
def test_another_multipart_package_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr("multipart.multipart.parse_options_header")
    with pytest.raises(RuntimeError) as raised:
        _form_route()
    assert str(raised.value) == MULTIPART_WRONG_PACKAGE
    assert "pip uninstall multipart" in MULTIPART_WRONG_PACKAGE


@pytest.mark.usefixtures("old_python_multipart")
def test_nothing_installed_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr("multipart.__version__")
    with pytest.raises(RuntimeError, match="python-multipart, which is not installed"):
        _form_route()


def test_no_module_at_all(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "python_multipart", None)  # import fails
    monkeypatch.setitem(sys.modules, "multipart", None)
    with pytest.raises(RuntimeError) as raised:
        _form_route()
    assert str(raised.value) == MULTIPART_NOT_INSTALLED


def test_routes_without_form_fields_do_not_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "python_multipart", None)
    monkeypatch.setitem(sys.modules, "multipart", types.ModuleType("multipart"))
    app = FastAPI()

    @app.post("/json")
    async def json_body(payload: dict[str, int]) -> dict[str, int]:
        return payload  # pragma: no cover
