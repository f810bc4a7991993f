"""How a score was reached: points lost, the thresholds that decided the level, and what the
next level still needs."""
from __future__ import annotations

from dataclasses import replace
from fractions import Fraction as F

from hypothesis import given, strategies as st

from inspect_app.domain.scoring.single import score
from inspect_app.domain.scoring.explain import INSPECTION, NONE_MET, REACHED, VETOED, explain
from tests.domain.scoring.data import PROPERTY, STAR, checklists, responses


def test_reached_level_is_decided_by_the_unmet_thresholds_of_the_level_above():
    result = score(STAR, {"E1": "pass", "E2": 7.5, "S1": 95, "S2": "na"})
    account = explain(STAR, result)
    assert (account.level, account.reason, account.reached.level) == (2, REACHED, 2)
    assert account.next_level.level == 3
    [shortfall] = account.decided_by
    assert (shortfall.section_id, shortfall.required, shortfall.actual) == (None, 90, F(475, 6))
    assert shortfall.shortfall == F(65, 6)
    assert account.shortfalls == account.decided_by and account.vetoes_to_clear == ()
    lost = {i.id: i.lost for i in account.items}
    assert lost == {"E1": 0, "E2": F("12.5"), "S1": 0, "S2": 0}
    env, srv = account.sections
    assert (env.lost, env.score_lost, srv.lost, srv.score_lost) == (F("12.5"), F("12.5"), 0, 0)


def test_vetoes_block_the_level_the_thresholds_would_give():
    account = explain(STAR, score(STAR, {"E1": "fail", "E2": 20, "S1": 95, "S2": "pass"}))
    assert (account.level, account.reason, account.level_without_vetoes) == (None, VETOED, 3)
    assert account.vetoes == account.vetoes_to_clear == ("E1",)
    assert account.next_level.level == 1 and account.shortfalls == ()
    assert account.decided_by == ()


def test_no_level_met_shows_what_the_lowest_level_needs():
    account = explain(STAR, score(STAR, {"E1": "pass", "E2": 0, "S1": 80, "S2": "fail"}))
    assert (account.level, account.reason, account.next_level.level) == (None, NONE_MET, 1)
    [shortfall] = account.shortfalls
    assert (shortfall.required, shortfall.actual, shortfall.shortfall) == (30, 10, 20)


def test_section_without_applicable_item_waives_its_minimum():
    account = explain(STAR, score(STAR, {"E1": "pass", "E2": 20, "S1": "na", "S2": "na"}))
    top = account.levels[-1]
    waived = [t for t in top.thresholds if t.section_id == "srv"]
    assert waived[0].waived and waived[0].met
    assert account.level == 3 and account.next_level is None and account.decided_by == ()


def test_inspection_checklist_has_no_levels_to_explain():
    inspection = replace(STAR, kind="inspection", levels=())
    account = explain(inspection, score(inspection, {"E1": "fail", "E2": 20, "S1": 95, "S2": "na"}))
    assert (account.reason, account.levels, account.next_level, account.vetoes) == (INSPECTION, (), None, ())


@PROPERTY
@given(st.data())
def test_explanation_agrees_with_the_score(data):
    checklist = data.draw(checklists())
    result = score(checklist, data.draw(responses(checklist)))
    account = explain(checklist, result)
    assert account.level == result.level
    assert sum(i.earned + i.lost for i in account.items) == result.applicable_max
    assert sum(s.lost for s in account.sections) == result.applicable_max - result.earned
    if account.reached is not None:
        assert account.reached.met and account.reached.level == result.level
    for threshold in account.shortfalls:
        assert not threshold.met and threshold.shortfall > 0
    if account.next_level is not None and not account.shortfalls and not account.vetoes_to_clear:
        raise AssertionError("a next level with nothing missing would already be reached")


def test_a_level_above_the_one_applied_for_is_capped_and_the_cap_is_named():
    from inspect_app.domain.scoring.explain import CAPPED, award
    account = explain(STAR, score(STAR, {"E1": "pass", "E2": 7.5, "S1": 95, "S2": "na"}))   # reaches level 2
    assert award(account, 1) == (1, CAPPED, 2, 1)
    assert award(account, 2) == (2, REACHED, 2, 2)                  # the request is no cap when met exactly
    assert award(account, 3) == (2, REACHED, 2, 3)
    assert award(account, None) == (2, REACHED, 2, None)            # no application: no cap
    vetoed = explain(STAR, score(STAR, {"E1": "fail", "E2": 20, "S1": 95, "S2": "pass"}))
    assert award(vetoed, 1) == (None, VETOED, None, 1)
