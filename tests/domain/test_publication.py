"""The publication delay and the ageing bands (domain/publication.py)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

from inspect_app.domain.rectification.ladder import PolicyError
from inspect_app.domain.publication import (ageing_band, is_published, latest_submission_published,
                                            parse_policy, publication_day)

UTC = timezone.utc
DEADLINE = datetime(2026, 12, 10, 16, 0, tzinfo=UTC)     # first instant overdue


def test_twenty_working_days_skip_weekends():
    # Friday 4 December 2026 + 20 working days (Mon–Fri) = Friday 1 January 2027
    assert publication_day(date(2026, 12, 4), 20) == date(2027, 1, 1)
    # a Monday: four weeks later
    assert publication_day(date(2026, 12, 7), 20) == date(2027, 1, 4)
    # a Saturday or a Sunday counts from the Friday before: the same day as Friday's
    assert publication_day(date(2026, 12, 5), 20) == publication_day(date(2026, 12, 4), 20)
    assert publication_day(date(2026, 12, 6), 20) == publication_day(date(2026, 12, 4), 20)
    assert publication_day(date(2026, 12, 4), 0) == date(2026, 12, 4)
    assert publication_day(date(2026, 12, 4), 1) == date(2026, 12, 7)


def test_published_from_that_day_on():
    submitted = date(2026, 12, 4)
    assert not is_published(submitted, 20, date(2026, 12, 31))
    assert is_published(submitted, 20, date(2027, 1, 1))
    assert is_published(submitted, 20, date(2027, 1, 2))


@pytest.mark.parametrize("delay", [0, 1, 5, 20])
def test_the_latest_published_submission_day_matches_the_rule(delay):
    today = date(2027, 1, 1)
    last = latest_submission_published(today, delay)
    assert is_published(last, delay, today)
    assert not is_published(last + timedelta(days=1), delay, today)
    for back in range(40):       # every earlier day is published too (a prefix)
        assert is_published(last - timedelta(days=back), delay, today)


def test_ageing_bands():
    assert [ageing_band(d) for d in (0, 7, 8, 30, 31, 90, 91, 400, -1)] == \
        ["0-7", "0-7", "8-30", "8-30", "31-90", "31-90", "91+", "91+", "0-7"]


def test_the_policy_file_of_the_repository_parses():
    path = Path(__file__).resolve().parents[2] / "policies" / "publication.yaml"
    policy = parse_policy(yaml.safe_load(path.read_text(encoding="utf-8")), str(path))
    assert policy.result_delay_working_days == 20


def test_policy_problems_are_located():
    with pytest.raises(PolicyError) as caught:
        parse_policy({"version": "", "inspection_results": {"delay_working_days": -1, "x": 1}, "y": 2})
    where = [p.where for p in caught.value.problems]
    assert where == ["version", "inspection_results.delay_working_days", "inspection_results.x", "y"]
    with pytest.raises(PolicyError):
        parse_policy({"version": "1", "inspection_results": {"delay_working_days": True}})
