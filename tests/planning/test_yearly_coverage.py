"""66号令: every institution checked on site at least once a year (docs/regulations.md,
"Yearly coverage"): a routine plan that books the institutions not yet checked, spread over the
periods left in the year, and the progress on the bureau's planning page."""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import select

from inspect_app.domain.planning.sampling import coverage_due
from inspect_app.inspections.models import Visit
from inspect_app.planning import runs
from inspect_app.planning.models import PlanRun
from tests.planning.conftest import make_plan

NOW = datetime(2026, 10, 9, 2, 0, tzinfo=timezone.utc)       # October: month 10 of 12


def test_the_remaining_institutions_are_spread_over_the_periods_left():
    assert [coverage_due(12, k, 12) for k in (1, 6, 12)] == [1, 2, 12]
    assert coverage_due(10, 4, 4) == 10 and coverage_due(0, 3, 4) == 0
    remaining, booked = 25, []
    for k in range(1, 5):                                       # quarterly: all 25 by year-end
        n = coverage_due(remaining, k, 4)
        booked.append(n)
        remaining -= n
    assert booked == [7, 6, 6, 6] and remaining == 0


def test_a_monthly_coverage_plan_books_the_unchecked_share_and_the_page_shows_progress(db, make, district, login):
    institutions, _inspectors = district                       # ten in 测试区, two civil inspectors
    plan = make_plan(db, None, name="年度全覆盖检查", kind="routine", rule="yearly_coverage", period="monthly",
                     districts=["测试区"], departments=["civil_affairs"], team_per_department=2, visit_within_days=3)
    runs.run_due_plans(NOW)
    run = db.session.scalar(select(PlanRun).where(PlanRun.plan_id == plan.id))
    # ten unchecked, three months left (October to December): ceil(10 / 3) = 4
    assert len(run.frozen["targets"]) == 4
    visits = list(db.session.scalars(select(Visit).where(Visit.source == f"plan-run:{run.id}")))
    assert len(visits) == 4 and all(v.purpose == "routine" and v.due_by == date(2026, 12, 31) for v in visits)
    assert all(len(v.inspections[0].team) == 2 for v in visits)
    # November: the four booked count as covered; ceil(6 / 2) = 3 more
    runs.run_due_plans(datetime(2026, 11, 2, 2, 0, tzinfo=timezone.utc))
    november = db.session.scalar(select(PlanRun).where(PlanRun.plan_id == plan.id, PlanRun.period_key == "2026-11"))
    assert len(november.frozen["targets"]) == 3
    assert not {t["institution_id"] for t in november.frozen["targets"]} & {v.institution_id for v in visits}
    page = login(make.user("bureau_admin")).get("/planning/").get_data(as_text=True)
    assert 'id="coverage"' in page and "年度现场检查覆盖" in page
