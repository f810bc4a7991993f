"""docs/commands.md, "grade": scoring one set of answers and whole batches — hand-computed cases first,
then properties over random checklists and answers."""
from __future__ import annotations

import json
from dataclasses import replace
from fractions import Fraction as F

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, strategies as st

from inspect_app.domain.scoring import batch as scoring_batch
from inspect_app.domain.checklist.model import Checklist, Item, Level, Section
from inspect_app.domain.scoring.single import (
    InvalidResponses, decide_level, score, to_contract_dict, validate_responses)
from inspect_app.domain.scoring.batch import InvalidAnswerRows, score_coded, score_long_frame
from tests.domain.scoring.data import (
    BOUND, PROPERTY, STAR, as_json_like, as_text, checklists, items, responses)

def section(sid, score_, max_, applicable):
    return {"id": sid, "score": score_, "max": max_, "applicable_max": applicable}


HAND_CASES = [
    pytest.param({"E1": "pass", "E2": 20, "S1": 95, "S2": "pass"},
                 dict(total=100, percent=100, level=3, vetoes=[], failed=[],
                      sections=[section("env", 30, 30, 30), section("srv", 70, 70, 70)]),
                 id="full-marks-reach-the-top-level"),
    pytest.param({"E1": "pass", "E2": 7.5, "S1": 95, "S2": "na"},
                 dict(total=79.1667, percent=79.1667, level=2, vetoes=[], failed=["E2"],
                      sections=[section("env", 17.5, 30, 30), section("srv", 70, 70, 30)]),
                 id="na-item-scaled-proportionally"),
    pytest.param({"E1": "fail", "E2": 20, "S1": 95, "S2": "pass"},
                 dict(total=90, percent=90, level=None, vetoes=["E1"], failed=["E1"],
                      sections=[section("env", 20, 30, 30), section("srv", 70, 70, 70)]),
                 id="failed-veto-item-blocks-every-level"),
    pytest.param({"E1": "pass", "E2": 20, "S1": "na", "S2": "na"},
                 dict(total=100, percent=100, level=3, vetoes=[], failed=[],
                      sections=[section("env", 30, 30, 30), section("srv", None, 70, 0)]),
                 id="section-without-applicable-item-is-null-and-waived"),
    pytest.param({"E1": "pass", "E2": 10, "S1": 90, "S2": "fail"},
                 dict(total=50, percent=50, level=1, vetoes=[], failed=["S2"],
                      sections=[section("env", 20, 30, 30), section("srv", 30, 70, 70)]),
                 id="bounds-and-pass-mark-are-inclusive"),
    pytest.param({"E1": "pass", "E2": 20, "S1": 89.99, "S2": "pass"},
                 dict(total=70, percent=70, level=1, vetoes=[], failed=["S1"],
                      sections=[section("env", 30, 30, 30), section("srv", 40, 70, 70)]),
                 id="section-minimum-unmet-caps-the-level"),
    pytest.param({"E1": "pass", "E2": 0, "S1": 80, "S2": "fail"},
                 dict(total=10, percent=10, level=None, vetoes=[], failed=["E2", "S1", "S2"],
                      sections=[section("env", 10, 30, 30), section("srv", 0, 70, 70)]),
                 id="no-level-met"),
]


@pytest.mark.parametrize("given_answers, expected", HAND_CASES)
def test_hand_computed_case(given_answers, expected):
    result = to_contract_dict(score(STAR, given_answers), STAR)
    assert result == {"checklist": "star", "version": "2026.1", "max": 100, **expected}
    assert list(result) == ["checklist", "version", "total", "max", "percent", "level",
                            "vetoes", "failed", "sections"]


def test_inspection_checklist_never_has_a_level():
    inspection = replace(STAR, kind="inspection", levels=())
    assert score(inspection, {"E1": "pass", "E2": 20, "S1": 95, "S2": "pass"}).level is None


def test_contract_example_shape():
    fire = Checklist(
        id="fire-safety", version="2026.1", title="养老机构消防安全检查表", department="fire",
        kind="inspection", sections=(
            Section("facilities", "消防设施", (
                Item("FIRE-01", "报警系统", "check", F(10)),
                Item("FIRE-02", "喷淋系统", "check", F(50)),
                Item("FIRE-03", "灭火器", "scale", F(60)))),
            Section("evacuation", "疏散", (
                Item("FIRE-07", "疏散通道畅通", "check", F(80), severity="critical"),
                Item("FIRE-08", "应急照明", "check", F(800))))))
    result = score(fire, {"FIRE-01": "na", "FIRE-02": "pass", "FIRE-03": 38,
                          "FIRE-07": "fail", "FIRE-08": "pass"})
    assert to_contract_dict(result, fire) == {
        # (50 + 38 + 800) / (110 + 880) × 1000; facilities 88 / 110 × 120; FIRE-01 not applicable
        "checklist": "fire-safety", "version": "2026.1", "total": 896.9697, "max": 1000,
        "percent": 89.697, "level": None, "vetoes": [], "failed": ["FIRE-07"],
        "sections": [section("facilities", 96, 120, 110), section("evacuation", 800, 880, 880)]}
    assert to_contract_dict(result, fire, target="I001")["target"] == "I001"


