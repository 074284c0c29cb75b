"""Path operation decorators are typed: options are checked, not swallowed by ``**kwargs``."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from zephyr import APIRouter
from zephyr._api.options import AddRouteOptions, IncludeOptions

ROOT = Path(__file__).resolve().parents[2]

USER_CODE = """
from zephyr import APIRouter, FastAPI, Depends

app = FastAPI()
router = APIRouter()


def dep() -> int:
    return 1


@app.get("/", status_code=201, tags=["a"], dependencies=[Depends(dep)], summary="s")
def index() -> int:
    return 1


@router.api_route("/r", methods=["GET", "POST"], response_model=None, name="r")
def routed() -> int:
    return 1


app.include_router(router, prefix="/v1", tags=["b"], include_in_schema=False)
app.add_api_route("/y", index, methods=["GET"], route_class_override=None)


@app.get("/bad-type", status_code="200")
def bad_type() -> int:
    return 1


@router.post("/typo", sumary="typo")
def typo() -> int:
    return 1
"""


def test_options_match_add_api_route_and_include_router() -> None:
    add = inspect.signature(APIRouter.add_api_route).parameters
    assert set(AddRouteOptions.__optional_keys__) == set(add) - {"self", "path", "endpoint"}
    include = inspect.signature(APIRouter.include_router).parameters
    assert set(IncludeOptions.__optional_keys__) == set(include) - {"self", "router"}


def test_mypy_checks_user_code(tmp_path: Path) -> None:
    api = pytest.importorskip("mypy.api")
    source = tmp_path / "user_app.py"
    source.write_text(USER_CODE)
    # The project's cache (warm after the type-check step) keeps this quick.
    stdout, _, status = api.run(["--strict", "--cache-dir", str(ROOT / ".mypy_cache"), str(source)])
    errors = [line for line in stdout.splitlines() if ": error:" in line]
    assert status == 1
    assert len(errors) == 2, stdout
    assert 'Argument "status_code" to "get"' in errors[0]
    assert 'Unexpected keyword argument "sumary"' in errors[1]
