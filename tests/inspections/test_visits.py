"""Visits: ad-hoc creation by departments and the bureau, joint teams, conflicts of
interest, "my inspections" per role, and who may open a visit."""
from __future__ import annotations

from datetime import date

import pytest
import time_machine
from sqlalchemy import select

from inspect_app.auth.models import ConflictOfInterest
from inspect_app.core.audit import AuditEvent
from inspect_app.core.errors import Forbidden, Invalid
from inspect_app.core.types import utcnow
from inspect_app.inspections.models import Visit
from inspect_app.inspections.services import create_visit, my_work


def test_bureau_creates_a_joint_visit_with_one_part_per_department(make, db):
    bureau = make.user("bureau_admin")
    inst = make.institution()
    fire, civil = make.user("inspector", department="fire"), make.user("inspector", department="civil_affairs")
    fire2, civil2 = make.user("inspector", department="fire"), make.user("inspector", department="civil_affairs")
    visit = create_visit(bureau, inst.id, date(2026, 12, 1),
                         {"fire": [fire.id, fire2.id], "civil_affairs": [civil.id, civil2.id]}, "complaint")
    assert visit.status == "planned" and visit.purpose == "complaint" and visit.created_by_id == bureau.id
    parts = {p.department: p for p in visit.inspections}
    assert parts["fire"].checklist_version.checklist_id == "fire-safety"
    assert parts["civil_affairs"].checklist_version.checklist_id == "service-safety"
    assert [m.user_id for m in parts["fire"].team] == [fire.id, fire2.id] and parts["fire"].team[0].lead
    assert all(p.status == "assigned" for p in visit.inspections)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.entity == "visit", AuditEvent.entity_id == str(visit.id)))
    assert event.action == "create" and event.after["parts"]["fire"]["checklist"] == "fire-safety"


def test_grading_visit_uses_the_grading_checklist_named(make):
    assessor = make.user("inspector", department="civil_affairs")
    visit = create_visit(None, make.institution().id, date(2026, 12, 1), {"civil_affairs": [assessor.id]},
                         "grading", kind="grading", source="application:7",
                         checklist_ids={"civil_affairs": "star-grading"})
    assert visit.inspections[0].checklist_version.checklist_id == "star-grading"
    assert visit.kind == "grading" and visit.source == "application:7"


def test_conflict_of_interest_is_refused_with_a_clear_message(make, db):
    inst = make.institution()
    inspector = make.user("inspector", department="fire", name="王检查")
    db.session.add(ConflictOfInterest(user_id=inspector.id, institution_id=inst.id, reason="亲属", declared_at=utcnow()))
    db.session.flush()
    with pytest.raises(Invalid) as caught:
        create_visit(make.user("bureau_admin"), inst.id, date(2026, 12, 1), {"fire": [inspector.id]}, "routine")
    assert any(p.startswith("inspectors.fire: ") and "王检查" in p and "conflict of interest" in p
               for p in caught.value.problems)
    assert db.session.scalar(select(Visit).where(Visit.institution_id == inst.id)) is None


def test_inspectors_come_from_their_own_department(make):
    health, fire = make.user("inspector", department="health"), make.user("inspector", department="fire")
    with pytest.raises(Invalid) as caught:
        create_visit(None, make.institution().id, date(2026, 12, 1), {"fire": [health.id, fire.id]}, "routine")
    assert caught.value.problems == [f"inspectors.fire: #{health.id} is not an active inspector of this department"]


def test_department_admin_creates_visits_of_their_department_only(make):
    admin = make.user("department_admin", department="fire")
    civil = make.user("inspector", department="civil_affairs")
    with pytest.raises(Invalid) as caught:
        create_visit(admin, make.institution().id, date(2026, 12, 1), {"civil_affairs": [civil.id]}, "routine")
    assert any(p.startswith("departments.civil_affairs:") for p in caught.value.problems)
    with pytest.raises(Forbidden):
        create_visit(make.user("inspector"), make.institution().id, date(2026, 12, 1), {}, "routine")


def test_a_department_without_a_checklist_and_other_problems_are_all_listed(make):
    fire = make.user("inspector", department="fire")
    with pytest.raises(Invalid) as caught:
        create_visit(None, 999999, date(2026, 12, 1), {"fire": [fire.id]}, "party", kind="grading",
                     due_by=date(2026, 11, 1))
    wheres = {p.split(":")[0] for p in caught.value.problems}
    assert wheres == {"purpose", "due_by", "institution_id", "departments.fire"}


def test_a_joint_visit_with_medical_insurance_gets_its_own_checklist(make):
    """医保 has an inspection checklist of its own, so a joint visit that includes it is made."""
    civil = [make.user("inspector", department="civil_affairs") for _ in range(2)]
    insurance = [make.user("inspector", department="medical_insurance") for _ in range(2)]
    visit = create_visit(None, make.institution().id, date(2026, 12, 1),
                         {"civil_affairs": [u.id for u in civil], "medical_insurance": [u.id for u in insurance]},
                         "routine")
    parts = {p.department: p.checklist_version.checklist_id for p in visit.inspections}
    assert parts == {"civil_affairs": "service-safety", "medical_insurance": "medical-insurance"}


