"""The complaint rules (docs/regulations.md, "Complaints and hotline cases"): the case's
machine, the time limits counted on the holiday calendar, the policy file's located problems
and the intake checks (anonymity)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from inspect_app.domain import complaints as c
from inspect_app.domain.machine import NotAllowed
from inspect_app.domain.rectification.ladder import PolicyError
from inspect_app.domain.workdays import WEEKDAYS_ONLY, WorkCalendar, parse_year

ROOT = Path(__file__).resolve().parents[2]
CAL_2026 = WorkCalendar((parse_year(yaml.safe_load((ROOT / "policies/holidays/2026.yaml").read_text()),
                                    "2026.yaml"),))
POLICY = c.parse_policy(yaml.safe_load((ROOT / "policies/complaints.yaml").read_text()))


def test_the_shipped_policy_has_the_petition_regulation_clocks():
    assert (POLICY.clocks["acceptance"].days, POLICY.clocks["acceptance"].unit) == (15, c.CALENDAR_DAYS)
    assert (POLICY.clocks["closure"].days, POLICY.clocks["extension"].days) == (60, 30)
    assert (POLICY.clocks["follow_up"].days, POLICY.clocks["follow_up"].unit) == (3, c.WORKING_DAYS)
    assert "第二十三条" in POLICY.clocks["acceptance"].basis and "第三十四条" in POLICY.clocks["closure"].basis
    assert c.route(POLICY, "fire_safety") == "fire" and c.route(POLICY, "food_safety") == "market_regulation"
    assert c.route(POLICY, "weather") is None
    assert POLICY.reopen_limit == 1


@pytest.mark.parametrize("start, clock, expected", [
    # received Monday 2026-03-02: the 15th day is Tuesday 03-17, a working day
    (date(2026, 3, 2), "acceptance", date(2026, 3, 17)),
    # received Friday 2026-09-18: the 15th day is 10-03, inside 国庆 (10-01..10-07): it moves to 10-08
    (date(2026, 9, 18), "acceptance", date(2026, 10, 8)),
    # accepted 2026-03-05: the 60th day is 05-04, inside 劳动节 (05-01..05-05): 05-06
    (date(2026, 3, 5), "closure", date(2026, 5, 6)),
    # replied Wednesday 2026-09-30: working days 10-08, 10-09 and the make-up Saturday 10-10
    (date(2026, 9, 30), "follow_up", date(2026, 10, 10)),
    # replied Friday 2026-03-06: Mon 03-09, Tue 03-10, Wed 03-11
    (date(2026, 3, 6), "follow_up", date(2026, 3, 11)),
])
def test_time_limits_on_the_2026_calendar(start, clock, expected):
    assert c.period_end(start, POLICY.clocks[clock], CAL_2026) == expected


def test_without_the_notice_only_weekends_move_a_calendar_day_limit():
    # 10-03 is a Saturday: Monday–Friday only, it moves to Monday 10-05
    assert c.period_end(date(2026, 9, 18), POLICY.clocks["acceptance"], WEEKDAYS_ONLY) == date(2026, 10, 5)


def test_the_last_day_ends_at_midnight():
    assert not c.is_overdue(date(2026, 3, 17), date(2026, 3, 17))
    assert c.is_overdue(date(2026, 3, 17), date(2026, 3, 18))
    assert not c.is_overdue(None, date(2030, 1, 1))


def test_the_machine_from_intake_to_close_and_its_refusals():
    m = c.CASE
    state = m.next(None, "intake").to_state
    for event, expected in [("acceptance_overdue", "received"), ("accept", "accepted"), ("make_visit", "accepted"),
                            ("extend", "accepted"), ("reply", "replied"), ("reopen", "accepted"),
                            ("reply", "replied"), ("follow_up", "closed")]:
        state = m.next(state, event).to_state
        assert state == expected, event
    assert m.is_final("closed") and m.is_final("declined")
    with pytest.raises(NotAllowed):
        m.next("received", "reply")          # no reply before acceptance
    with pytest.raises(NotAllowed):
        m.next("accepted", "reroute")        # routing ends at acceptance
    for event, state, _due, _mark in c.SWEEP_STEPS:    # every sweep mark keeps the state
        assert m.next(state, event).to_state == state


def test_a_telephone_number_fits_its_column():
    assert c.phone_ok("+86 139-1234-5678")
    assert not c.phone_ok("1 2 3 4 5 6 7 8 9 0 1 2 3")       # 25 characters
    assert not c.phone_ok("1234") and not c.phone_ok("139１２３４５６７８")


def test_reopening_needs_dissatisfaction_and_stays_within_the_limit():
    assert c.reopen_allowed("dissatisfied", 0, POLICY)
    assert not c.reopen_allowed("dissatisfied", 1, POLICY)
    assert not c.reopen_allowed("basically", 0, POLICY)


def _values(**kw):
    base = {"channel": "phone", "kind": "claim", "category": "care_service", "institution_id": 1,
            "summary": "护理员态度恶劣", "details": "", "received_on": date(2026, 3, 2), "anonymous": False,
            "complainant_name": "王某", "complainant_phone": "138 0000 0000"}
    return {**base, **kw}


def test_intake_checks_and_anonymity():
    today = date(2026, 3, 2)
    assert c.intake_problems(_values(), POLICY, c.OPERATOR_CHANNELS, today) == []
    found = dict(c.intake_problems(_values(anonymous=True), POLICY, c.OPERATOR_CHANNELS, today))
    assert "anonymous" in found                      # an anonymous case carries no contact data
    assert c.intake_problems(_values(anonymous=True, complainant_name="", complainant_phone=""), POLICY,
                             c.OPERATOR_CHANNELS, today) == []
    found = dict(c.intake_problems(_values(complainant_name="", complainant_phone="12ab", channel="sms",
                                           category="weather", received_on=date(2026, 3, 3), summary="x" * 201),
                                   POLICY, c.OPERATOR_CHANNELS, today))
    assert set(found) == {"complainant_name", "complainant_phone", "channel", "category", "received_on", "summary"}


def test_a_bad_policy_file_is_refused_with_every_problem_located():
    with pytest.raises(PolicyError) as err:
        c.parse_policy({"version": "x", "clocks": {"acceptance": {"days": 0, "unit": "weeks", "basis": ""},
                                                   "closure": {"days": 60, "unit": "calendar_days", "basis": "b"},
                                                   "lunch": {}},
                        "routing": {"fire_safety": "police"}, "reopen_limit": -1, "colour": "red"})
    where = {p.where for p in err.value.problems}
    assert where == {"clocks.acceptance.days", "clocks.acceptance.unit", "clocks.acceptance.basis",
                     "clocks.extension", "clocks.follow_up", "clocks.lunch", "routing.fire_safety",
                     "reopen_limit", "colour"}


def test_the_lookup_token_is_derived_and_only_its_digest_matches():
    token = c.lookup_token("secret", "key-0123456789abcdef")
    assert token == c.lookup_token("secret", "key-0123456789abcdef") != c.lookup_token("other", "key-0123456789abcdef")
    assert c.token_matches(token, c.digest(token))
    assert not c.token_matches(token[:-1] + "0" if token[-1] != "0" else token[:-1] + "1", c.digest(token))
    assert not c.token_matches(token, None)
    assert c.case_number(2026, 42) == "TS2026-000042"
