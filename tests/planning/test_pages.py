"""Plan pages (bureau), the beacon form, calendars and planned-vs-done."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import time_machine
from sqlalchemy import select

from inspect_app.core.audit import AuditEvent
from inspect_app.inspections.services.visits import create_visit
from tests.factories import with_partners
from inspect_app.planning.models import FROZEN, Plan, PlanRun, SEEDED
from tests.planning.conftest import make_plan

FORM = {"name": "2027年度双随机", "kind": "random_joint", "rule": "", "period": "quarterly",
        "enabled": "y", "start": "2027-01-01", "expires": "", "departments": ["fire", "health"],
        "ratio_high": "0.3", "ratio_medium_high": "0.1", "ratio_medium": "0.02", "ratio_low": "0.01",
        "team_per_department": "2", "max_per_inspector": "5", "beacon_source": "上证综指收盘点位",
        "beacon_delay_days": "1", "publish_delay_days": "0", "horizon_days": "90",
        "visit_within_days": "14", "risk_high_veto": "1", "risk_high_overdue": "2",
        "risk_high_complaints": "3", "risk_medium_high_overdue": "1", "risk_medium_high_open": "3",
        "risk_medium_high_complaints": "1", "risk_medium_high_max_grade": "1",
        "risk_low_min_grade": "4", "risk_low_max_open": "0", "risk_lookback_days": "365",
        "risk_high_blacklisted": "1", "risk_high_accidents": "1", "risk_medium_high_penalties": "1"}


def test_bureau_admin_creates_a_plan_with_an_audit_row(db, make, login):
    admin = make.user("bureau_admin")
    response = login(admin).post("/planning/plans/new", FORM, token_from="/planning/plans/new")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    plan = db.session.scalar(select(Plan).where(Plan.name == "2027年度双随机"))
    assert plan.departments == ["fire", "health"] and plan.ratios["medium"] == "0.02"
    assert plan.risk_policy["high_overdue"] == 2
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.entity == "plan",
                                                       AuditEvent.entity_id == str(plan.id)))
    assert event.action == "create" and event.actor_id == admin.id


def test_invalid_plan_is_refused_at_its_fields_and_saves_nothing(db, make, login):
    browser = login(make.user("bureau_admin"))
    response = browser.post("/planning/plans/new", {**FORM, "ratio_high": "2", "team_per_department": "x"},
                            token_from="/planning/plans/new")
    assert response.status_code == 422
    assert db.session.scalar(select(Plan).where(Plan.name == "2027年度双随机")) is None


def test_stale_edit_is_refused(db, make, login):
    plan = make_plan(db, None, name="旧计划")
    browser = login(make.user("bureau_admin"))
    data = {**FORM, "name": "覆盖", "version": str(plan.version + 5)}
    assert browser.post(f"/planning/plans/{plan.id}/edit", data, token_from="/planning/").status_code == 422
    db.session.refresh(plan)
    assert plan.name == "旧计划"
    data["version"] = str(plan.version)
    assert browser.post(f"/planning/plans/{plan.id}/edit", data, token_from="/planning/").status_code == 302
    db.session.refresh(plan)
    assert plan.name == "覆盖"


def test_the_beacon_form_fixes_the_seed(db, make, login, district):
    from inspect_app.planning import runs
    plan = make_plan(db, None, districts=["测试区"])
    now = datetime(2026, 10, 9, 2, 0, tzinfo=timezone.utc)
    runs.run_due_plans(now)
    run = db.session.scalar(select(PlanRun).where(PlanRun.plan_id == plan.id))
    admin = make.user("bureau_admin")
    value = {"beacon_value": "3300", "beacon_date": "2026-10-10"}
    with time_machine.travel(now, tick=False):
        early = login(admin).post(f"/planning/runs/{run.id}/beacon", value,
                                  token_from=f"/planning/runs/{run.id}")
    assert early.status_code == 302 and db.session.get(PlanRun, run.id).state == FROZEN
    with time_machine.travel(now + timedelta(days=2), tick=False):
        browser = login(admin)
        page = browser.get(f"/planning/runs/{run.id}").get_data(as_text=True)
        assert run.commitment in page
        done = browser.post(f"/planning/runs/{run.id}/beacon", value,
                            token_from=f"/planning/runs/{run.id}")
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(PlanRun, run.id).state == SEEDED


def test_the_beacon_form_asks_for_the_day_named_at_the_freeze_and_refuses_an_earlier_one(db, make, login, district):
    from inspect_app.planning import runs
    plan = make_plan(db, None, districts=["测试区"])
    now = datetime(2026, 10, 9, 14, 44, tzinfo=timezone.utc)          # 22:44 in Shanghai
    runs.run_due_plans(now)
    run = db.session.scalar(select(PlanRun).where(PlanRun.plan_id == plan.id))
    admin = make.user("bureau_admin", locale="en")
    with time_machine.travel(now + timedelta(days=2), tick=False):
        browser = login(admin)
        page = browser.get(f"/planning/runs/{run.id}").get_data(as_text=True)
        assert "a value published only after the lists were frozen on 2026-10-09" in page
        assert 'name="beacon_date"' in page
        def post(dated):
            return browser.post(f"/planning/runs/{run.id}/beacon", {"beacon_value": "3300", "beacon_date": dated},
                                token_from=f"/planning/runs/{run.id}", follow_redirects=True).get_data(as_text=True)
        text = post("2026-10-09")
        assert ("The value of 2026-10-09 existed before the lists were frozen on 2026-10-09, so it could have "
                "been known when they were; the seed takes the value of 2026-10-10 named at the freeze.") in text
        assert "Date of the value: must be after the day the lists were frozen" in text
        assert "Date of the value: is required" in post("")
    assert db.session.get(PlanRun, run.id).state == FROZEN


def _visit(make, institution, day, **teams):
    return create_visit(None, institution.id, day, {d: [u.id for u in us] for d, us in with_partners(teams).items()},
                        purpose="random")


def test_calendar_shows_an_inspector_only_their_own_assignments(db, make, login):
    monday = date(2026, 11, 23)
    mine, theirs = make.user("inspector", department="fire"), make.user("inspector", department="fire")
    _visit(make, make.institution(name="我的检查对象"), monday + timedelta(days=1), fire=[mine])
    _visit(make, make.institution(name="别人的检查对象"), monday + timedelta(days=2), fire=[theirs])
    html = login(mine).get("/planning/calendar?week=2026-W48").get_data(as_text=True)
    assert "我的检查对象" in html and "别人的检查对象" not in html
    html = login(make.user("department_admin", department="fire")).get(
        "/planning/calendar?week=2026-W48").get_data(as_text=True)
    assert "我的检查对象" in html and "别人的检查对象" in html
    html = login(make.user("department_admin", department="health")).get(
        "/planning/calendar?week=2026-W48").get_data(as_text=True)
    assert "我的检查对象" not in html
    assert login(mine).get("/planning/calendar?week=garbage").status_code == 200


def test_planned_vs_done_per_department_and_district(db, make, login):
    day = date(2026, 11, 24)
    fire, health = make.user("inspector", department="fire"), make.user("inspector", department="health")
    v1 = _visit(make, make.institution(district="甲区"), day, fire=[fire], health=[health])
    _visit(make, make.institution(district="乙区"), day, fire=[fire])
    v1.inspections[0].status = "submitted"           # fire part of the first visit done
    db.session.flush()
    from inspect_app.planning.calendar import parse_period, progress
    tallies = progress(make.user("bureau_admin"), parse_period("2026-Q4", day))
    by_dept = {t.name: (t.planned, t.done) for t in tallies["department"]}
    by_district = {t.name: (t.planned, t.done) for t in tallies["district"]}
    assert by_dept["fire"] == (2, 1) and by_dept["health"] == (1, 0)
    assert by_district["甲区"] == (2, 1) and by_district["乙区"] == (1, 0)
    dept_view = progress(make.user("department_admin", department="health"), parse_period("2026-Q4", day))
    assert [(t.name, t.planned) for t in dept_view["department"]] == [("health", 1)]
    html = login(make.user("bureau_admin")).get("/planning/progress?period=2026-Q4").get_data(as_text=True)
    assert "甲区" in html
