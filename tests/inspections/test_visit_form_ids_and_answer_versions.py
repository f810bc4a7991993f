"""Odd input on the visit form: never a 500, never a wrong record."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("value", ["²", "99999999999999999999999", "-3", "1e3", ""])
def test_new_visit_form_survives_odd_ids(make, login, value):
    admin = make.user("department_admin", department="fire")
    browser = login(admin)
    assert browser.get(f"/inspections/visits/new?institution_id={value}").status_code == 200
    inst = make.institution()
    response = browser.post("/inspections/visits/new", {
        "institution_id": str(inst.id), "scheduled_for": "2026-12-01", "purpose": "complaint",
        "departments": "fire", "inspectors-fire": value}, token_from="/inspections/visits/new")
    assert response.status_code in (200, 422)


@pytest.mark.parametrize("version", ["²", "1e3", -1, True, "99999999999"])
def test_odd_answer_versions_are_refused_not_crashed(make, db, login, version):
    from tests.inspections.kit import Kit, new_id, post_json
    inspector = make.user("inspector", department="fire")
    visit = Kit(make, db).visit(departments={"fire": [inspector]})
    part = visit.inspections[0]
    browser = login(inspector)
    post_json(browser, f"/inspections/{part.id}/start", {"submission_id": new_id()})
    item = Kit(make, db).checklist(part).items[0]
    saved = post_json(browser, f"/inspections/{part.id}/answers",
                      {"item_id": item.id, "value": "pass", "remark": "", "version": version})
    assert saved.status_code == 422
    submitted = post_json(browser, f"/inspections/{part.id}/submit",
                          {"submission_id": new_id(), "answers": {}, "versions": {item.id: version}})
    assert submitted.status_code == 422
