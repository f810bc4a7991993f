"""Example checklists for tests: two small files (an inspection and its grading twin), valid
checklists of every shape (hypothesis), and malformed data to throw at the validator."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from fractions import Fraction

from hypothesis import strategies as st

from inspect_app.domain.checklist.model import (DEPARTMENTS, EVIDENCE, SEVERITIES, Checklist, Item,
                                          Level, Section)
from inspect_app.domain.checklist.values import NOT_TEXT

INSPECTION = """\
id: fire-safety
version: "2026.1"
title: 养老机构消防安全检查表
department: fire
kind: inspection
sections:
  - id: facilities
    title: 消防设施
    items:
      - id: FIRE-01
        text: 火灾自动报警系统处于正常运行状态
        type: check
        points: 10
      - id: FIRE-02
        text: 灭火器压力正常
        type: scale
        points: 5
      - id: FIRE-03
        text: 疏散通道净宽度
        type: measure
        points: 5
        unit: m
        min: 1.4
  - id: management
    title: 消防管理
    items:
      - id: FIRE-04
        text: 已明确消防安全责任人
        type: check
        points: 10
"""
GRADING = INSPECTION.replace("kind: inspection", "kind: grading") + """\
levels:
  - level: 1
    min_total: 10
  - level: 2
    min_total: 20
    min_sections: {facilities: 15}
"""
ids = st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12)
characters = st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp"),
                           exclude_characters="\ufffe\uffff") | st.sampled_from("\n\t ")
texts = st.text(characters, min_size=1, max_size=30).filter(
    lambda s: s.strip() and not NOT_TEXT.search(s))
chinese = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF), min_size=1,
                  max_size=12)
any_text = chinese | texts
optional_text = st.none() | any_text


def decimals(low: str, high: str, places: int) -> st.SearchStrategy[Fraction]:
    """Exact decimal numbers, as a person writes them."""
    return st.decimals(Decimal(low), Decimal(high), places=places).map(lambda d: Fraction(str(d)))


@st.composite
def items(draw, item_id: str) -> Item:
    kind = draw(st.sampled_from(("check", "scale", "measure")))
    points = draw(decimals("0.01", "500", 2))
    extra: dict = {}
    if kind == "scale":
        extra["step"] = draw(decimals("0.01", "10", 2))
        extra["pass_min"] = points * draw(st.integers(0, 100)) / 100
    elif kind == "measure":
        extra["unit"] = draw(any_text)
        low = draw(st.none() | decimals("-1000", "1000", 3))
        high = draw(decimals("-1000", "1000", 3) if low is None else
                    st.none() | decimals(str(Decimal(low.numerator) / low.denominator), "2000", 3))
        extra.update(min=low, max=high)
    return Item(id=item_id, text=draw(any_text), type=kind, points=points,
                text_en=draw(optional_text), severity=draw(st.sampled_from(SEVERITIES)),
                veto=draw(st.booleans()), na=draw(st.booleans()),
                evidence=draw(st.sampled_from(EVIDENCE)),
                deadline_days=draw(st.none() | st.integers(1, 365)),
                basis=draw(optional_text), **extra)


@st.composite
def checklists(draw, kind: str | None = None) -> Checklist:
    section_ids = draw(st.lists(ids | any_text, min_size=1, max_size=4, unique=True))
    item_ids = iter(draw(st.lists(any_text, min_size=len(section_ids) * 4, unique=True,
                                  max_size=len(section_ids) * 4)))
    sections = tuple(
        Section(id=sid, title=draw(any_text), title_en=draw(optional_text),
                items=tuple(draw(items(next(item_ids))) for _ in range(draw(st.integers(1, 4)))))
        for sid in section_ids)
    kind = kind or draw(st.sampled_from(("inspection", "grading")))
    cl = Checklist(id=draw(ids), version=draw(any_text), title=draw(any_text),
                   department=draw(st.sampled_from(DEPARTMENTS)), kind=kind, sections=sections,
                   title_en=draw(optional_text), basis=tuple(draw(st.lists(any_text, max_size=3))))
    if kind == "grading":
        cl = replace(cl, levels=draw(levels(cl)))
    return cl


@st.composite
def levels(draw, cl: Checklist) -> tuple[Level, ...]:
    """Levels whose min_total strictly rises and whose section thresholds never fall."""
    numbers = sorted(draw(st.sets(st.integers(1, 5), min_size=1)))
    shares = sorted(draw(st.sets(st.integers(0, 100), min_size=len(numbers),
                                 max_size=len(numbers))))
    thresholded = draw(st.lists(st.sampled_from([s.id for s in cl.sections]), unique=True))
    floors: dict[str, int] = {}     # a threshold once set is set on every higher level
    out = []
    for number, share in zip(numbers, shares):
        min_sections = {}
        for section in cl.sections:
            if section.id in floors or section.id in thresholded and draw(st.booleans()):
                floors[section.id] = draw(st.integers(floors.get(section.id, 0), 100))
                min_sections[section.id] = section.max * floors[section.id] / 100
        out.append(Level(level=number, min_total=cl.max * share / 100, min_sections=min_sections))
    return tuple(out)


scalars = (st.none() | st.booleans() | st.integers(-10, 10**6) | st.floats(allow_nan=True)
           | st.text(max_size=8) | st.dates())
junk = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=8) | st.integers(), inner, max_size=3),
                    max_leaves=8)