@pytest.mark.parametrize("earned_points, expected", [("12.34565", 12.3456), ("12.34575", 12.3458),
                                                     ("0.00005", 0.0)])
def test_json_numbers_round_half_to_even_at_four_decimals(earned_points, expected):
    rest = F(100) - F(earned_points)
    one = Checklist(id="r", version="1", title="t", department="health", kind="inspection",
                    sections=(Section("s", "s", (Item("A", "a", "check", F(earned_points)),
                                                 Item("B", "b", "check", rest))),))
    assert to_contract_dict(score(one, {"A": "pass", "B": "fail"}), one)["total"] == expected


INVALID_CASES = [
    ({"E1": "pass", "E2": 5, "S1": 95}, ["S2: not answered"]),
    ({"E1": "pass", "E2": 5, "S1": 95, "S2": "na", "X9": 1}, ["X9: unknown item"]),
    ({"E1": "yes", "E2": 5, "S1": 95, "S2": "na"}, ['E1: expected "pass", "fail" or "na", got "yes"']),
    ({"E1": "na", "E2": 5, "S1": 95, "S2": "pass"}, ['E1: "na" is not allowed for this item']),
    ({"E1": "pass", "E2": 22.5, "S1": 95, "S2": "na"}, ["E2: 22.5 is outside 0..20"]),
    ({"E1": "pass", "E2": -2.5, "S1": 95, "S2": "na"}, ["E2: -2.5 is outside 0..20"]),
    ({"E1": "pass", "E2": 7.4, "S1": 95, "S2": "na"}, ["E2: 7.4 is not a multiple of the step 2.5"]),
    ({"E1": "pass", "E2": "7.5", "S1": 95, "S2": "na"}, ['E2: expected a number or "na", got "7.5"']),
    ({"E1": "pass", "E2": True, "S1": 95, "S2": "na"}, ["E2: true is a boolean, not a number"]),
    ({"E1": "pass", "E2": 5, "S1": float("nan"), "S2": "na"}, ["S1: nan is not a finite number"]),
    ({"E1": "pass", "E2": 5, "S1": float("inf"), "S2": "na"}, ["S1: inf is not a finite number"]),
    ({"E1": "pass", "E2": 5, "S1": 10 ** 400, "S2": "na"}, ["S1:"]),
    ({"E1": "pass", "E2": 5, "S1": None, "S2": "na"}, ['S1: expected a finite number or "na", got null']),
    ({"E1": "fail!", "E2": "na", "S1": "na", "S2": "na"},
     ["E1: expected", "responses: no applicable item"]),
    ({"E1": 1, "E2": "x", "S1": "y", "X": 1},
     ["E1: expected", "E2: expected", "S1: expected", "S2: not answered", "X: unknown item",
      "responses: no applicable item"]),
]


@pytest.mark.parametrize("given_answers, expected", INVALID_CASES)
def test_invalid_responses_list_every_problem(given_answers, expected):
    with pytest.raises(InvalidResponses) as caught:
        validate_responses(STAR, given_answers)
    assert len(caught.value.problems) == len(expected)
    for problem, start in zip(caught.value.problems, expected):
        assert problem.startswith(start)


def test_responses_must_be_a_mapping():
    with pytest.raises(InvalidResponses, match="expected an object"):
        validate_responses(STAR, ["E1", "pass"])


def test_numbers_are_exact_as_written():
    decimal_checklist = replace(STAR, sections=(Section("env", "环境", (
        Item("E1", "x", "scale", F(1), step=F("0.1")),)),), levels=())
    assert validate_responses(decimal_checklist, {"E1": 0.3}) == {"E1": F(3, 10)}


# Properties ---------------------------------------------------------------------------------

@PROPERTY
@given(st.data())
def test_scores_stay_within_zero_and_max(data):
    checklist = data.draw(checklists())
    result = score(checklist, data.draw(responses(checklist)))
    assert 0 <= result.total <= result.max == checklist.max
    assert 0 <= result.percent <= 100
    for s, spec in zip(result.sections, checklist.sections):
        assert s.score is None or 0 <= s.score <= s.max == spec.max
        assert 0 <= s.earned <= s.applicable_max <= s.max


@PROPERTY
@given(st.data())
def test_total_and_section_scores_are_scaled_proportionally(data):
    checklist = data.draw(checklists())
    result = score(checklist, data.draw(responses(checklist)))
    assert result.total * result.applicable_max == result.earned * result.max
    for s in result.sections:
        if s.applicable_max:
            assert s.score * s.applicable_max == s.earned * s.max
        else:
            assert s.score is None and s.earned == 0


