"""Tests for zephyr.exceptions."""

from __future__ import annotations

import pytest

from zephyr.exceptions import HTTPException, WebSocketException


def test_http_exception_defaults_to_phrase() -> None:
    exc = HTTPException(404)
    assert exc.status_code == 404
    assert exc.detail == "Not Found"
    assert exc.headers is None
    assert str(exc) == "404: Not Found"
    assert repr(exc) == "HTTPException(status_code=404, detail='Not Found')"


def test_http_exception_custom() -> None:
    exc = HTTPException(400, "bad input", headers={"X-Error": "1"})
    assert exc.detail == "bad input"
    assert exc.headers == {"X-Error": "1"}
    assert str(exc) == "400: bad input"
    with pytest.raises(HTTPException) as info:
        raise exc
    assert info.value.status_code == 400


def test_http_exception_unknown_status() -> None:
    assert HTTPException(599).detail == ""


def test_subclass_repr_uses_class_name() -> None:
    class MyError(HTTPException):
        pass

    assert repr(MyError(401)).startswith("MyError(status_code=401")


def test_websocket_exception() -> None:
    exc = WebSocketException(1008)
    assert exc.code == 1008
    assert exc.reason == ""
    assert str(exc) == "1008: "
    assert repr(exc) == "WebSocketException(code=1008, reason='')"
    assert WebSocketException(1011, "oops").reason == "oops"
