"""The chain check on plain rows (no database): each problem is named at its row or anchor."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

from inspect_app.domain import audit_chain as ac

KEY = b"k" * 32
KEYS = {ac.key_id(KEY): KEY}
T0 = datetime(2026, 11, 24, 2, 0, tzinfo=timezone.utc)


def build(n: int) -> list[ac.ChainRow]:
    rows, prev = [], ac.GENESIS
    for seq in range(1, n + 1):
        at = T0 + timedelta(minutes=seq)
        fields = ac.content(at, 1, "admin", "update", "institution", str(seq), None, {"beds": seq}, None)
        data = ac.chained_bytes(prev, fields)
        row = ac.ChainRow(seq * 10, seq, prev, ac.plain_hash(data), ac.row_mac(KEY, seq, data), ac.key_id(KEY),
                          at, fields)
        rows.append(row)
        prev = row.hash
    return rows


def check(rows, anchors=()) -> list[str]:
    checker = ac.ChainCheck(KEYS, anchors, timedelta(minutes=5), T0 + timedelta(days=1))
    for row in rows:
        checker.feed(row)
    return [str(p) for p in checker.finish().problems]


def test_an_intact_chain_has_no_problem_and_its_head():
    rows = build(4)
    checker = ac.ChainCheck(KEYS, [ac.Anchor(2, rows[1].hash, "kept")], timedelta(minutes=5), T0 + timedelta(days=1))
    for row in rows:
        checker.feed(row)
    report = checker.finish()
    assert (report.problems, report.rows, report.head) == ([], 4, (4, rows[3].hash))


def test_missing_rows_at_the_start_and_in_the_middle_are_named_with_their_numbers():
    rows = build(6)
    assert check(rows[2:]) == ["seq 3: rows 1–2 are missing"]
    assert check(rows[:2] + rows[4:]) == ["seq 5: rows 3–4 are missing"]


def test_an_anchor_on_a_deleted_row_is_reported_at_the_anchor():
    rows = build(6)
    assert check(rows[:2] + rows[4:], [ac.Anchor(3, rows[2].hash, "kept line 1")]) == [
        "seq 5: rows 3–4 are missing", "kept line 1: anchor at seq 3, which is missing from the chain"]


def test_a_row_pointing_at_the_wrong_predecessor_breaks_the_link():
    rows = build(3)
    assert check([rows[0], replace(rows[1], prev_hash="f" * 64), rows[2]]) == [
        "seq 2: link broken: its previous hash is not the hash of the row before",
        "seq 2: content does not match its hash (altered)",
        "seq 2: MAC does not match (altered, or re-hashed without the key)"]


def test_anchor_lines_round_trip_and_a_head_line_feeds_expect_head():
    anchor = ac.Anchor(7, "a" * 64, "x", day="2026-11-24", at=T0.isoformat(), key_id=ac.key_id(KEY),
                       mac=ac.anchor_mac(KEY, "2026-11-24", 7, "a" * 64, T0.isoformat()))
    [back] = ac.parse_anchor_lines(ac.anchor_line(anchor) + "\n", "f")
    assert back == replace(anchor, source="f line 1")
    assert ac.parse_expect_head(ac.head_line(7, "a" * 64, T0).split()[0]) == ac.Anchor(7, "a" * 64, "--expect-head")


def test_key_ids_name_keys_without_revealing_them():
    assert ac.key_id(KEY) == ac.key_id(b"k" * 32) != ac.key_id(b"j" * 32)
    assert len(ac.key_id(KEY)) == 12
    ring = ac.keyring("new", ["old1", "old2"])
    assert ring.signing == b"new" and set(ring.by_id) == {ac.key_id(b"new"), ac.key_id(b"old1"), ac.key_id(b"old2")}
    assert ac.split_keys(" a, b\nc ") == ("a", "b", "c")
