"""The benchmark verifier accepts right answers and rejects every kind of wrong one."""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from benchmarks import verify
from benchmarks.apps._common import parse_queries, render_fortunes
from benchmarks.database import ADDED_FORTUNE, FORTUNES
from benchmarks.verify import Reply

HEADERS = {"server": "test", "date": "Sat, 21 Nov 2026 12:00:00 GMT"}


def reply(body: Any, ctype: str = "application/json", status: int = 200, **drop: bool) -> Reply:
    """A reply with Server/Date; ``server=True``/``date=True`` drop that header."""
    headers = {k: v for k, v in HEADERS.items() if not drop.get(k)}
    headers["content-type"] = ctype
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Reply(status, headers, raw)


def html_reply(text: str, ctype: str = "text/html; charset=utf-8") -> Reply:
    return reply(text.encode(), ctype)


def worlds(*pairs: tuple[int, Any]) -> list[dict[str, Any]]:
    return [{"id": i, "randomNumber": n} for i, n in pairs]


# -- common rules -------------------------------------------------------------


def test_plaintext_right_answer_passes() -> None:
    assert verify.check_plaintext(reply(b"Hello, World!", "text/plain; charset=utf-8")) == []


@pytest.mark.parametrize("missing", ["server", "date"])
def test_missing_server_or_date_header_fails(missing: str) -> None:
    problems = verify.check_plaintext(reply(b"Hello, World!", "text/plain", **{missing: True}))
    assert problems == [f"missing {missing.title()} header"]


def test_wrong_status_content_type_and_body_each_reported() -> None:
    problems = verify.check_plaintext(reply(b"Hello, world", "text/html", status=201))
    assert len(problems) == 3
    assert "status 201" in problems[0]
    assert "content-type 'text/html'" in problems[1]
    assert "b'Hello, world'" in problems[2]


def test_json_message_checked() -> None:
    assert verify.check_json(reply({"message": "Hello, World!"})) == []
    assert verify.check_json(reply({"message": "Hello, World"}))
    assert verify.check_json(reply({"message": "Hello, World!"}, "text/plain"))
    assert "not JSON" in verify.check_json(reply(b"{nope"))[0]


# -- database tests -----------------------------------------------------------


def test_db_single_object_in_range() -> None:
    assert verify.check_db(reply({"id": 1, "randomNumber": 10_000})) == []


@pytest.mark.parametrize(
    "body",
    [
        [{"id": 1, "randomNumber": 5}],  # a list, not an object
        {"id": 0, "randomNumber": 5},  # id below range
        {"id": 10_001, "randomNumber": 5},  # id above range
        {"id": 5, "randomNumber": "5"},  # a string, not an int
        {"id": 5, "randomNumber": True},  # bool is not an int here
        {"id": 5, "randomNumber": 5.0},  # nor is a float
        {"id": 5},  # field missing
        {"id": 5, "randomnumber": 5},  # TechEmpower spells it randomNumber
        {"id": 5, "randomNumber": 5, "extra": 1},
    ],
)
def test_db_wrong_shapes_and_ranges_fail(body: Any) -> None:
    assert verify.check_db(reply(body))


@pytest.mark.parametrize(("raw", "count"), [("", 1), ("foo", 1), ("0", 1), ("7", 7), ("501", 500)])
def test_query_count_clamp(raw: str, count: int) -> None:
    assert parse_queries(raw) == count


def test_queries_count_must_match_the_clamp() -> None:
    five_hundred = worlds(*[(i, i) for i in range(1, 501)])
    assert verify.check_queries(reply(five_hundred), 500) == []
    # Not clamped: 501 objects for ?queries=501.
    too_many = [*five_hundred, {"id": 1, "randomNumber": 1}]
    assert "501 objects, expected 500" in verify.check_queries(reply(too_many), 500)[0]
    # ?queries=0 must still give one object, not an empty list.
    assert verify.check_queries(reply([]), 1) == ["0 objects, expected 1"]


def test_queries_rejects_out_of_range_member_and_non_list() -> None:
    assert verify.check_queries(reply(worlds((1, 2), (3, 10_001))), 2)
    assert verify.check_queries(reply({"id": 1, "randomNumber": 1}), 1)


class FakeDb:
    """World rows as the database holds them after an updates request."""

    def __init__(self, rows: Mapping[int, int]) -> None:
        self.rows = dict(rows)
        self.asked: list[list[int]] = []

    def __call__(self, ids: Sequence[int]) -> Mapping[int, int]:
        self.asked.append(list(ids))
        return {i: self.rows[i] for i in ids if i in self.rows}


def test_updates_must_be_persisted() -> None:
    body = worlds((3, 30), (1, 10))
    db = FakeDb({1: 10, 3: 30})
    assert verify.check_updates(reply(body), 2, db) == []
    assert db.asked == [[1, 3]]
    stale = FakeDb({1: 10, 3: 999})
    assert "not persisted for ids [3]" in verify.check_updates(reply(body), 2, stale)[0]


