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
