"""Calling a visit off: who may, when, and that the reason is kept."""
from __future__ import annotations

from sqlalchemy import select

from inspect_app.core.audit import AuditEvent
from inspect_app.inspections.models import Visit
from tests.inspections.kit import Kit


def test_department_admin_calls_off_their_departments_visit_with_a_reason(make, db, login):
    visit = Kit(make, db).visit()
    browser = login(make.user("department_admin", department="fire"))
    page = f"/inspections/visits/{visit.id}"
    assert "cancel" in browser.get(page).get_data(as_text=True)
    refused = browser.post(f"{page}/cancel", {"reason": "  "}, token_from=page)
    assert refused.status_code == 302
    assert db.session.get(Visit, visit.id).status == "planned"
    done = browser.post(f"{page}/cancel", {"reason": "机构已停业"}, token_from=page)
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Visit, visit.id).status == "cancelled"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.entity == "visit", AuditEvent.entity_id == str(visit.id),
                                                       AuditEvent.action == "cancel"))
    assert event.after["reason"] == "机构已停业"


def test_another_departments_admin_cannot_call_off_a_joint_visit(make, db, login):
    kit = Kit(make, db)
    visit = kit.visit(departments={"fire": [make.user("inspector", department="fire")],
                                   "health": [make.user("inspector", department="health")]})
    browser = login(make.user("department_admin", department="fire"))
    page = f"/inspections/visits/{visit.id}"
    assert "/cancel" not in browser.get(page).get_data(as_text=True)
    assert browser.post(f"{page}/cancel", {"reason": "不需要"}, token_from=page).status_code == 403
    db.session.expire_all()
    assert db.session.get(Visit, visit.id).status == "planned"


def test_a_visit_with_a_submitted_record_cannot_be_called_off(make, db, login):
    visit, _part, _ = Kit(make, db).submitted()
    browser = login(make.user("bureau_admin"))
    page = f"/inspections/visits/{visit.id}"
    assert browser.post(f"{page}/cancel", {"reason": "误建"}, token_from=page).status_code == 403
    db.session.expire_all()
    assert db.session.get(Visit, visit.id).status == "completed"
