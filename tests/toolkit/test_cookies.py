"""Tests for zephyr._cookies: request Cookie parsing and Set-Cookie building."""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime

import pytest

from zephyr._cookies import MAX_COOKIE_PAIRS, build_set_cookie, parse_cookie_header


class TestParse:
    def test_simple(self) -> None:
        assert parse_cookie_header("a=1; b=2") == {"a": "1", "b": "2"}

    def test_whitespace_and_empty(self) -> None:
        assert parse_cookie_header("  a = 1 ;;  ; b=  ") == {"a": "1", "b": ""}
        assert parse_cookie_header("") == {}
        assert parse_cookie_header(";;;") == {}

    def test_quoted_values(self) -> None:
        assert parse_cookie_header('a="x y"') == {"a": "x y"}
        assert parse_cookie_header(r'a="q\"z"') == {"a": 'q"z'}
        assert parse_cookie_header(r'a="\073"') == {"a": ";"}
        assert parse_cookie_header('a="unbalanced') == {"a": '"unbalanced'}
        assert parse_cookie_header('a=""') == {"a": ""}

    def test_no_equals_goes_to_empty_name(self) -> None:
        assert parse_cookie_header("flag") == {"": "flag"}
        assert parse_cookie_header("a=1; flag") == {"a": "1", "": "flag"}

    def test_value_keeps_later_equals(self) -> None:
        assert parse_cookie_header("token=abc==; x=a=b") == {"token": "abc==", "x": "a=b"}

    def test_duplicates_keep_last(self) -> None:
        assert parse_cookie_header("a=1; a=2; a=3") == {"a": "3"}

    def test_non_ascii(self) -> None:
        assert parse_cookie_header("name=café") == {"name": "café"}

    def test_bounded_pair_count(self) -> None:
        header = "; ".join(f"k{i}=v" for i in range(MAX_COOKIE_PAIRS + 50))
        assert len(parse_cookie_header(header)) == MAX_COOKIE_PAIRS

    @pytest.mark.parametrize(
        "hostile",
        [
            "a=" + '"' * 1_000_000,
            "a=" + "\\" * 1_000_000,
            ";" * 1_000_000,
            "=" * 1_000_000,
            '"\\' * 500_000,
            'a="' + '\\"' * 499_999 + '"',
        ],
    )
    def test_hostile_header_is_linear(self, hostile: str) -> None:
        start = time.perf_counter()
        parse_cookie_header(hostile)
        # Quadratic work on a megabyte takes minutes. Linear work takes ~0.3 s
        # on an idle machine, up to ~0.7 s on a busy shared one, and a few
        # times that under coverage's tracer (scripts/test).
        assert time.perf_counter() - start < (6.0 if "coverage" in sys.modules else 2.0)


class TestBuild:
    def test_defaults(self) -> None:
        assert build_set_cookie("a", "b") == "a=b; Path=/; SameSite=lax"

    def test_all_attributes(self) -> None:
        value = build_set_cookie(
            "sid",
            "v",
            max_age=60,
            path="/p",
            domain="example.com",
            secure=True,
            httponly=True,
            samesite="strict",
        )
        parts = value.split("; ")
        assert parts[0] == "sid=v"
        assert set(parts[1:]) == {
            "Domain=example.com",
            "HttpOnly",
            "Max-Age=60",
            "Path=/p",
            "SameSite=strict",
            "Secure",
        }

    def test_value_is_quoted_when_needed(self) -> None:
        assert build_set_cookie("a", "b c;", path=None, samesite=None) == 'a="b c\\073"'

    def test_expires_forms(self) -> None:
        when = datetime(2030, 1, 1, tzinfo=UTC)
        assert "expires=Tue, 01 Jan 2030 00:00:00 GMT" in build_set_cookie("a", expires=when)
        text = "Wed, 01 Jan 2031 00:00:00 GMT"
        assert f"expires={text}" in build_set_cookie("a", expires=text)
        relative = build_set_cookie("a", expires=0)
        assert "expires=" in relative
        assert relative.split("expires=")[1].split(";")[0].endswith("GMT")

    def test_samesite_validated(self) -> None:
        assert "SameSite=None" in build_set_cookie("a", samesite="None")  # type: ignore[arg-type]
        with pytest.raises(AssertionError, match="samesite"):
            build_set_cookie("a", samesite="bogus")  # type: ignore[arg-type]

    def test_bad_key_rejected(self) -> None:
        with pytest.raises(Exception, match="Illegal key"):
            build_set_cookie("bad key", "v")


@pytest.mark.parametrize(
    "header",
    ["a=1; b=2", 'a=1; a=2; b="x y"', "flag; =v; c= 3 ", r'q="a\"b"; e=', "k=v=w;;"],
)
def test_matches_starlette_black_box(header: str) -> None:
    requests = pytest.importorskip("starlette.requests")
    assert parse_cookie_header(header) == requests.cookie_parser(header)


@pytest.mark.skipif(sys.version_info >= (3, 14), reason="Morsel has Partitioned from 3.14")
@pytest.mark.parametrize("method", ["set_cookie", "delete_cookie"])
def test_partitioned_is_refused_before_python_3_14(method: str) -> None:
    from zephyr.responses import Response

    response = Response()
    with pytest.raises(ValueError, match=r"only supported in Python 3\.14"):
        getattr(response, method)("chip", secure=True, samesite="none", partitioned=True)
    assert "set-cookie" not in response.headers
    response.delete_cookie("chip")
    assert "Partitioned" not in response.headers["set-cookie"]
