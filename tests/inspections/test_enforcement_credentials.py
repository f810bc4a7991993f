"""Enforcement credentials (执法证) on visits, the people form, the record and the notice:
an enforcement visit refuses a department with fewer than two inspectors holding a certificate
valid on the visit's day; admins keep the certificates; the record and the notice print the
officers and their certificate numbers (docs/regulations.md, "Enforcement credentials")."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from inspect_app.auth.models import User
from inspect_app.core.errors import Invalid
from inspect_app.inspections.services import create_visit
from tests.users.test_people_edit import _edit


def _team(make, **second):
    first = make.user("inspector", department="fire", name="持证甲", credential_number="JZ-A1")
    other = make.user("inspector", department="fire", name="乙检查员", **second)
    return first, other


def test_an_enforcement_visit_needs_two_valid_certificates_per_department(make, db):
    institution = make.institution()
    day = date(2026, 3, 2)
    first, expired = _team(make, credential_expires_on=day - timedelta(days=1))
    with pytest.raises(Invalid) as caught:
        create_visit(None, institution.id, day, {"fire": [first.id, expired.id]}, "routine")
    assert caught.value.problems == [
        "inspectors.fire: an enforcement visit needs at least 2 inspectors of each department with an "
        "enforcement certificate valid on 2026-03-02; without one: 乙检查员"]
    # on its last valid day the certificate still counts
    visit = create_visit(None, institution.id, day - timedelta(days=1), {"fire": [first.id, expired.id]}, "routine")
    assert visit.id
    _, none = _team(make, credential_number=None, credential_authority=None, credential_expires_on=None)
    with pytest.raises(Invalid):
        create_visit(None, institution.id, day, {"fire": [first.id, none.id]}, "complaint")
    # a grading evaluation is not an enforcement visit
    grading = create_visit(None, institution.id, day, {"civil_affairs": [
        make.user("inspector", department="civil_affairs", credential_number=None).id]}, "grading", kind="grading")
    assert grading.id


def test_the_department_admin_records_an_inspectors_certificate(make, login, db):
    admin = make.user("department_admin", department="fire")
    person = make.user("inspector", department="fire", credential_number=None, credential_authority=None,
                       credential_expires_on=None)
    browser = login(admin)
    page = browser.get(f"/people/{person.id}/edit").get_data(as_text=True)
    assert 'name="credential_number"' in page and 'name="credential_expires_on"' in page
    response = _edit(browser, person, credential_number="3301022024001", credential_authority="示范市消防救援支队")
    assert response.status_code == 422                      # the expiry date is missing
    assert db.session.get(User, person.id).credential_number is None
    response = _edit(browser, person, credential_number=" 3301022024001 ", credential_authority="示范市消防救援支队",
                     credential_expires_on="2028-06-30")
    assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.get(User, person.id)
    assert (stored.credential_number, stored.credential_authority, stored.credential_expires_on) == (
        "3301022024001", "示范市消防救援支队", date(2028, 6, 30))
    shown = browser.get(f"/people/{person.id}").get_data(as_text=True)
    assert "3301022024001" in shown and "示范市消防救援支队" in shown
    # an inspector cannot edit their own certificate
    assert login(person).get(f"/people/{person.id}/edit").status_code in (403, 404)


def test_the_record_and_the_notice_print_the_officers_and_their_certificate_numbers(kit, make, login, db, monkeypatch):
    from flask import render_template

    from inspect_app.core.pdf import layout
    from inspect_app.inspections.services import start, submit
    from inspect_app.rectification import notices
    from inspect_app.rectification.findings import open_findings
    from tests.inspections.kit import all_pass, new_id
    from tests.inspections.pdf_layout import placed
    lead = make.user("inspector", department="fire", name="执法甲", credential_number="FX-2026-0007")
    partner = make.user("inspector", department="fire", name="执法乙", credential_number="FX-2026-0008")
    visit = kit.visit(departments={"fire": [lead, partner]})
    part = visit.inspections[0]
    sid = new_id()
    start(lead, part.id, sid)
    answers = all_pass(kit.checklist(part))
    answers["FIRE-03"] = "fail"
    kit.evidence_for_required(lead, part, answers)
    submit(lead, part.id, kit.submit_body(part, sid, answers))
    db.session.flush()
    bureau = login(make.user("bureau_admin"))
    html = bureau.get(f"/inspections/{part.id}/record").get_data(as_text=True)
    officers = html[html.index('class="officers"'):]
    officers = re.sub(r"<[^>]+>", "", officers[officers.index(">") + 1:officers.index("</td>")])
    assert "执法人员及执法证号" in html
    assert officers == "执法甲 (组长) 执法证号 FX-2026-0007、执法乙 执法证号 FX-2026-0008"
    db.session.expire_all()
    notice = open_findings(part.id)
    db.session.flush()
    printed = []
    monkeypatch.setattr(notices, "render_pdf", lambda name, **ctx: printed.append(
        [p.text for p in placed(layout(render_template(name, **ctx))) if "officers" in p.classes]) or b"%PDF")
    assert bureau.get(f"/rectification/notices/{notice.id}/notice.pdf").status_code == 200
    assert printed == [["执法人员及执法证号：执法甲（执法证号 FX-2026-0007）、执法乙（执法证号 FX-2026-0008）"]]
