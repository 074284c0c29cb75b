"""Tests for zephyr.status."""

from __future__ import annotations

import http

import pytest

from zephyr import status


@pytest.mark.filterwarnings("ignore::zephyr.api_exceptions.ZephyrDeprecationWarning")
def test_every_httpstatus_has_a_constant() -> None:
    names = {name for name in dir(status) if name.startswith("HTTP_")}
    for code in http.HTTPStatus:
        matching = [n for n in names if n.startswith(f"HTTP_{code.value}_")]
        assert matching, f"no constant for {code.value}"
        assert all(getattr(status, n) == code.value for n in matching)


def test_well_known_values() -> None:
    assert status.HTTP_200_OK == 200
    assert status.HTTP_404_NOT_FOUND == 404
    assert status.HTTP_418_IM_A_TEAPOT == 418
    assert status.HTTP_422_UNPROCESSABLE_ENTITY == status.HTTP_422_UNPROCESSABLE_CONTENT == 422
    assert status.HTTP_306_RESERVED == 306


@pytest.mark.filterwarnings("ignore::zephyr.api_exceptions.ZephyrDeprecationWarning")
def test_websocket_codes() -> None:
    assert status.WS_1000_NORMAL_CLOSURE == 1000
    assert status.WS_1008_POLICY_VIOLATION == 1008
    assert status.WS_1011_INTERNAL_ERROR == 1011
    assert status.WS_1015_TLS_HANDSHAKE == 1015
    ws = [n for n in dir(status) if n.startswith("WS_")]
    assert len(ws) == 15
    assert all(int(n.split("_")[1]) == getattr(status, n) for n in ws)


def test_all_lists_every_constant() -> None:
    public = {n for n in dir(status) if n.startswith(("HTTP_", "WS_"))}
    assert set(status.__all__) == public


@pytest.mark.filterwarnings("ignore::zephyr.api_exceptions.ZephyrDeprecationWarning")
def test_same_names_as_starlette_black_box() -> None:
    import warnings

    peer = pytest.importorskip("starlette.status")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = {n: getattr(peer, n) for n in dir(peer) if n.startswith(("HTTP_", "WS_"))}
    ours = {n: getattr(status, n) for n in dir(status) if n.startswith(("HTTP_", "WS_"))}
    assert ours == theirs


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("HTTP_413_REQUEST_ENTITY_TOO_LARGE", "HTTP_413_CONTENT_TOO_LARGE", 413),
        ("HTTP_414_REQUEST_URI_TOO_LONG", "HTTP_414_URI_TOO_LONG", 414),
    ],
)
def test_superseded_names_warn_every_read_and_name_the_replacement(
    old: str, new: str, code: int
) -> None:
    from zephyr.api_exceptions import ZephyrDeprecationWarning

    for _ in range(2):  # Not cached after the first read: each read warns.
        with pytest.warns(ZephyrDeprecationWarning) as record:
            assert getattr(status, old) == code
        assert len(record) == 1
        assert f"{old!r} is deprecated. Use {new!r} instead." in str(record[0].message)
    assert old in dir(status) and old in status.__all__


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'HTTP_999_NOPE'"):
        status.HTTP_999_NOPE  # noqa: B018
