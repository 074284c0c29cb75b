"""``--compat``: unmodified FastAPI and Starlette sources run on zephyr's own framework."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import httpx

from tests.compat.test_peer_apps import _cases, _comparable


def test_unmodified_apps_answer_like_the_originals(
    compat_pair: tuple[str, httpx.Client, httpx.Client],
) -> None:
    app, zephyr, uvicorn = compat_pair
    for method, url, kwargs in _cases(app):
        z = zephyr.request(method, url, follow_redirects=False, **kwargs)
        u = uvicorn.request(method, url, follow_redirects=False, **kwargs)
        if url == "/docs":
            # zephyr serves the docs UI's assets itself (offline); the page differs.
            assert (z.status_code, z.headers["content-type"]) == (
                u.status_code,
                u.headers["content-type"],
            )
            assert b"/openapi.json" in z.content
            continue
        if url == "/openapi.json":
            # The same document; only the key order inside schemas may differ.
            assert z.json() == u.json()
            continue
        assert _comparable(z) == _comparable(u), f"{app}: {method} {url}"


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_foreign_names_resolve_to_zephyr_objects() -> None:
    result = _run(
        """
        import zephyr.compat
        zephyr.compat.install()
        import fastapi, fastapi.responses, zephyr, zephyr.responses
        from fastapi import FastAPI, APIRouter
        from fastapi.exceptions import RequestValidationError, HTTPException
        from fastapi.security.oauth2 import OAuth2PasswordBearer
        from starlette.applications import Starlette
        from starlette.requests import Request
        from starlette.routing import Route
        import zephyr.applications, zephyr.api_exceptions, zephyr.security.oauth2

        assert FastAPI is zephyr.applications.Zephyr
        assert Starlette is zephyr.applications.BaseApp
        assert Request is zephyr.Request
        assert fastapi.responses is zephyr.responses
        assert RequestValidationError is zephyr.api_exceptions.RequestValidationError
        assert OAuth2PasswordBearer is zephyr.security.oauth2.OAuth2PasswordBearer
        from fastapi.utils import generate_unique_id  # what strawberry's router imports
        import zephyr._api.routing
        assert generate_unique_id is zephyr._api.routing.generate_unique_id
        assert APIRouter.__module__.startswith("zephyr.")
        assert zephyr.responses.__spec__.name == "zephyr.responses"
        assert fastapi.__version__ == zephyr.compat.FASTAPI_VERSION
        assert "FastAPI" in fastapi.__all__
        try:
            from fastapi.responses import NoSuchResponse
        except ImportError:
            pass
        else:
            raise AssertionError("missing name imported")
        try:
            import starlette.no_such_module
        except ModuleNotFoundError as exc:
            assert "zephyr.no_such_module" in str(exc), exc
        zephyr.compat.uninstall()
        import sys
        assert not [n for n in sys.modules if n.partition(".")[0] in ("fastapi", "starlette")]
        print("ok")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_starlette_status_names_itself_and_keeps_warning() -> None:
    result = _run(
        """
        import warnings
        import zephyr.compat
        zephyr.compat.install()
        import starlette.status as status
        from starlette.exceptions import StarletteDeprecationWarning
        assert status.HTTP_200_OK == 200
        try:
            status.HTTP_999_NOPE
        except AttributeError as exc:
            assert "module 'starlette.status' has no attribute 'HTTP_999_NOPE'" in str(exc), exc
        else:
            raise AssertionError("unknown status name resolved")
        for _ in range(2):  # The shim must not cache the warning away.
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                assert status.HTTP_413_REQUEST_ENTITY_TOO_LARGE == 413
            assert [w.category for w in caught] == [StarletteDeprecationWarning], caught
        print("ok")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_install_refuses_after_the_real_fastapi_was_imported() -> None:
    result = _run(
        """
        import fastapi
        import zephyr.compat
        try:
            zephyr.compat.install()
        except RuntimeError as exc:
            print(exc)
        """
    )
    assert result.returncode == 0, result.stderr
    assert "must run before fastapi/starlette are imported" in result.stdout
    assert "fastapi" in result.stdout


def test_foreign_packages_have_a_real_path_and_installed_metadata() -> None:
    # Tools locate a framework's own frames from __path__[0] (blockbuster), and
    # libraries gate features on importlib.metadata.version(...).
    result = _run(
        """
        import importlib.metadata, os
        import zephyr.compat
        zephyr.compat.install()
        import fastapi, starlette, zephyr

        for module in (fastapi, starlette):
            assert module.__path__ and os.path.isdir(module.__path__[0]), module.__path__
            assert os.path.samefile(module.__path__[0], zephyr.__path__[0])
        assert importlib.metadata.version("starlette") == zephyr.compat.STARLETTE_VERSION
        assert importlib.metadata.version("FastAPI") == zephyr.compat.FASTAPI_VERSION
        meta = importlib.metadata.metadata("starlette")
        assert meta["Name"] == "starlette" and "zephyr" in meta["Summary"], dict(meta)
        import starlette.middleware.cors  # submodules still come through the hook
        assert starlette.middleware.cors.__name__ == "zephyr.middleware.cors"
        print("ok")
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
