"""On-the-spot rectification (当场整改): which failed items may be closed during the visit and
what the mark needs (domain/rectification/on_spot.py)."""
from __future__ import annotations

from types import SimpleNamespace as Item

import pytest

from inspect_app.domain.rectification import on_spot


@pytest.mark.parametrize("severity, veto, allowed", [
    ("minor", False, True),        # a minor item; in the food checklist a general item (一般项目)
    ("major", False, False),       # a key item of the food checklist is major or critical
    ("critical", False, False),
    ("critical", True, False),
    ("minor", True, False),        # a veto item never, whatever its severity
])
def test_only_minor_items_that_are_not_vetoes_may_be_rectified_on_the_spot(severity, veto, allowed):
    assert on_spot.allowed(Item(severity=severity, veto=veto)) is allowed


def test_refusals_name_why():
    assert on_spot.refusal(Item(severity="critical", veto=True)) == on_spot.REFUSED_VETO
    assert on_spot.refusal(Item(severity="critical", veto=False)) == on_spot.REFUSED_CRITICAL
    assert on_spot.refusal(Item(severity="major", veto=False)) == on_spot.REFUSED_MAJOR


def test_every_problem_of_the_marks_is_located_by_item():
    items = {"A": Item(severity="minor", veto=False), "B": Item(severity="critical", veto=True),
             "C": Item(severity="minor", veto=False), "D": Item(severity="minor", veto=False)}
    marks = {"A": "已当场清理通道", "B": "已修复", "C": "x", "D": "  ", "Z": "?"}
    problems = on_spot.problems(marks, items, failed=["A", "B", "D"], after_photos={"A": 1})
    assert problems == [
        "B: a veto item cannot be rectified on the spot",
        "C: only a failed item can be rectified on the spot",
        "D: say in a short note what was put right on the spot",
        "D: an on-the-spot rectification needs at least one photo taken after the fix",
        "Z: on-the-spot rectification of an unknown item",
    ]
    assert on_spot.problems({"A": "好" * on_spot.NOTE_MAX}, items, ["A"], {"A": 2}) == []
    assert on_spot.problems({"A": "好" * (on_spot.NOTE_MAX + 1)}, items, ["A"], {"A": 2}) == [
        f"A: the on-the-spot note is longer than {on_spot.NOTE_MAX} characters"]
