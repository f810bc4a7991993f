"""Eligibility rules (docs/regulations.md, "Star grading eligibility"; pure): each rule passes
or fails with its explanation."""
from __future__ import annotations

from datetime import date

import pytest

from inspect_app.domain.grading import eligibility as el
from inspect_app.domain.grading.policy import parse_policy_yaml
from inspect_app.grading.policy import DEFAULT_PATH

POLICY = parse_policy_yaml(DEFAULT_PATH.read_bytes(), str(DEFAULT_PATH)).in_force(date(2026, 6, 1))
TODAY = date(2026, 6, 1)
GRADE = el.CurrentGrade(level=3, effective_on=date(2025, 9, 1), expires_on=date(2028, 9, 1))


def facts(**kw):
    values = dict(requested_level=3, filed_on=date(2020, 1, 1), ever_graded=False)
    values.update(kw)
    return el.Facts(**values)


@pytest.mark.parametrize("case, given, failing", [
    ("a first application within the cap", facts(), []),
    ("level out of range", facts(requested_level=6), ["level", "first_cap"]),
    ("filed less than a year ago", facts(filed_on=date(2025, 6, 2)), ["operating"]),
    ("filed exactly a year ago", facts(filed_on=date(2025, 6, 1)), []),
    ("filing date unknown", facts(filed_on=None), ["operating"]),
    ("first application above the cap", facts(requested_level=4), ["first_cap"]),
    ("graded before: no cap", facts(requested_level=5, ever_graded=True), []),
    ("penalty 23 months ago", facts(sanctions=(el.Sanction("penalty", date(2024, 7, 1)),)), ["penalty"]),
    ("penalty just over 2 years ago", facts(sanctions=(el.Sanction("penalty", date(2024, 6, 1)),)), []),
    ("blacklisted with no end: 3 years", facts(sanctions=(el.Sanction("blacklist", date(2023, 7, 1)),)), ["blacklist"]),
    ("blacklist ended", facts(sanctions=(el.Sanction("blacklist", date(2025, 1, 1), until=date(2026, 1, 1)),)), []),
    ("serious accident 2 years ago", facts(sanctions=(el.Sanction("accident", date(2024, 6, 1)),)), ["accident"]),
    # an overdue rectification's credit record is not a bar: no source says so
    ("credit record from rectification", facts(sanctions=(el.Sanction("credit", date(2026, 1, 1)),)), []),
    ("open major hazard", facts(hazards=("Veto finding #3 is not closed",)), ["hazard"]),
    ("upgrade after 9 months at level 3", facts(requested_level=4, ever_graded=True, current=GRADE), ["upgrade_wait"]),
    ("upgrade after a year", facts(requested_level=4, ever_graded=True,
                                   current=el.CurrentGrade(3, date(2025, 6, 1), date(2028, 6, 1))), []),
    ("renewal too early", facts(ever_graded=True, current=GRADE), ["upgrade_wait"]),
    ("renewal within 180 days of expiry", facts(ever_graded=True,
                                                current=el.CurrentGrade(3, date(2023, 10, 1), date(2026, 10, 1))), []),
    ("another application open", facts(open_applications=1), ["open_application"]),
    ("a record still in public notice", facts(records_in_progress=1), ["open_application"]),
    ("several at once", facts(requested_level=5, filed_on=date(2026, 1, 1),
                              sanctions=(el.Sanction("penalty", date(2026, 2, 1), reference="民罚〔2026〕1号"),)),
     ["operating", "first_cap", "penalty"]),
])
def test_eligibility_table(case, given, failing):
    result = el.check(given, POLICY, TODAY)
    assert [r.code for r in result.failures] == failing, case
    assert result.eligible == (not failing)
    assert len(result.rules) == len(el.RULES)


def test_every_rule_explains_itself_with_its_parameters():
    result = el.check(facts(requested_level=5, filed_on=date(2026, 1, 1),
                            sanctions=(el.Sanction("penalty", date(2026, 2, 1), reference="民罚〔2026〕1号"),)),
                      POLICY, TODAY)
    for rule in result.rules:
        assert rule.message % rule.params          # every placeholder has its value
    penalty = next(r for r in result.rules if r.code == "penalty")
    assert penalty.params == {"day": "2026-02-01", "reference": "民罚〔2026〕1号", "until": "2028-02-02"}
    operating = next(r for r in result.rules if r.code == "operating")
    assert operating.params["since"] == "2027-01-01"


def test_highest_allowed_is_the_cap_for_a_first_application():
    assert el.highest_allowed(facts(), POLICY) == 3
    assert el.highest_allowed(facts(ever_graded=True), POLICY) == 5


SCOPED = parse_policy_yaml(DEFAULT_PATH.read_bytes(), str(DEFAULT_PATH)).in_force(date(2026, 12, 5))


@pytest.mark.parametrize("institution_type, beds, passed", [
    ("nursing_home", 10, True),
    ("nursing_home", 9, False),               # below the standard's bed threshold
    ("meal_point", 0, False),                 # a community facility cannot apply
    ("day_care", 30, False),
])
def test_only_residential_institutions_with_enough_beds_are_graded(institution_type, beds, passed):
    result = el.check(facts(institution_type=institution_type, beds=beds), SCOPED, date(2026, 12, 5))
    scope = next(r for r in result.rules if r.code == "scope")
    assert scope.passed is passed
    assert scope.message % scope.params
    # the version before the scope was added grades every type
    assert next(r for r in el.check(facts(institution_type="meal_point", beds=0), POLICY, TODAY).rules
                if r.code == "scope").passed
