"""Enforcement credentials (执法证): an enforcement visit counts only inspectors whose certificate
is valid on its day (domain/enforcement.py; docs/regulations.md, "Enforcement credentials")."""
from __future__ import annotations

from datetime import date

import pytest

from inspect_app.domain.enforcement import (Credential, EnforcementPolicyError, credential_problems,
                                            credential_valid, parse_policy, uncredentialed)

DAY = date(2026, 3, 2)
POLICY = parse_policy({"version": "t", "min_inspectors_per_department": 2,
                       "enforcement_purposes": ["routine", "random"], "require_credentials": True}, "t.yaml")


@pytest.mark.parametrize("number, expires, valid", [
    ("JZ001", date(2026, 3, 2), True),       # its last valid day
    ("JZ001", date(2027, 1, 1), True),
    ("JZ001", date(2026, 3, 1), False),      # expired the day before
    ("JZ001", None, False),
    ("", date(2027, 1, 1), False),
    ("  ", date(2027, 1, 1), False),
    (None, date(2027, 1, 1), False),
])
def test_a_certificate_is_valid_with_a_number_until_its_last_day(number, expires, valid):
    assert credential_valid(number, expires, DAY) is valid


def test_departments_without_two_valid_certificates_are_named_with_the_inspectors_lacking_one():
    a = Credential("张三", "JZ1", date(2027, 1, 1))
    b = Credential("李四", "JZ2", date(2027, 1, 1))
    expired = Credential("王五", "JZ3", date(2026, 1, 1))
    none = Credential("赵六", None, None)
    teams = {"fire": [a, b], "civil_affairs": [a, expired], "health": [none, expired, b]}
    assert uncredentialed(POLICY, "routine", teams, DAY) == {"civil_affairs": ["王五"], "health": ["赵六", "王五"]}
    assert uncredentialed(POLICY, "grading", teams, DAY) == {}, "a grading evaluation is not enforcement"
    relaxed = parse_policy({"version": "t", "min_inspectors_per_department": 2,
                            "enforcement_purposes": ["routine"]}, "t.yaml")
    assert relaxed.require_credentials is False
    assert uncredentialed(relaxed, "routine", teams, DAY) == {}


def test_the_policy_flag_must_be_a_boolean():
    with pytest.raises(EnforcementPolicyError) as caught:
        parse_policy({"version": "t", "min_inspectors_per_department": 2, "enforcement_purposes": [],
                      "require_credentials": "yes"}, "t.yaml")
    assert caught.value.problems == ["t.yaml: require_credentials: expected true or false, got 'yes'"]


def test_a_certificate_is_entered_whole():
    assert credential_problems(None, None, None) == []
    assert credential_problems("JZ1", "示范市消防救援支队", date(2027, 1, 1)) == []
    assert [p[0] for p in credential_problems("JZ1", None, None)] == ["credential_authority", "credential_expires_on"]
    assert [p[0] for p in credential_problems("J" * 41, "局", date(2027, 1, 1))] == ["credential_number"]