@PROPERTY
@given(st.data())
def test_na_item_counts_as_if_it_were_not_in_the_checklist(data):
    checklist = data.draw(checklists(kinds=("inspection",)))
    given_answers = data.draw(responses(checklist))
    na_items = [i for i in checklist.items if given_answers[i.id] == "na"]
    if not na_items:
        return
    dropped = data.draw(st.sampled_from(na_items))
    sections = tuple(replace(s, items=tuple(i for i in s.items if i is not dropped))
                     for s in checklist.sections)
    smaller = replace(checklist, sections=tuple(s for s in sections if s.items))
    rest = {k: v for k, v in given_answers.items() if k != dropped.id}
    assert score(checklist, given_answers).percent == score(smaller, rest).percent


@PROPERTY
@given(st.data())
def test_measure_bounds_are_inclusive_and_a_missing_bound_is_open(data):
    item = data.draw(items("M1").filter(lambda i: i.type == "measure"))
    value = data.draw(st.sampled_from([b for b in (item.min, item.max) if b is not None]) | BOUND)
    checklist = Checklist(id="m", version="1", title="t", department="health", kind="inspection",
                          sections=(Section("s", "s", (item,)),))
    result = score(checklist, {"M1": value}).items[0]
    within = (item.min is None or item.min <= value) and (item.max is None or value <= item.max)
    assert (result.earned, result.failed) == ((item.points, False) if within else (0, True))


@PROPERTY
@given(st.data())
def test_failed_veto_means_no_level_and_na_never_fails(data):
    checklist = data.draw(checklists())
    given_answers = data.draw(responses(checklist))
    result = score(checklist, given_answers)
    veto_ids = {i.id for i in checklist.items if i.veto}
    assert result.vetoes == tuple(i for i in result.failed if i in veto_ids)
    if result.vetoes:
        assert result.level is None
    for item in result.items:
        if given_answers[item.id] == "na":
            assert not item.failed and not item.applicable and item.earned == 0


