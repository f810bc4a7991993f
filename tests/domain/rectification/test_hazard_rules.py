"""The major-hazard plan rules and the policy section, from small hand-made cases."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from inspect_app.domain.rectification import hazard as hz

RULE = hz.HazardPolicy(plan_due_days=15, plan_max_days=100, min_milestones=2, milestone_evidence=True,
                       basis={})
LISTED = date(2026, 3, 2)
TODAY = date(2026, 3, 4)


def _plan(end=date(2026, 5, 1), steps=((date(2026, 4, 1), "评估"), (date(2026, 4, 20), "改造")), **kw):
    values = dict(measures="改造", responsible_person="王", funds_yuan=None, interim_measures="巡查",
                  stop_use=False, stop_use_area="", end_on=end,
                  milestones=tuple(hz.MilestoneDraft(d, t) for d, t in steps))
    values.update(kw)
    return hz.PlanDraft(**values)


def _where(plan):
    return [p[0] for p in hz.plan_problems(plan, LISTED, TODAY, RULE)]


def test_a_complete_plan_has_no_problem():
    assert _where(_plan()) == []
    assert _where(_plan(stop_use=True, stop_use_area="二号楼", funds_yuan=0)) == []


def test_the_end_date_lies_after_today_and_within_the_longest_plan():
    assert _where(_plan(end=TODAY, steps=((TODAY, "a"), (TODAY, "b")))) == ["end_on"]
    assert _where(_plan(end=date(2026, 6, 10))) == []                      # listing + 100 days
    assert _where(_plan(end=date(2026, 6, 11))) == ["end_on"]
    problems = hz.plan_problems(_plan(end=date(2026, 6, 11)), LISTED, TODAY, RULE)
    assert problems[0][2] == {"n": 100, "day": "2026-06-10"}
    assert _where(_plan(end=None)) == ["end_on"]


def test_milestones_are_dated_ordered_and_inside_the_plan():
    assert _where(_plan(steps=((date(2026, 4, 1), "a"),))) == ["milestones"]          # at least two
    assert _where(_plan(steps=((date(2026, 4, 20), "a"), (date(2026, 4, 1), "b")))) == ["milestones[2]"]
    assert _where(_plan(steps=((date(2026, 3, 3), "a"), (date(2026, 5, 2), "b")))) == [
        "milestones[1]", "milestones[2]"]                                             # past; after the end
    assert _where(_plan(steps=((None, "a"), (date(2026, 4, 1), " ")))) == ["milestones[1]", "milestones[2]"]


def test_required_texts_stop_use_and_funds():
    assert _where(_plan(measures=" ", interim_measures="")) == ["measures", "interim_measures"]
    assert _where(_plan(stop_use=True)) == ["stop_use_area"]
    assert _where(_plan(funds_yuan=-1)) == ["funds_yuan"]


def test_the_policy_file_section_parses_and_every_rule_cites_its_basis():
    data = yaml.safe_load((Path(__file__).parents[3] / "policies" / "supervision.yaml").read_text("utf-8"))
    rule = hz.parse_hazard_policy(data)
    assert (rule.plan_due_days, rule.plan_max_days, rule.min_milestones) == (15, 365, 1)
    assert set(rule.basis) >= {"plan_due_days", "plan_max_days", "min_milestones", "milestone_evidence",
                               "reinspection"}
    broken = {"major_hazard": {"plan_due_days": 0, "plan_max_days": 10, "min_milestones": 1,
                               "milestone_evidence": "yes", "basis": {"plan_due_days": "x"}}}
    with pytest.raises(ValueError) as refused:
        hz.parse_hazard_policy(broken, "p.yaml")
    text = str(refused.value)
    assert "p.yaml: major_hazard.plan_due_days: must be a whole number ≥ 1" in text
    assert "major_hazard.milestone_evidence" in text and "major_hazard.basis.reinspection" in text
    with pytest.raises(ValueError, match="cannot be longer"):
        hz.parse_hazard_policy({"major_hazard": {"plan_due_days": 20, "plan_max_days": 10, "min_milestones": 1,
                                                 "basis": {k: "x" for k in ("plan_due_days", "plan_max_days",
                                                           "min_milestones", "milestone_evidence", "reinspection")}}})
