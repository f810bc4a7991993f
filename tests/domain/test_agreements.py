"""The register's pure rules: licence form, reminder steps, rounds per period, signing rate."""
from datetime import date
from fractions import Fraction

import pytest

from inspect_app.domain import agreements as rules

POLICY = rules.ReminderPolicy((60, 30))


@pytest.mark.parametrize("text, ok", [
    ("PDY60027044010319A1002", True),
    ("456097765440304110B1001", False),        # 23 characters
    ("PDY60027044010319A100", False),          # 21
    ("PDY600270440103X9A1002", False),         # a letter in the area code
    ("PDY6002704401031911002", False),         # category without its letter
    ("pdy60027044010319a1002", False),         # the service upper-cases before checking
])
def test_licence_registration_number_form(text, ok):
    assert (rules.licence_problem(text) is None) is ok


@pytest.mark.parametrize("today, step", [
    (date(2026, 10, 31), 0),    # 61 days before the end
    (date(2026, 11, 1), 1),     # 60 days
    (date(2026, 11, 30), 1),    # 31
    (date(2026, 12, 1), 2),     # 30
    (date(2026, 12, 31), 2),    # the last day in force
    (date(2027, 1, 1), 3),      # expired
])
def test_reminder_step_due_on_each_day(today, step):
    assert rules.reminder_step(date(2026, 12, 31), today, POLICY) == step


def test_rounds_counted_per_calendar_week_and_the_short_week_flagged():
    # Term from Thursday 2026-01-01, once a week; rounds on 6, 13 and 22 January; today Monday 2 February.
    periods = rules.round_periods(date(2026, 1, 1), date(2026, 12, 31), 1, "week",
                                  [date(2026, 1, 6), date(2026, 1, 13), date(2026, 1, 22)], date(2026, 2, 2))
    assert [(p.starts_on.isoformat(), p.rounds, p.judged, p.short) for p in periods] == [
        ("2025-12-29", 0, False, False),     # part of a week before the term began: not judged
        ("2026-01-05", 1, True, False),
        ("2026-01-12", 1, True, False),
        ("2026-01-19", 1, True, False),
        ("2026-01-26", 0, True, True),       # no round: flagged
        ("2026-02-02", 0, False, False),     # this week, still running
    ]


def test_rounds_counted_per_month():
    periods = rules.round_periods(date(2026, 1, 1), date(2026, 6, 30), 2, "month",
                                  [date(2026, 1, 5), date(2026, 1, 20), date(2026, 2, 10), date(2026, 3, 3),
                                   date(2026, 3, 4)], date(2026, 3, 15))
    assert [(p.starts_on.month, p.rounds, p.short) for p in periods] == [(1, 2, False), (2, 1, True), (3, 2, False)]
    assert periods[2].judged is False


def test_signing_rate_is_exact():
    assert rules.signing_rate(2, 3) == Fraction(200, 3)
    assert rules.signing_rate(0, 0) is None


def test_agreement_problems_are_located():
    found = dict(rules.problems({"partner_name": "", "partner_licence": "X", "starts_on": date(2026, 5, 1),
                                 "ends_on": date(2026, 4, 1), "services": [], "visit_count": 0,
                                 "visit_period": "day", "green_channel": True}, date(2026, 6, 1)))
    assert set(found) == {"partner_name", "partner_licence", "ends_on", "services", "visit_count",
                          "visit_period", "green_channel_contact"}


@pytest.mark.parametrize("data, where", [
    ({"reminders": {"days_before": [30, 60]}}, "reminders.days_before"),
    ({"reminders": {"days_before": []}}, "reminders.days_before"),
    ({"reminders": {"days_before": [60]}, "extra": 1}, "file"),
])
def test_policy_problems_are_located(data, where):
    with pytest.raises(rules.PolicyError) as e:
        rules.parse_policy(data)
    assert where in [w for w, _ in e.value.problems]


def test_designation_open_ended():
    assert rules.designated_on(date(2026, 1, 1), None, date(2030, 1, 1))
    assert not rules.designated_on(date(2026, 1, 1), date(2026, 6, 30), date(2026, 7, 1))
