"""Community facilities as inspection targets, end to end through the services: a plan scoped
to meal points and home-care beds draws them with their own ratios, each visit is filled with
the checklist of its facility type, and the submitted answers give findings and a notice."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from inspect_app.core import jobs
from inspect_app.core.errors import Invalid
from inspect_app.inspections.models import Visit
from inspect_app.inspections.services import checklists_for, create_visit, start, submit
from inspect_app.planning import plans, runs
from inspect_app.planning.models import DRAWN, PlanRun
from inspect_app.rectification.findings import open_findings
from tests.factories import credit_code
from tests.inspections.kit import Kit, new_id

NOW = datetime(2026, 10, 9, 2, 0, tzinfo=timezone.utc)        # a Friday, 10:00 in Shanghai
LATER = NOW + timedelta(days=3)


@pytest.fixture
def places(make):
    provider = credit_code(424242)
    meal = make.institution(name="东风社区老年助餐点", type="meal_point", district="社区区", beds=0, nursing_beds=0)
    beds = [make.institution(name=f"家庭照护床位 JT-{n}", type="home_care_bed", district="社区区",
                             credit_code=provider, bed_code=f"JT-2026-{n:03d}", care_level="3",
                             assessed_on=date(2026, 3, 1), beds=1, nursing_beds=0) for n in (1, 2)]
    home = make.institution(name="社区区养老院", type="nursing_home", district="社区区")
    civil = [make.user("inspector", department="civil_affairs", district="社区区") for _ in range(3)]
    return meal, beds, home, civil


def test_each_facility_type_gets_its_own_checklist_per_department(db):
    assert [c.id for c in checklists_for("civil_affairs", "inspection", "meal_point")] == ["meal-service"]
    assert [c.id for c in checklists_for("civil_affairs", "inspection", "home_care_bed")] == ["home-care-bed"]
    assert [c.id for c in checklists_for("civil_affairs", "inspection", "rural_mutual_aid")] == ["rural-mutual-aid"]
    assert [c.id for c in checklists_for("civil_affairs", "inspection", "day_care")] == ["community-day-care"]
    assert [c.id for c in checklists_for("civil_affairs", "inspection", "nursing_home")] == ["service-safety"]
    assert [c.id for c in checklists_for("fire", "inspection", "meal_point")] == ["fire-safety"]
    assert checklists_for("fire", "inspection", "home_care_bed") == []      # a private home


def test_a_fire_team_cannot_be_sent_to_a_home_care_bed(db, make, places):
    _, beds, _, _ = places
    firefighters = [make.user("inspector", department="fire") for _ in range(2)]
    with pytest.raises(Invalid) as refused:
        create_visit(None, beds[0].id, date(2026, 10, 12), {"fire": [u.id for u in firefighters]}, "routine")
    assert any(p.startswith("departments.fire:") and "家庭照护床位" in p for p in refused.value.problems)


def test_a_plan_naming_a_type_its_departments_cannot_inspect_is_refused(db, make):
    values = plans.defaults(["home_care_bed"]) | {"name": "家庭照护床位抽查", "start": date(2026, 1, 1)}
    assert values["departments"] == ["civil_affairs"]
    assert values["ratios"] == {"high": "0.3", "medium_high": "0.1", "medium": "0.05", "low": "0.05"}
    with pytest.raises(Invalid) as refused:
        plans.create_plan(make.user("bureau_admin"), values | {"departments": ["civil_affairs", "fire"]})
    assert [p[0] for p in refused.value.problems] == ["institution_types"]
    assert plans.create_plan(make.user("bureau_admin"), values).institution_types == ["home_care_bed"]


def test_a_new_plan_for_meal_points_starts_with_their_own_ratios_and_a_mixed_one_with_the_default(db):
    assert plans.defaults(["meal_point"])["ratios"] == {"high": "0.5", "medium_high": "0.2", "medium": "0.1", "low": "0.05"}
    assert plans.defaults(["meal_point", "nursing_home"])["ratios"] == plans.DEFAULT_RATIOS
    assert plans.defaults()["ratios"] == plans.DEFAULT_RATIOS


def _drawn_visits(db, make, plan):
    runs.run_due_plans(NOW)
    run = db.session.scalar(select(PlanRun).where(PlanRun.plan_id == plan.id))
    runs.enter_beacon(make.user("bureau_admin"), run.id, "3312.58", now=LATER)
    runs.run_due_plans(LATER)
    run = db.session.get(PlanRun, run.id)
    assert run.state == DRAWN
    return run, list(db.session.scalars(select(Visit).where(Visit.source == run.source_key).order_by(Visit.id)))


def _fill_and_submit(db, visit, failing: dict[str, str]):
    """Fill the visit's one part as the tablet does (start, answers, photos, signatures, submit)."""
    kit = Kit(None, db)
    part = visit.inspections[0]
    lead = next(m.user for m in part.team if m.lead)
    sid = new_id()
    start(lead, part.id, sid)
    body = kit.submit_body(part, sid)
    body["answers"].update(failing)
    body["remarks"] = {item: "现场核查不符合" for item in failing}
    kit.evidence_for_required(lead, part, body["answers"])
    submit(lead, part.id, body)
    db.session.flush()
    return part


