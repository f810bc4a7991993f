"""Record transitions, 公示 and validity dates, and the policy file's parser (pure)."""
from __future__ import annotations

from datetime import date

import pytest

from inspect_app.domain.grading import lifecycle as life
from inspect_app.domain.machine import NotAllowed
from inspect_app.domain.grading.policy import PolicyError, parse_policy_yaml
from inspect_app.grading.policy import DEFAULT_PATH


def test_only_the_table_moves_a_record():
    assert life.RECORD.next("evaluated", "publish").to_state == "publicised"
    assert life.RECORD.next("publicity_ended", "confirm").to_state == "confirmed"
    with pytest.raises(NotAllowed):
        life.RECORD.next("evaluated", "confirm")     # no 公示, no grade
    with pytest.raises(NotAllowed):
        life.RECORD.next("lapsed", "confirm")
    assert set(life.RECORD.events_from("confirmed")) == {"supersede", "lapse", "revoke"}
    terminal = {"rejected", "superseded", "lapsed", "revoked"}
    assert not [row for row in life.RECORD.transitions if row.from_state in terminal]


@pytest.mark.parametrize("start, days, kind, end", [
    (date(2026, 6, 1), 7, "working", date(2026, 6, 9)),     # Monday + 7 working days → Tuesday next week
    (date(2026, 6, 6), 5, "working", date(2026, 6, 12)),    # started on a Saturday: Monday..Friday
    (date(2026, 6, 1), 7, "calendar", date(2026, 6, 7)),
])
def test_publicity_end(start, days, kind, end):
    assert life.publicity_end(start, days, kind) == end
    assert not life.publicity_over(end, end) and life.publicity_over(end, date.fromordinal(end.toordinal() + 1))


def test_validity_and_leap_days():
    assert life.expiry(date(2024, 2, 29), 3) == date(2027, 2, 28)
    assert life.is_current("confirmed", date(2026, 1, 1), date(2029, 1, 1), date(2028, 12, 31))
    assert not life.is_current("confirmed", date(2026, 1, 1), date(2029, 1, 1), date(2029, 1, 1))
    assert life.is_expired("confirmed", date(2029, 1, 1), date(2029, 1, 1))
    assert not life.is_current("superseded", date(2026, 1, 1), date(2029, 1, 1), date(2027, 1, 1))


def test_shipped_policy_parses_and_picks_the_version_in_force():
    history = parse_policy_yaml(DEFAULT_PATH.read_bytes(), "grading.yaml")
    assert history.in_force(date(2026, 1, 1)).validity_years == 3
    text = DEFAULT_PATH.read_text(encoding="utf-8") + """\
  - version: "2027.1"
    effective_from: 2027-01-01
    checklist: star-grading
    publicity_days: 5
    publicity_day_kind: working
    validity_years: 3
    first_application_max_level: 3
    operating_years_min: 1
    penalty_lookback_years: 2
    accident_lookback_years: 3
    blacklist_years: 3
    upgrade_wait_years: 1
    renewal_window_days: 180
    expiry_warning_days: 90
    objection_max_chars: 2000
    objections_per_hour: 5
"""
    history = parse_policy_yaml(text, "grading.yaml")
    assert history.in_force(date(2026, 12, 31)).publicity_days == 7
    assert history.in_force(date(2027, 1, 1)).publicity_days == 5


def test_policy_problems_are_located():
    bad = DEFAULT_PATH.read_text(encoding="utf-8").replace("publicity_days: 7", "publicity_days: 0") \
        .replace("validity_years: 3", "validity_years: three\n    colour: red")
    with pytest.raises(PolicyError) as exc:
        parse_policy_yaml(bad, "grading.yaml")
    problems = exc.value.problems
    assert "grading.yaml: versions[0].publicity_days: expected a whole number ≥ 1, got 0" in problems
    assert any(p.startswith("grading.yaml: versions[0].validity_years:") for p in problems)
    assert "grading.yaml: versions[0].colour: unknown field" in problems
    with pytest.raises(PolicyError) as exc:
        parse_policy_yaml("versions: [\n", "grading.yaml")
    assert exc.value.problems[0].startswith("grading.yaml: line ")