def test_updates_duplicate_id_may_keep_either_number() -> None:
    body = worlds((5, 50), (5, 51))
    assert verify.check_updates(reply(body), 2, FakeDb({5: 51})) == []
    assert verify.check_updates(reply(body), 2, FakeDb({5: 50})) == []
    assert verify.check_updates(reply(body), 2, FakeDb({5: 52}))


def test_updates_shape_checked_before_the_database() -> None:
    db = FakeDb({})
    assert verify.check_updates(reply(worlds((1, 0))), 1, db)
    assert db.asked == []


# -- fortunes -----------------------------------------------------------------


def test_the_shipped_template_passes() -> None:
    page = render_fortunes(list(FORTUNES))
    assert verify.check_fortunes(html_reply(page)) == []


def test_expected_page_has_added_row_sorted_escaped_and_utf8() -> None:
    page = verify.expected_fortunes_html()
    assert "<tr><td>0</td><td>Additional fortune added at request time.</td></tr>" in page
    assert "&lt;script&gt;alert(&quot;This should not" in page
    # Sorted by message, by code point: "<" sorts before "A", the Japanese row last.
    assert page.index("<tr><td>11</td>") < page.index("<tr><td>4</td>")
    assert page.index("<tr><td>2</td>") < page.index("<tr><td>0</td>")
    assert page.rindex("<tr>") == page.index("<tr><td>12</td>")
    assert "\u30d5\u30ec\u30fc\u30e0\u30ef\u30fc\u30af" in page


def test_other_escape_spellings_and_whitespace_are_equivalent() -> None:
    page = verify.expected_fortunes_html()
    spelled = page.replace("&quot;", "&#34;").replace("&#x27;", "&#39;").replace("><", ">\n  <")
    assert verify.check_fortunes(html_reply(spelled.replace("<!DOCTYPE", "<!doctype"))) == []


def _page(rows: list[tuple[int, str]]) -> str:
    cells = "".join(f"<tr><td>{i}</td><td>{html.escape(m)}</td></tr>" for i, m in rows)
    return (
        "<!DOCTYPE html><html><head><title>Fortunes</title></head><body><table>"
        f"<tr><th>id</th><th>message</th></tr>{cells}</table></body></html>"
    )


def _sorted_rows() -> list[tuple[int, str]]:
    return sorted([*FORTUNES, ADDED_FORTUNE], key=lambda row: row[1])


def test_unescaped_script_fails() -> None:
    page = _page(_sorted_rows()).replace("&lt;script&gt;", "<script>")
    problems = verify.check_fortunes(html_reply(page))
    assert "the <script> fortune is not escaped" in problems


def test_missing_added_row_fails() -> None:
    rows = [r for r in _sorted_rows() if r != ADDED_FORTUNE]
    assert verify.check_fortunes(html_reply(_page(rows)))


def test_unsorted_rows_fail() -> None:
    rows = sorted([*FORTUNES, ADDED_FORTUNE])  # by id, not by message
    assert "page differs" in verify.check_fortunes(html_reply(_page(rows)))[0]


def test_mangled_utf8_fails() -> None:
    page = _page(_sorted_rows())
    mojibake = page.encode("utf-8").decode("latin-1").encode("utf-8")
    assert verify.check_fortunes(reply(mojibake, "text/html; charset=utf-8"))
    assert verify.check_fortunes(reply(page.encode("utf-16"), "text/html; charset=utf-8")) == [
        "body is not valid UTF-8"
    ]


def test_fortunes_needs_html_with_utf8_charset() -> None:
    page = _page(_sorted_rows())
    assert verify.check_fortunes(html_reply(page, "text/html")) == [
        "content-type does not declare charset=utf-8"
    ]
    assert verify.check_fortunes(html_reply(page, "text/plain; charset=utf-8"))


# -- API endpoints --------------------------------------------------------------


def test_item_params_echo() -> None:
    assert verify.check_item(reply({"item_id": 42, "q": "abc", "limit": 5}), 42, "abc", 5) == []
    assert verify.check_item(reply({"item_id": "42", "q": "abc", "limit": 5}), 42, "abc", 5)
    assert verify.check_item(reply({"item_id": 42, "q": "abc", "limit": 10}), 42, "abc", 5)


def test_invalid_input_must_be_a_4xx() -> None:
    assert verify.check_rejected(reply({"detail": []}, status=422)) == []
    assert verify.check_rejected(reply({"detail": []}, status=400)) == []
    assert verify.check_rejected(reply({"name": "x"}, status=200))
    assert verify.check_rejected(reply(b"boom", "text/plain", status=500))


def test_model_echo_fills_defaults_and_coerces_price() -> None:
    sent = {"name": "x", "price": 3}
    assert verify.check_model_echo(reply({"name": "x", "price": 3.0, "tags": []}), sent) == []
    assert verify.check_model_echo(reply({"name": "x", "price": 3}), sent)  # tags default missing
    assert verify.check_model_echo(reply({"name": "x", "price": 4.0, "tags": []}), sent)


def test_dependency_value() -> None:
    assert verify.check_value(reply({"value": 3}), 3) == []
    assert verify.check_value(reply({"value": 2}), 3)