def test_meal_point_and_home_care_bed_are_drawn_filled_and_given_findings_and_a_notice(db, make, places):
    meal, beds, home, civil = places
    admin = make.user("bureau_admin")
    values = plans.defaults(["meal_point", "home_care_bed"]) | {
        "name": "社区助餐与家庭照护床位双随机抽查", "start": date(2020, 1, 1), "districts": ["社区区"],
        "ratios": {"high": "1", "medium_high": "1", "medium": "1", "low": "1"}}
    assert values["departments"] == ["civil_affairs"]
    plan = plans.create_plan(admin, values)
    run, visits = _drawn_visits(db, make, plan)

    # every meal point and bed of the district is drawn (ratio 1), the nursing home is not
    assert sorted(v.institution_id for v in visits) == sorted([meal.id, beds[0].id, beds[1].id])
    assert set(run.frozen["institutions"]) == {meal.credit_code, "JT-2026-001", "JT-2026-002"}
    by_place = {v.institution_id: v for v in visits}
    assert [p.checklist_version.checklist_id for p in by_place[meal.id].inspections] == ["meal-service"]
    assert [p.checklist_version.checklist_id for p in by_place[beds[0].id].inspections] == ["home-care-bed"]
    assert all(len(p.team) == 2 and {m.user_id for m in p.team} <= {u.id for u in civil}
               for v in visits for p in v.inspections)

    # the meal point: prices not displayed (major), a duplicate subsidy (critical)
    meal_part = _fill_and_submit(db, by_place[meal.id], {"MEAL-16": "fail", "MEAL-20": "fail", "MEAL-02": "na"})
    # the bed: the alarm test got no response (critical, 3 days), 80 % of the agreed visits made
    bed_part = _fill_and_submit(db, by_place[beds[0].id], {"HCB-06": "fail", "HCB-08": "80"})
    assert meal_part.result["failed"] == ["MEAL-16", "MEAL-20"]
    assert bed_part.result["failed"] == ["HCB-06", "HCB-08"]
    # HCB-08 earns 0 of its 10 points and HCB-06 0 of 10: 80 of 100 points
    assert (bed_part.result["total"], bed_part.result["max"]) == (80, 100)

    # the submit left the follow-up job; its service gives the findings and one numbered notice
    queued = db.session.scalars(select(jobs.Job).where(jobs.Job.name == "rectification.open_findings")).all()
    assert {j.payload["inspection_id"] for j in queued} >= {meal_part.id, bed_part.id}
    issued = NOW + timedelta(days=4)
    meal_notice = open_findings(meal_part.id, now=issued)
    bed_notice = open_findings(bed_part.id, now=issued)
    meal_findings = {f.item_id: f for f in meal_notice.findings}
    bed_findings = {f.item_id: f for f in bed_notice.findings}
    assert {k: (f.severity, f.deadline_days) for k, f in meal_findings.items()} == {
        "MEAL-16": ("major", 10), "MEAL-20": ("critical", 3)}      # policy days by severity
    assert {k: (f.severity, f.deadline_days) for k, f in bed_findings.items()} == {
        "HCB-06": ("critical", 3), "HCB-08": ("major", 10)}
    assert bed_notice.institution_id == beds[0].id and meal_notice.institution_id == meal.id
    assert bed_findings["HCB-08"].answer == "80"
    assert all(f.checklist_id == "home-care-bed" for f in bed_findings.values())
    assert open_findings(bed_part.id, now=issued).id == bed_notice.id            # once


def test_a_yearly_coverage_plan_of_fire_leaves_out_the_home_care_beds(db, make, places):
    from inspect_app.planning.models import YEARLY_COVERAGE
    from inspect_app.planning.routine import freeze_targets
    from tests.planning.conftest import make_plan
    meal, beds, home, _ = places
    plan = make_plan(db, make.user("bureau_admin"), kind="routine", rule=YEARLY_COVERAGE, period="yearly",
                     departments=["fire"], districts=["社区区"])
    targets = {t["institution_id"] for t in freeze_targets(plan, NOW, NOW.date())["targets"]}
    assert targets == {meal.id, home.id}