@PROPERTY
@given(st.data())
def test_better_answers_never_lower_the_level(data):
    checklist = data.draw(checklists(kinds=("grading",)))
    given_answers = data.draw(responses(checklist))
    item = data.draw(st.sampled_from([i for i in checklist.items if given_answers[i.id] != "na"]))
    best = {"check": "pass", "scale": (item.points // (item.step or 1)) * (item.step or 1),
            "measure": item.min if item.min is not None else item.max}[item.type]
    before = score(checklist, given_answers)
    after = score(checklist, {**given_answers, item.id: best})
    assert after.total >= before.total
    assert (after.level or 0) >= (before.level or 0)


@PROPERTY
@given(st.data())
def test_level_is_monotone_in_total_and_section_scores(data):
    checklist = data.draw(checklists(kinds=("grading",)))
    fraction = st.integers(0, 400).map(lambda k: F(k, 4))
    total = data.draw(fraction)
    sections = {s.id: data.draw(st.none() | fraction) for s in checklist.sections}
    raised = {k: None if v is None else v + data.draw(fraction) for k, v in sections.items()}
    low = decide_level(checklist, total, sections, vetoed=False)
    high = decide_level(checklist, total + data.draw(fraction), raised, vetoed=False)
    assert (high or 0) >= (low or 0)


def _long_frame(checklist, per_target):
    rows = [(target, item_id, as_text(value))
            for target, given in per_target.items() for item_id, value in given.items()]
    return pd.DataFrame(rows, columns=["target", "item", "value"])


@PROPERTY
@given(st.data())
def test_batch_scores_equal_single_scores(data):
    checklist = data.draw(checklists())
    names = data.draw(st.lists(st.text("ab1中", min_size=1, max_size=3), min_size=1, max_size=4,
                               unique=True))
    per_target = {name: data.draw(responses(checklist)) for name in names}
    frame = _long_frame(checklist, per_target).sample(frac=1, random_state=0)
    if data.draw(st.booleans()):
        frame = frame.astype("category")
    batch = score_long_frame(checklist, frame)
    assert list(batch.targets) == sorted(names)
    singles = {name: score(checklist, {k: as_json_like(data.draw, v) for k, v in given.items()})
               for name, given in per_target.items()}
    for k, name in enumerate(batch.targets):
        assert batch.score_at(k) == singles[name]
    assert batch.json_lines() == "".join(
        json.dumps(to_contract_dict(singles[n], checklist, target=n), ensure_ascii=False) + "\n"
        for n in batch.targets)

    index = {item.id: k for k, item in enumerate(checklist.items)}
    codes = {name: k for k, name in enumerate(names)}
    coded = {"pass": 1.0, "fail": 0.0, "na": np.nan}
    values = [(codes[t], index[i], coded[v] if isinstance(v, str) else float(v), v == "na")
              for t, given in per_target.items() for i, v in given.items()]
    t, i, v, na = (list(column) for column in zip(*values))
    assert score_coded(checklist, names, t, i, v, na).json_lines() == batch.json_lines()


@PROPERTY
@given(st.data())
def test_batch_without_int64_or_dense_tables_gives_the_same_result(data):
    checklist = data.draw(checklists())
    frame = _long_frame(checklist, {name: data.draw(responses(checklist)) for name in "xyz"})
    expected = score_long_frame(checklist, frame).json_lines()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(scoring_batch, "_INT64_SAFE", 0)        # exact Python integers
        patch.setattr(scoring_batch, "_DENSE_PAIR_LIMIT", 0)  # pairs numbered by sorting
        assert score_long_frame(checklist, frame).json_lines() == expected


def test_batch_with_huge_and_tiny_points_stays_exact():
    wide = Checklist(id="w", version="1", title="t", department="health", kind="grading",
                     sections=(Section("a", "a", (Item("A", "a", "check", F(10) ** 12),
                                                  Item("B", "b", "scale", F("0.000003"), step=F("0.000001")))),
                               Section("b", "b", (Item("C", "c", "check", F("0.000007")),))),
                     levels=(Level(1, F(10) ** 11), Level(2, F(10) ** 12, {"b": F("0.000007")})))
    answers_ = {"p": {"A": "pass", "B": "0.000002", "C": "fail"}, "q": {"A": "fail", "B": "na", "C": "pass"}}
    batch = score_long_frame(wide, _long_frame(wide, answers_))
    for k, name in enumerate(batch.targets):
        single = score(wide, {i: F(v) if v[0].isdigit() else v for i, v in answers_[name].items()})
        assert batch.score_at(k) == single
        assert json.loads(batch.json_lines().splitlines()[k]) == to_contract_dict(single, wide, name)


def test_batch_names_every_broken_row_and_target():
    frame = pd.DataFrame([
        ("I1", "E1", "pass"), ("I1", "E2", "7.5"), ("I1", "S1", "95"), ("I1", "S2", "na"),
        ("I2", "E1", "na"), ("I2", "E2", "abc"), ("I2", "ZZ", "1"), ("", "S1", "95"),
        ("I1", "S2", "pass"), ("I3", "S2", "na"),
    ], columns=["target", "item", "value"])
    with pytest.raises(InvalidAnswerRows) as caught:
        score_long_frame(STAR, frame)
    assert [(p.row, p.message, p.first_row) for p in caught.value.row_problems] == [
        (4, 'E1: "na" is not allowed for this item', None),
        (5, 'E2: expected a number or "na", got "abc"', None),
        (6, '"ZZ": unknown item', None),
        (7, "empty target", None),
        (8, 'S2: duplicate answer for target "I1"', 3)]
    nothing = 'no applicable item (every answer is "na" or invalid)'
    assert [(p.target, p.message) for p in caught.value.target_problems] == [
        ("I2", "missing items S1, S2"), ("I2", nothing),
        ("I3", "missing items E1, E2, S1"), ("I3", nothing)]


def test_batch_of_no_rows_has_no_targets():
    empty = pd.DataFrame({"target": [], "item": [], "value": []}, dtype=object)
    batch = score_long_frame(STAR, empty)
    assert len(batch) == 0 and batch.json_lines() == ""


def test_coded_rows_name_unknown_codes_and_bad_check_codes():
    with pytest.raises(InvalidAnswerRows) as caught:
        score_coded(STAR, ["I1"], [0, 0, 0, 0, 1, 0], [0, 1, 2, 9, 3, 3], [2, 5, 95, 0, 0, 0],
                    [False, False, False, False, True, True])
    assert [p.message for p in caught.value.row_problems] == [
        'E1: expected "pass", "fail" or "na", got the code 2',
        "unknown item code 9", "unknown target code"]


def test_coded_rows_score_like_text_rows():
    coded = score_coded(STAR, ["b", "a"], [0] * 4 + [1] * 4, [0, 1, 2, 3] * 2,
                        [1, 7.5, 95, np.nan, 0, 20, 89.99, 1], [False, False, False, True] + [False] * 4)
    rows = [("b", "E1", "pass"), ("b", "E2", "7.5"), ("b", "S1", "95"), ("b", "S2", "na"),
            ("a", "E1", "fail"), ("a", "E2", "20"), ("a", "S1", "89.99"), ("a", "S2", "pass")]
    text = score_long_frame(STAR, pd.DataFrame(rows, columns=["target", "item", "value"]))
    assert coded.json_lines() == text.json_lines()
    assert coded.targets == ("a", "b")
