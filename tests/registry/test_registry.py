"""The institution registry: search, create, edit, history."""
from __future__ import annotations

from sqlalchemy import select

from inspect_app.core.audit import AuditEvent
from inspect_app.registry.models import Institution
from tests.factories import credit_code

VALID = {"name": "新开养老院", "type": "nursing_home", "district": "示范区", "street": "东风街道",
         "address": "东风路1号", "beds": "80", "nursing_beds": "20", "operator_type": "private",
         "medical_integration": "none", "status": "operating"}


def test_list_filters_by_type_and_search(make, login):
    make.institution(name="甲日间照料中心", type="day_care")
    make.institution(name="乙养老院", type="nursing_home")
    browser = login(make.user("inspector"))
    html = browser.get("/institutions/?type=day_care").get_data(as_text=True)
    assert "甲日间照料中心" in html and "乙养老院" not in html
    html = browser.get("/institutions/?q=乙养老").get_data(as_text=True)
    assert "乙养老院" in html and "甲日间照料中心" not in html


def test_list_pages(make, login):
    for i in range(30):
        make.institution(name=f"分页机构{i:02d}", street="翻页街道")
    html = login(make.user("inspector")).get("/institutions/?street=翻页街道&page=2").get_data(as_text=True)
    assert "分页机构29" in html and "分页机构00" not in html


def test_bureau_admin_creates_an_institution_with_an_audit_row(make, login, db):
    admin = make.user("bureau_admin")
    browser = login(admin)
    code = credit_code(424242)
    response = browser.post("/institutions/new", {**VALID, "credit_code": code}, token_from="/institutions/new")
    assert response.status_code == 302
    inst = db.session.scalar(select(Institution).where(Institution.credit_code == code))
    assert inst.name == "新开养老院" and inst.beds == 80
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.entity == "institution",
                                                       AuditEvent.entity_id == str(inst.id)))
    assert event.action == "create" and event.actor_id == admin.id and event.after["name"] == "新开养老院"


def test_invalid_credit_code_is_refused_at_its_field(make, login, db):
    browser = login(make.user("bureau_admin"))
    code = credit_code(7)
    bad = code[:17] + ("0" if code[17] != "0" else "1")
    response = browser.post("/institutions/new", {**VALID, "credit_code": bad}, token_from="/institutions/new")
    assert response.status_code == 422
    assert "check character" in response.get_data(as_text=True) or "校验" in response.get_data(as_text=True)
    assert db.session.scalar(select(Institution).where(Institution.credit_code == bad)) is None


def test_edit_records_before_and_after(make, login, db):
    inst = make.institution(name="旧名养老院")
    browser = login(make.user("bureau_admin"))
    data = {**VALID, "name": "新名养老院", "credit_code": inst.credit_code, "version": str(inst.version)}
    assert browser.post(f"/institutions/{inst.id}/edit", data, token_from="/institutions/").status_code == 302
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.entity_id == str(inst.id))
                               .order_by(AuditEvent.id.desc())).first()
    assert event.before["name"] == "旧名养老院" and event.after["name"] == "新名养老院"


def test_stale_edit_is_refused_and_changes_nothing(make, login, db):
    inst = make.institution(name="并发养老院")
    browser = login(make.user("bureau_admin"))
    data = {**VALID, "name": "覆盖", "credit_code": inst.credit_code, "version": str(inst.version - 1 or 99)}
    response = browser.post(f"/institutions/{inst.id}/edit", data, token_from="/institutions/")
    assert response.status_code == 422
    db.session.refresh(inst)
    assert inst.name == "并发养老院"


def test_script_in_a_name_renders_inert(make, login):
    make.institution(name="<script>alert(1)</script>养老院")
    html = login(make.user("inspector")).get("/institutions/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_tampered_version_field_is_refused_not_a_crash(make, login, db):
    inst = make.institution(name="篡改版本养老院")
    browser = login(make.user("bureau_admin"))
    data = {**VALID, "name": "覆盖", "credit_code": inst.credit_code, "version": "abc"}
    response = browser.post(f"/institutions/{inst.id}/edit", data, token_from="/institutions/")
    assert response.status_code == 422
    db.session.refresh(inst)
    assert inst.name == "篡改版本养老院"
