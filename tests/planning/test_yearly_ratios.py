"""Sampling ratios are yearly (docs/regulations.md, "Sampling ratios are yearly"): each period
draws its share, rounded so that the year's total is met exactly."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction
import math

import pytest
from sqlalchemy import select

from inspect_app.domain.planning.sampling import due_this_period, period_position, periods_in_year, ratio_for
from inspect_app.planning import runs
from inspect_app.planning.models import PlanRun
from tests.planning.conftest import make_plan


def test_a_quarterly_plan_at_five_percent_a_year_draws_a_quarter_of_it_and_meets_the_year():
    counts, drawn = [], 0
    for k in range(1, 5):
        count = due_this_period("0.05", 100, k, 4, drawn)
        counts.append(count)
        drawn += count
    assert counts == [2, 1, 1, 1] and drawn == 5 == math.ceil(Decimal("0.05") * 100)
    # a missed quarter is caught up in the next one; a class that grew is topped up
    assert due_this_period("0.05", 100, 2, 4, 0) == 3
    assert due_this_period("0.05", 200, 4, 4, 5) == 5
    assert due_this_period("0.05", 100, 4, 4, 9) == 0           # never negative


@pytest.mark.parametrize("size", [1, 3, 7, 10, 99, 100, 101, 997, 5000, 49999])
def test_the_ratio_written_for_the_draw_gives_exactly_the_count(size):
    for count in sorted({0, 1, size // 3, size // 2, size - 1, size}):
        ratio = ratio_for(count, size)
        assert math.ceil(Fraction(repr(float(ratio))) * size) == count, (count, size, ratio)


def test_periods_of_a_year():
    assert [periods_in_year(k, 2026) for k in ("yearly", "quarterly", "monthly", "weekly", "daily")] == \
        [1, 4, 12, 53, 365]
    assert period_position("quarterly", date(2026, 10, 1)) == (2026, 4)
    assert period_position("weekly", date(2026, 12, 28)) == (2026, 53)


NOW = datetime(2026, 10, 9, 2, 0, tzinfo=timezone.utc)


def test_a_monthly_plan_draws_the_years_due_once_and_nothing_more_that_year(db, make, district):
    plan = make_plan(db, make.user("bureau_admin"), districts=["测试区"], period="monthly",
                     ratios={"medium": "0.5"})                  # ten medium-risk institutions
    runs.run_due_plans(NOW)
    [october] = list(db.session.scalars(select(PlanRun).where(PlanRun.plan_id == plan.id)))
    # through October (10 of 12): ceil(0.5 × 10 × 10/12) = 5
    assert october.frozen["sampling"]["classes"]["medium"] == {
        "yearly_ratio": "0.5", "class_size": 10, "drawn_before": 0, "count": 5}
    assert json.loads(october.lists_json)["ratios"] == {"medium": 0.5}
    runs.enter_beacon(make.user("bureau_admin"), october.id, "3312.58", now=NOW + timedelta(days=3))
    runs.run_due_plans(NOW + timedelta(days=3))
    assert len(json.loads(db.session.get(PlanRun, october.id).output_json)["selected"]) == 5
    runs.run_due_plans(datetime(2026, 11, 2, 2, 0, tzinfo=timezone.utc))
    november = db.session.scalar(select(PlanRun).where(PlanRun.plan_id == plan.id, PlanRun.period_key == "2026-11"))
    # through November: ceil(0.5 × 10 × 11/12) = 5, all drawn in October
    assert november.frozen["sampling"]["classes"]["medium"]["drawn_before"] == 5
    assert json.loads(november.lists_json)["ratios"] == {"medium": 0.0}
