"""The risk class rule (信用风险分类): one row per branch of the documented rule."""
from __future__ import annotations

import pytest

from inspect_app.domain.planning.risk import DEFAULT_POLICY, RiskInputs, RiskPolicy, classify, parse_policy


@pytest.mark.parametrize("facts, risk", [
    (RiskInputs(grade=5, veto_findings=1), "high"),                  # one veto finding
    (RiskInputs(grade=5, overdue_findings=2), "high"),
    (RiskInputs(grade=4, complaints=3), "high"),
    (RiskInputs(grade=5, overdue_findings=1), "medium_high"),
    (RiskInputs(grade=3, open_findings=3), "medium_high"),
    (RiskInputs(grade=4, complaints=1), "medium_high"),
    (RiskInputs(grade=1), "medium_high"),                            # one star
    (RiskInputs(grade=4), "low"),
    (RiskInputs(grade=5), "low"),
    (RiskInputs(grade=4, open_findings=1), "medium"),               # low needs a clean record
    (RiskInputs(grade=3), "medium"),
    (RiskInputs(grade=2, open_findings=2), "medium"),
    (RiskInputs(grade=None), "medium"),                              # no grade: at least medium
])
def test_default_rule(facts, risk):
    assert classify(facts).risk == risk


def test_reasons_name_every_rule_that_fired():
    result = classify(RiskInputs(grade=5, veto_findings=2, complaints=4))
    assert result.risk == "high" and len(result.reasons) == 2


def test_thresholds_are_data():
    strict = RiskPolicy(high_veto=1, high_overdue=1, high_complaints=1)
    assert classify(RiskInputs(grade=5, overdue_findings=1), strict).risk == "high"
    lenient = RiskPolicy(low_min_grade=3, low_max_open=1)
    assert classify(RiskInputs(grade=3, open_findings=1), lenient).risk == "low"


def test_parse_policy_fills_defaults_and_locates_problems():
    assert parse_policy({}) == (DEFAULT_POLICY, [])
    policy, problems = parse_policy({"high_veto": 2})
    assert policy.high_veto == 2 and problems == []
    _, problems = parse_policy({"high_veto": -1, "low_min_grade": "4", "surprise": 1})
    assert [w for w, _ in problems] == ["high_veto", "low_min_grade", "surprise"]


def test_penalties_blacklist_entries_and_accidents_raise_the_class_and_bar_low():
    from inspect_app.domain.planning.risk import RiskInputs, RiskPolicy, classify
    clean = dict(grade=5)
    assert classify(RiskInputs(**clean)).risk == "low"
    assert classify(RiskInputs(**clean, blacklisted=1)).risk == "high"
    assert classify(RiskInputs(**clean, accidents=1)).risk == "high"
    assert classify(RiskInputs(**clean, penalties=1)).risk == "medium_high"
    # a threshold of 0 switches the test off, but the record still keeps the class from low
    off = RiskPolicy(high_accidents=0, medium_high_penalties=0)
    assert classify(RiskInputs(**clean, accidents=1), off).risk == "medium"
    assert classify(RiskInputs(**clean, penalties=2), off).risk == "medium"


def test_the_look_back_is_policy_data():
    from inspect_app.domain.planning.risk import parse_policy
    policy, problems = parse_policy({"lookback_days": 730})
    assert problems == [] and policy.lookback_days == 730
    assert parse_policy({"lookback_days": 0})[1] == [("lookback_days", "must be a whole number from 1 to 3660")]
