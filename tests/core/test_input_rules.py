"""The pure rules of the input edge: counts, control characters, bounded JSON."""
from __future__ import annotations

import time

import pytest

from inspect_app.core.json_body import RefusedBody, UnreadableBody, nesting_depth, read_json
from inspect_app.domain.counts import INT32_MAX, read_count
from inspect_app.domain.plain_text import forbidden_character, writable


@pytest.mark.parametrize("text, value", [("0", 0), ("100", 100), ("1,200", 1200), ("100.0", 100),
                                         (" 7 ", 7), ("2147483647", INT32_MAX), ("007", 7)])
def test_counts_as_spreadsheets_write_them(text, value):
    assert read_count(text) == (value, None)


@pytest.mark.parametrize("text, words", [
    ("inf", "not a number"), ("-inf", "not a number"), ("nan", "not a number"), ("1e400", "not a number"),
    ("1e3", "not a number"), ("²", "not a number"), ("١٢", "not a number"), ("１２", "not a number"),
    ("", "not a number"), ("很多", "not a number"), ("-3", "whole number ≥ 0"), ("2.5", "whole number ≥ 0"),
    ("2147483648", "larger than 2147483647"), ("9" * 5000, "larger than 2147483647"),
])
def test_what_no_integer_column_holds_is_not_a_count(text, words):
    value, why = read_count(text)
    assert value is None and words in why


@pytest.mark.parametrize("text, char", [("a\x00b", "U+0000"), ("\x07", "U+0007"), ("x\x1f", "U+001F"),
                                        ("\x0b", "U+000B"), ("\ufffe", "U+FFFE"), ("ok\tok\r\n", None),
                                        ("养老院", None), ("", None)])
def test_control_characters_other_than_tab_and_line_ends_are_forbidden(text, char):
    assert forbidden_character(text) == char


def test_writable_text_replaces_what_xml_cannot_carry():
    assert writable("a\x00b\x1bc\td") == "a\ufffdb\ufffdc\td"
    assert writable(5) == 5 and writable(None) is None


@pytest.mark.parametrize("raw, depth", [(b"{}", 1), (b'{"a": [1, {"b": []}]}', 4), (b'"[[[["', 0),
                                        (b'["\\"[[", {}]', 2), (b'"unterminated [[', 0), (b"", 0)])
def test_depth_ignores_brackets_inside_strings(raw, depth):
    assert nesting_depth(raw) == depth


def test_deep_nesting_is_refused_before_parsing():
    with pytest.raises(RefusedBody) as exc:
        read_json(b"[" * 100_000 + b"]" * 100_000, max_depth=32)
    assert exc.value.problems == ["body: nested deeper than 32 levels (100000)"]


def test_depth_scan_stays_linear_on_hostile_quoting():
    hostile = b'"\\' * 500_000              # a quote and a backslash, a million bytes
    start = time.perf_counter()
    nesting_depth(hostile)
    assert time.perf_counter() - start < 2


def test_values_that_cannot_be_stored_are_located():
    raw = (b'{"v": NaN, "w": -Infinity, "x": 1e400, "y": 99999999999999999999, "z": 9223372036854775807,'
           b' "s": "a\\u0000", "l": ["ok", "\\u0007"], "n": {"k\\u001b": 1}}')
    with pytest.raises(RefusedBody) as exc:
        read_json(raw, max_depth=32)
    assert exc.value.problems == [
        "l[1]: contains a control character (U+0007)",
        "n.k\\x1b: the name contains a control character (U+001B)",
        "s: contains a control character (U+0000)",
        "v: NaN is not a number JSON allows",
        "w: -Infinity is not a number JSON allows",
        "x: 1e400 is outside the range of a number",
        "y: 99999999999999999999 is outside the 64-bit integer range",
    ]


def test_good_body_reads_as_json():
    assert read_json(b'{"a": [1, 2.5, "t\\tx"], "b": null}', max_depth=3) == {"a": [1, 2.5, "t\tx"], "b": None}


@pytest.mark.parametrize("raw", [b"not json", b'{"a": ', b"\xff\xfe\x00"])
def test_unreadable_body(raw):
    with pytest.raises(UnreadableBody):
        read_json(raw, max_depth=32)
