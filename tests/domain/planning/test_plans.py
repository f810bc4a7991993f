"""Recurrence of plans: which period is due, and how a run's visits are dated."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from inspect_app.domain.planning.plans import (Schedule, due_period, period_of, pick_team, plan_problems,
                                      spread_dates, working_days)

UTC = timezone.utc


@pytest.mark.parametrize("kind, day, key, first, last", [
    ("daily", date(2026, 11, 23), "2026-11-23", date(2026, 11, 23), date(2026, 11, 23)),
    ("weekly", date(2026, 11, 23), "2026-W48", date(2026, 11, 23), date(2026, 11, 29)),
    ("weekly", date(2027, 1, 1), "2026-W53", date(2026, 12, 28), date(2027, 1, 3)),
    ("monthly", date(2026, 2, 14), "2026-02", date(2026, 2, 1), date(2026, 2, 28)),
    ("monthly", date(2026, 12, 31), "2026-12", date(2026, 12, 1), date(2026, 12, 31)),
    ("quarterly", date(2026, 11, 23), "2026-Q4", date(2026, 10, 1), date(2026, 12, 31)),
    ("quarterly", date(2026, 1, 1), "2026-Q1", date(2026, 1, 1), date(2026, 3, 31)),
    ("quarterly", date(2028, 5, 5), "2028-Q2", date(2028, 4, 1), date(2028, 6, 30)),
    ("yearly", date(2026, 7, 1), "2026", date(2026, 1, 1), date(2026, 12, 31)),
])
def test_period_holding_a_day(kind, day, key, first, last):
    period = period_of(kind, day)
    assert (period.key, period.first_day, period.last_day) == (key, first, last)


def test_unknown_period_kind_is_refused():
    with pytest.raises(ValueError):
        period_of("fortnightly", date(2026, 1, 1))


NOON = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)            # 12:00 in Shanghai, Monday


@pytest.mark.parametrize("schedule, now, due", [
    (Schedule("quarterly"), NOON, "2026-Q4"),
    (Schedule("monthly"), NOON, "2026-11"),
    (Schedule("yearly"), NOON, "2026"),
    (Schedule("quarterly", enabled=False), NOON, None),
    (Schedule("quarterly", start=date(2026, 11, 24)), NOON, None),            # not started
    (Schedule("quarterly", start=date(2026, 11, 23)), NOON, "2026-Q4"),       # start is inclusive
    (Schedule("quarterly", expires=date(2026, 11, 23)), NOON, None),          # expires is exclusive
    (Schedule("quarterly", expires=date(2026, 11, 24)), NOON, "2026-Q4"),
    (Schedule("quarterly", one_off=True), NOON, "2026-Q4"),                   # first run
    (Schedule("quarterly", one_off=True, last_period_key="2026-Q4"), NOON, "2026-Q4"),  # finish it
    (Schedule("quarterly", one_off=True, last_period_key="2026-Q3"), NOON, None),       # ran once
    (Schedule("quarterly", last_period_key="2026-Q3"), NOON, "2026-Q4"),
    # 31 Dec 17:00 UTC is already 1 Jan in Shanghai: the local date decides.
    (Schedule("quarterly"), datetime(2026, 12, 31, 17, 0, tzinfo=UTC), "2027-Q1"),
    (Schedule("daily"), datetime(2026, 11, 22, 16, 30, tzinfo=UTC), "2026-11-23"),
])
def test_due_period(schedule, now, due):
    period = due_period(schedule, now)
    assert (period.key if period else None) == due


def test_due_period_needs_an_aware_time():
    with pytest.raises(ValueError):
        due_period(Schedule("daily"), datetime(2026, 1, 1))


def test_working_days_skip_weekends_holidays_and_the_past():
    period = period_of("weekly", date(2026, 11, 23))
    assert working_days(period) == [date(2026, 11, d) for d in (23, 24, 25, 26, 27)]
    assert working_days(period, from_day=date(2026, 11, 26), holidays=[date(2026, 11, 27)]) == [date(2026, 11, 26)]


def test_spread_dates_never_books_an_inspector_twice_a_day_when_days_allow():
    days = [date(2026, 11, d) for d in (23, 24, 25)]
    teams = [["U1", "U2"], ["U1", "U3"], ["U2", "U4"], ["U5", "U6"], ["U1", "U6"]]
    dates = spread_dates(teams, days)
    booked = {}
    for team, day in zip(teams, dates):
        for who in team:
            assert (who, day) not in booked
            booked[(who, day)] = True
    assert dates == spread_dates(teams, days)          # deterministic


def test_pick_team_takes_the_least_loaded_eligible_inspectors():
    assert pick_team([(3, 2), (1, 0), (2, 0), (4, 5)], excluded=[2], size=2) == [1, 3]
    assert pick_team([(1, 0)], excluded=[1], size=2) == []


GOOD = {"name": "季度抽查", "kind": "random_joint", "rule": None, "period": "quarterly",
        "start": date(2026, 1, 1), "expires": None, "departments": ["fire"], "institution_types": [],
        "ratios": {"high": "0.3", "low": "0"}, "team_per_department": 2, "max_per_inspector": 5,
        "beacon_delay_days": 1, "publish_delay_days": 0, "horizon_days": 90, "visit_within_days": 14,
        "beacon_source": "上证综指收盘"}


@pytest.mark.parametrize("change, where", [
    ({}, None),
    ({"name": " "}, "name"),
    ({"kind": "lottery"}, "kind"),
    ({"kind": "routine", "rule": None}, "rule"),
    ({"period": "hourly"}, "period"),
    ({"start": None}, "start"),
    ({"expires": date(2025, 12, 31)}, "expires"),
    ({"departments": []}, "departments"),
    ({"departments": ["police"]}, "departments"),
    ({"ratios": {"high": "1.5", "low": "0.1"}}, "ratio_high"),
    ({"ratios": {"high": "abc", "low": "0.1"}}, "ratio_high"),
    ({"ratios": {"high": "0", "low": "0"}}, "ratio_high"),
    ({"ratios": {"extreme": "0.5", "high": "0.1"}}, "ratio_extreme"),
    ({"team_per_department": 0}, "team_per_department"),
    ({"max_per_inspector": None}, "max_per_inspector"),
    ({"beacon_source": ""}, "beacon_source"),
    ({"beacon_delay_days": 0}, "beacon_delay_days"),     # the value must be published after the freeze
    ({"kind": "routine", "rule": "critical_followup", "departments": [], "beacon_source": ""}, None),
])
def test_plan_problems_are_located(change, where):
    problems = plan_problems({**GOOD, **change})
    assert [w for w, _ in problems] == ([where] if where else [])