def test_new_visit_page_creates_a_visit(make, login, db):
    admin = make.user("department_admin", department="fire")
    inst = make.institution(name="投诉养老院")
    a, b = make.user("inspector", department="fire"), make.user("inspector", department="fire")
    browser = login(admin)
    page = browser.get("/inspections/visits/new").get_data(as_text=True)
    assert "投诉养老院" in page and f'name="inspectors-fire" type="checkbox" value="{a.id}"' in page
    r = browser.post("/inspections/visits/new", {"institution_id": inst.id, "scheduled_for": "2026-12-03",
                                                 "purpose": "complaint", "departments": "fire",
                                                 "inspectors-fire": [str(a.id), str(b.id)]},
                     token_from="/inspections/visits/new")
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    visit = db.session.scalar(select(Visit).where(Visit.institution_id == inst.id))
    assert visit.purpose == "complaint" and {m.user_id for m in visit.inspections[0].team} == {a.id, b.id}
    # no inspector ticked: the page comes back with the problem at the department
    r = browser.post("/inspections/visits/new", {"institution_id": inst.id, "scheduled_for": "2026-12-03",
                                                 "purpose": "routine", "departments": "fire"},
                     token_from="/inspections/visits/new")
    text = r.get_data(as_text=True)
    assert r.status_code == 422 and ("choose at least one inspector" in text or "至少选择一名检查员" in text)


def test_my_inspections_are_grouped_by_day(kit, make, login):
    me = make.user("inspector", department="fire")
    today = date(2026, 11, 25)  # a Wednesday
    for when, name in ((date(2026, 11, 20), "逾期院"), (today, "今日院"), (date(2026, 11, 28), "本周院"),
                       (date(2026, 12, 9), "以后院")):
        kit.visit(make.institution(name=name), {"fire": [me]}, when=when)
    kit.visit(make.institution(name="别人的院"), {"fire": [make.user("inspector", department="fire")]}, when=today)
    groups = my_work(me, today)
    names = {g: [w.visit.institution.name for w in rows] for g, rows in groups.items()}
    assert names == {"overdue": ["逾期院"], "today": ["今日院"], "this_week": ["本周院"], "later": ["以后院"], "done": []}
    with time_machine.travel("2026-11-25 02:00:00+00:00", tick=False):
        html = login(me).get("/inspections/").get_data(as_text=True)
    assert "今日院" in html and "别人的院" not in html


def test_department_admin_sees_their_departments_visits(kit, make):
    fire_admin = make.user("department_admin", department="fire")
    kit.visit(make.institution(name="消防院"))
    kit.visit(make.institution(name="卫健院"), {"health": [make.user("inspector", department="health")]})
    seen = [w.visit.institution.name for rows in my_work(fire_admin, date.today()).values() for w in rows]
    assert "消防院" in seen and "卫健院" not in seen
    bureau_seen = [w.visit.institution.name for rows in my_work(make.user("bureau_admin"), date.today()).values() for w in rows]
    assert {"消防院", "卫健院"} <= set(bureau_seen)


def test_visit_page_for_staff_only_when_completed_and_their_own(kit, make, login):
    visit, part, inspector = kit.submitted(institution=make.institution(name="已完成院"))
    staff = make.user("institution_staff", institution_id=visit.institution_id)
    assert login(staff).get(f"/inspections/visits/{visit.id}").status_code == 200
    open_visit = kit.visit(institution=visit.institution)
    assert login(staff).get(f"/inspections/visits/{open_visit.id}").status_code == 404
    other_staff = make.user("institution_staff")
    assert login(other_staff).get(f"/inspections/visits/{visit.id}").status_code == 404
    health_admin = make.user("department_admin", department="health")
    assert login(health_admin).get(f"/inspections/visits/{visit.id}").status_code == 404


def test_an_enforcement_visit_with_one_inspector_of_a_department_is_refused_at_that_department(make, db):
    # 行政执法: at least two inspectors per department (policies/enforcement.yaml; docs/regulations.md,
    # "Enforcement visits: at least two inspectors")
    inst = make.institution()
    fire1, fire2 = make.user("inspector", department="fire"), make.user("inspector", department="fire")
    health = make.user("inspector", department="health")
    for purpose in ("routine", "random", "complaint", "follow_up"):
        with pytest.raises(Invalid) as caught:
            create_visit(None, inst.id, date(2026, 12, 1), {"fire": [fire1.id, fire2.id], "health": [health.id]}, purpose)
        assert caught.value.problems == [
            "inspectors.health: an enforcement visit needs at least 2 inspectors of each department"]
    # the same inspector twice is one inspector
    with pytest.raises(Invalid):
        create_visit(None, inst.id, date(2026, 12, 1), {"fire": [fire1.id, fire1.id]}, "routine")
    assert db.session.scalar(select(Visit).where(Visit.institution_id == inst.id)) is None
    assert create_visit(None, inst.id, date(2026, 12, 1), {"fire": [fire1.id, fire2.id]}, "routine").id


def test_the_new_visit_page_refuses_a_team_of_one_in_chinese(make, login, db):
    admin = make.user("department_admin", department="fire")
    inst = make.institution(name="单人检查院")
    alone = make.user("inspector", department="fire")
    r = login(admin).post("/inspections/visits/new", {"institution_id": inst.id, "scheduled_for": "2026-12-03",
                                                      "purpose": "routine", "departments": "fire",
                                                      "inspectors-fire": [str(alone.id)]},
                          token_from="/inspections/visits/new")
    assert r.status_code == 422
    assert "执法检查每个部门至少需要 2 名检查人员" in r.get_data(as_text=True)
    assert db.session.scalar(select(Visit).where(Visit.institution_id == inst.id)) is None
