"""Test data for scoring: a small star-grading checklist, and hypothesis strategies for
random checklists and random valid answers to them."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from fractions import Fraction

from hypothesis import HealthCheck, assume, settings, strategies as st

from inspect_app.domain.checklist.model import Checklist, Item, Level, Section
from inspect_app.domain.scoring.single import number_text

PROPERTY = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

# A small star-grading checklist: environment 30 points, services 70.
STAR = Checklist(
    id="star", version="2026.1", title="养老机构等级评定", department="civil_affairs", kind="grading",
    sections=(
        Section("env", "环境", (
            Item("E1", "选址安全", "check", Fraction(10), veto=True, na=False),
            Item("E2", "无障碍设施", "scale", Fraction(20), step=Fraction("2.5"),
                 pass_min=Fraction(10)))),
        Section("srv", "服务", (
            Item("S1", "护理员培训率", "measure", Fraction(30), unit="%", min=Fraction(90)),
            Item("S2", "健康档案", "check", Fraction(40))))),
    levels=(Level(1, Fraction(30)),
            Level(2, Fraction(60), {"srv": Fraction(50)}),
            Level(3, Fraction(90), {"srv": Fraction(60)})))

QUARTER = Fraction(1, 4)
POINTS = st.sampled_from(["0.5", "1", "2", "2.5", "3", "4", "5", "7.25", "10", "12.5", "40"]).map(Fraction)
STEPS = st.sampled_from(["0.25", "0.5", "1", "2.5"]).map(Fraction)
BOUND = st.integers(-40, 400).map(lambda k: k * QUARTER)


@st.composite
def items(draw, item_id: str) -> Item:
    kind = draw(st.sampled_from(["check", "scale", "measure"]))
    points = draw(POINTS)
    common = dict(id=item_id, text="检查项", type=kind, points=points,
                  veto=draw(st.booleans()), na=draw(st.booleans()))
    if kind == "scale":
        top = int(points / QUARTER)
        return Item(**common, step=draw(STEPS), pass_min=draw(st.integers(0, top)) * QUARTER)
    if kind == "measure":
        low, high = sorted((draw(BOUND), draw(BOUND)))
        low, high = draw(st.sampled_from([(low, None), (None, high), (low, high)]))
        return Item(**common, unit="%", min=low, max=high)
    return Item(**common)


@st.composite
def checklists(draw, kinds=("grading", "inspection")) -> Checklist:
    sections = []
    for s in range(draw(st.integers(1, 4))):
        section_items = tuple(draw(items(f"S{s}-{k:02d}")) for k in range(draw(st.integers(1, 5))))
        sections.append(Section(id=f"sec{s}", title=f"第{s}部分", items=section_items))
    kind = draw(st.sampled_from(kinds))
    draft = Checklist(id="random", version="1", title="随机检查表", department="civil_affairs",
                      kind=kind, sections=tuple(sections))
    if kind != "grading":
        return draft
    return replace(draft, levels=draw(levels(draft)))


@st.composite
def levels(draw, checklist: Checklist) -> tuple[Level, ...]:
    """Up to five levels, min_total strictly rising within [0, max], random section minima."""
    steps = int(checklist.max / QUARTER)
    totals = sorted(draw(st.sets(st.integers(0, steps), max_size=5)))
    result = []
    for number, total in enumerate(totals, start=1):
        minima = {}
        for section in checklist.sections:
            if draw(st.booleans()):
                minima[section.id] = draw(st.integers(0, int(section.max / QUARTER))) * QUARTER
        result.append(Level(level=number, min_total=total * QUARTER, min_sections=minima))
    return tuple(result)


@st.composite
def answers(draw, item: Item) -> object:
    """A valid answer, as an exact value: "pass" | "fail" | "na" | Fraction."""
    if item.na and draw(st.integers(0, 4)) == 0:
        return "na"
    if item.type == "check":
        return draw(st.sampled_from(["pass", "fail"]))
    if item.type == "scale":
        return draw(st.integers(0, int(item.points / item.step))) * item.step
    near = [b + d for b in (item.min, item.max) if b is not None for d in (-QUARTER, 0, QUARTER)]
    return draw(st.sampled_from(near) | BOUND)


@st.composite
def responses(draw, checklist: Checklist) -> dict:
    """Valid exact answers to every item, at least one applicable."""
    result = {item.id: draw(answers(item)) for item in checklist.items}
    assume(any(value != "na" for value in result.values()))
    return result


def as_json_like(draw, value):
    """The same answer as a JSON reader might hand it over: int, float, Decimal or Fraction."""
    if not isinstance(value, Fraction):
        return value
    forms = [value, float(value), Decimal(number_text(value))]
    if value.denominator == 1:
        forms.append(int(value))
    return draw(st.sampled_from(forms))


def as_text(value) -> str:
    """The same answer as a CSV cell."""
    return number_text(value) if isinstance(value, Fraction) else value
