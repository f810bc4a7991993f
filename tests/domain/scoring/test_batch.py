"""score() sums points as integers over the checklist's common denominator and shares the
item scores of word answers; score_exact() is the plain Fraction path. They must give the
very same Score — compared by repr, so that an int where a Fraction belongs, or a different
field, fails — for any checklist and any answers, valid or not."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from fractions import Fraction as F

import pytest
from hypothesis import given, strategies as st

from inspect_app.domain.scoring import single as scoring
from inspect_app.domain.checklist.model import Checklist, Item, Section
from inspect_app.domain.scoring.single import InvalidResponses, score, score_exact, to_contract_dict
from tests.domain.scoring.data import PROPERTY, STAR, as_json_like, checklists, responses
from tests.domain.scoring.data import answers as valid_answer

# Point values and steps with denominators that decimal text never gives (3, 6, 7), so the
# common denominator is a real lcm, not a power of ten.
ODD = st.sampled_from([F(1, 3), F(7, 6), F(5, 7), F(2, 3), F(11, 4)])


@st.composite
def odd_checklists(draw) -> Checklist:
    checklist = draw(checklists())
    sections = []
    for section in checklist.sections:
        changed = []
        for item in section.items:
            if draw(st.booleans()):
                points = draw(ODD)
                if item.type == "scale":
                    item = replace(item, points=points * 6, step=points, pass_min=points * draw(st.integers(0, 6)))
                else:
                    item = replace(item, points=points)
            changed.append(item)
        sections.append(replace(section, items=tuple(changed)))
    return replace(checklist, sections=tuple(sections), levels=())


def outcome_of(function, checklist, answers):
    """The Score's repr, or the problems raised."""
    try:
        return repr(function(checklist, answers))
    except InvalidResponses as exc:
        return ("invalid", exc.problems)


def assert_same(checklist, answers):
    fast, exact = outcome_of(score, checklist, answers), outcome_of(score_exact, checklist, answers)
    assert fast == exact
    return fast


@PROPERTY
@given(st.data())
def test_fast_score_equals_the_fraction_path_for_valid_answers(data):
    checklist = data.draw(checklists())
    exact_answers = data.draw(responses(checklist))
    given_answers = {k: as_json_like(data.draw, v) for k, v in exact_answers.items()}
    result = assert_same(checklist, given_answers)
    assert not isinstance(result, tuple)
    assert to_contract_dict(score(checklist, given_answers), checklist) == \
        to_contract_dict(score_exact(checklist, given_answers), checklist)


@PROPERTY
@given(st.data())
def test_fast_score_equals_the_fraction_path_with_odd_denominators(data):
    checklist = data.draw(odd_checklists())
    assert_same(checklist, data.draw(responses(checklist)))


JUNK = st.sampled_from(["pass", "fail", "na", "PASS", " pass", "", "nan", None, True, False, 0, 1, -1,
                        2.5, 1e400, float("nan"), Decimal("0.25"), F(1, 3), [], {}, "7.5"])


@PROPERTY
@given(st.data())
def test_fast_score_equals_the_fraction_path_for_any_answers(data):
    """Words where numbers belong, numbers off the step or out of range, "na" where it is not
    allowed, missing and unknown items: the same problems, in the same order, or the same score."""
    checklist = data.draw(checklists())
    answers = {}
    for item in checklist.items:
        choice = data.draw(st.integers(0, 9))
        if choice == 0:
            continue                                        # not answered
        if choice <= 3:
            answers[item.id] = data.draw(JUNK)
        elif choice <= 5:
            answers[item.id] = data.draw(st.integers(-4, 4 * int(item.points) + 4)) * F(1, 4)
        else:
            answers[item.id] = as_json_like(data.draw, data.draw(valid_answer(item)))
    if data.draw(st.booleans()):
        answers["UNKNOWN-1"] = "pass"
    assert_same(checklist, answers)


def test_word_item_scores_are_shared_and_equal_to_fresh_ones():
    answers = {"E1": "pass", "E2": 20, "S1": 95, "S2": "fail"}
    first, second = score(STAR, answers), score(STAR, answers)
    assert first.items[0] is second.items[0]                # made once per checklist
    assert repr(first) == repr(second) == repr(score_exact(STAR, answers))


def test_a_city_form_of_200_check_items_scores_exactly():
    sections = tuple(Section(f"s{s}", f"第{s}部分", tuple(
        Item(f"B-{s * 20 + k:03d}", "检查项", "check", F(5), veto=(k == 3), na=True) for k in range(20)))
        for s in range(10))
    checklist = Checklist(id="bench", version="1", title="t", department="fire", kind="inspection",
                          sections=sections)
    ids = [item.id for item in checklist.items]
    for pattern in (("pass",), ("pass", "fail", "na"), ("na", "na", "fail")):
        answers = {item_id: pattern[n % len(pattern)] for n, item_id in enumerate(ids)}
        answers[ids[0]] = "pass"
        assert_same(checklist, answers)
    whole_section_na = {item_id: ("na" if item_id < "B-020" else "pass") for item_id in ids}
    result = score(checklist, whole_section_na)
    assert result.sections[0].score is None and result.total == 1000
    assert repr(result) == repr(score_exact(checklist, whole_section_na))


def test_a_checklist_with_duplicate_item_ids_takes_the_fraction_path():
    item = Item("X", "x", "check", F(2))
    checklist = Checklist(id="dup", version="1", title="t", department="fire", kind="inspection",
                          sections=(Section("a", "a", (item,)), Section("b", "b", (item,))))
    assert_same(checklist, {"X": "pass"})


def test_plans_are_kept_per_checklist_object():
    a = STAR
    b = replace(STAR, sections=(replace(STAR.sections[0], items=(
        replace(STAR.sections[0].items[0], points=F(12)),) + STAR.sections[0].items[1:]),) + STAR.sections[1:])
    answers = {"E1": "pass", "E2": 20, "S1": 95, "S2": "pass"}
    assert score(a, answers).max == 100 and score(b, answers).max == 102
    assert score(b, answers).sections[0].max == 32 and score(a, answers).sections[0].max == 30
    assert scoring._plan(a) is scoring._plan(a) and scoring._plan(a) is not scoring._plan(b)


@pytest.mark.parametrize("value", ["pass", "fail", "na"])
def test_words_read_as_before(value):
    read = scoring.read_answer(value)
    assert (read.kind, read.number, read.shown) == (value, None, f'"{value}"')
    assert scoring.read_answer_text(value) == read
