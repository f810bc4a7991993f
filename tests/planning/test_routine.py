"""Routine plans: open critical findings get one on-site re-inspection, however often beat fires."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from inspect_app.inspections.models import Visit
from inspect_app.inspections.services.visits import create_visit
from inspect_app.planning import runs
from inspect_app.planning.models import DRAWN, PlanRun
from inspect_app.rectification.models import Finding
from tests.factories import with_partners
from tests.planning.conftest import make_plan

NOW = datetime(2026, 10, 9, 2, 0, tzinfo=timezone.utc)


def _finding(db, make, severity="critical", state="open", **inst):
    inspector = make.user("inspector", department="fire")
    institution = make.institution(**inst)
    visit = create_visit(None, institution.id, date(2026, 9, 1),
                         {d: [u.id for u in us] for d, us in with_partners({"fire": [inspector]}).items()},
                         purpose="routine")
    part = visit.inspections[0]
    finding = Finding(inspection_id=part.id, visit_id=visit.id, institution_id=institution.id,
                      department="fire", checklist_id="fire-safety", checklist_version="1",
                      item_id="FIRE-01", item_text="消防通道畅通", severity=severity, veto=False,
                      deadline_days=7, original_deadline_at=NOW, deadline_at=NOW, state=state, step=0,
                      escalation_level=0, policy_version="test", created_at=NOW - timedelta(days=30))
    db.session.add(finding)
    db.session.flush()
    return finding


def _followups(db, finding):
    return list(db.session.scalars(select(Visit).where(Visit.source == f"finding:{finding.id}")))


def test_open_critical_findings_get_one_reinspection(db, make):
    critical = _finding(db, make)
    minor = _finding(db, make, severity="minor")
    closed = _finding(db, make, state="closed")
    make_plan(db, None, name="严重隐患复查", kind="routine", rule="critical_followup", period="daily",
              team_per_department=1, visit_within_days=3)
    runs.run_due_plans(NOW)
    runs.run_due_plans(NOW)                              # beat fires twice
    runs.run_due_plans(NOW + timedelta(days=1))         # the next day's run finds it scheduled
    [visit] = _followups(db, critical)
    assert (visit.purpose, visit.kind) == ("follow_up", "inspection")
    assert visit.scheduled_for == date(2026, 10, 12)     # Friday + 3 days → Monday
    assert [p.department for p in visit.inspections] == ["fire"]
    assert len(visit.inspections[0].team) == 2          # an enforcement visit: two inspectors at least
    assert _followups(db, minor) == [] and _followups(db, closed) == []
    states = [r.state for r in db.session.scalars(select(PlanRun).order_by(PlanRun.id))]
    assert states == [DRAWN, DRAWN]


def test_a_finding_outside_the_plans_scope_is_left_alone(db, make):
    elsewhere = _finding(db, make, district="别区")
    make_plan(db, None, kind="routine", rule="critical_followup", period="daily", districts=["测试区"])
    runs.run_due_plans(NOW)
    assert _followups(db, elsewhere) == []


def _grade(db, make, institution, level, expires_on, scheme="star"):
    from inspect_app.grading.models import GradeRecord
    inspector = make.user("inspector", department="civil_affairs")
    visit = create_visit(None, institution.id, date(2023, 1, 5), {"civil_affairs": [inspector.id]},
                         purpose="grading", kind="grading")
    visit.status = "completed"                       # the evaluation that gave the grade
    record = GradeRecord(institution_id=institution.id, inspection_id=visit.inspections[0].id,
                         state="confirmed", level=level, total=90, percent=90, explanation={},
                         evaluated_at=NOW - timedelta(days=1000), effective_on=date(2023, 11, 1),
                         expires_on=expires_on, policy_version="2026.1", scheme=scheme)
    db.session.add(record)
    db.session.flush()
    return record


def test_grades_expiring_within_the_horizon_get_one_grading_visit(db, make):
    soon, later = make.institution(name="即将到期养老院"), make.institution(name="远未到期养老院")
    _grade(db, make, soon, 3, date(2026, 12, 1))
    _grade(db, make, later, 4, date(2027, 12, 1))
    make.user("inspector", department="civil_affairs")
    make_plan(db, None, name="等级到期评定", kind="routine", rule="grade_expiry", period="monthly",
              departments=["civil_affairs"], horizon_days=90, visit_within_days=14)
    runs.run_due_plans(NOW)
    runs.run_due_plans(NOW)
    visits = list(db.session.scalars(select(Visit).where(Visit.source.like("plan-run:%"))))
    assert [(v.institution_id, v.kind, v.purpose, v.due_by) for v in visits] == [
        (soon.id, "grading", "grading", date(2026, 12, 1))]
    assert visits[0].inspections[0].checklist_version.checklist_id == "star-grading"


def test_an_expiring_a_level_is_evaluated_with_the_rating_checklist(db, make):
    centre = make.institution(name="即将到期服务中心", type="community_center", beds=0)
    _grade(db, make, centre, 4, date(2026, 12, 1), scheme="a_level")
    make.user("inspector", department="civil_affairs")
    make_plan(db, None, name="等级到期评定", kind="routine", rule="grade_expiry", period="monthly",
              departments=["civil_affairs"], horizon_days=90, visit_within_days=14)
    runs.run_due_plans(NOW)
    [visit] = db.session.scalars(select(Visit).where(Visit.source.like("plan-run:%")))
    assert visit.institution_id == centre.id
    assert visit.inspections[0].checklist_version.checklist_id == "community-rating"


def test_risk_classes_of_the_frozen_lists_come_from_grades_findings_and_complaints(db, make):
    graded = make.institution(name="五星养老院", district="风险区")
    _grade(db, make, graded, 5, date(2027, 6, 1))
    flagged = _finding(db, make, district="风险区").institution    # one overdue critical finding
    complained = make.institution(name="被投诉养老院", district="风险区")
    inspector = make.user("inspector", department="fire")
    for _ in range(3):
        create_visit(None, complained.id, date(2026, 9, 1),
                     {d: [u.id for u in us] for d, us in with_partners({"fire": [inspector]}).items()},
                     purpose="complaint")
    plain = make.institution(name="普通养老院", district="风险区")
    plan = make_plan(db, None, districts=["风险区"], departments=["fire"])
    runs.run_due_plans(NOW)
    run = db.session.scalar(select(PlanRun).where(PlanRun.plan_id == plan.id))
    risk = {row["id"]: row["risk"] for row in run.frozen["institutions"].values()}
    assert risk[graded.id] == "low"
    assert risk[flagged.id] == "medium_high"       # overdue ≥ 1 (high needs 2)
    assert risk[complained.id] == "high"           # 3 complaints in the last year
    assert risk[plain.id] == "medium"              # no grade


def test_a_reinspection_with_only_one_eligible_inspector_is_not_scheduled_and_says_why(db, make):
    from inspect_app.auth.models import User
    critical = _finding(db, make)
    fire = list(db.session.scalars(select(User).where(User.role == "inspector", User.department == "fire")
                                   .order_by(User.id)))
    for user in fire[1:]:                               # one active fire inspector is left
        user.is_active_account = False
    db.session.flush()
    make_plan(db, None, name="严重隐患复查", kind="routine", rule="critical_followup", period="daily",
              team_per_department=2, visit_within_days=3)
    runs.run_due_plans(NOW)
    assert _followups(db, critical) == []
    run = db.session.scalar(select(PlanRun))
    assert "fewer than 2 eligible inspectors of fire" in run.message
