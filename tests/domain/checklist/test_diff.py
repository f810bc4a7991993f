"""Comparing two versions of a checklist."""
from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from inspect_app.domain.checklist.model import Checklist, Item, Section
from inspect_app.domain.checklist.diff import diff


def _cl(items, version="1"):
    return Checklist(id="c", version=version, title="表", department="fire", kind="inspection",
                     sections=(Section(id="s", title="节", items=tuple(items)),))


def test_added_removed_and_changed_items_are_reported():
    a = Item(id="A", text="甲", type="check", points=Fraction(10))
    b = Item(id="B", text="乙", type="check", points=Fraction(5))
    c = Item(id="C", text="丙", type="check", points=Fraction(5))
    change = diff(_cl([a, b]), _cl([replace(a, points=Fraction(12)), c], version="2"))
    kinds = {(x.item_id, x.kind) for x in change.items}
    assert kinds == {("A", "changed"), ("B", "removed"), ("C", "added")}
    assert next(x for x in change.items if x.item_id == "A").fields == ("points",)


def test_identical_versions_are_unchanged():
    a = Item(id="A", text="甲", type="check", points=Fraction(10))
    assert diff(_cl([a]), _cl([a], version="2")).unchanged
