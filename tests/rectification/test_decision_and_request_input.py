"""A decision must be chosen, and odd ids are refused with a message — never read as a
refusal, never a server error."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from inspect_app.inspections.models import Visit
from inspect_app.rectification import responses
from inspect_app.rectification.models import FindingResponse


@pytest.fixture
def extension(make, rect):
    inst = make.institution()
    staff = make.user("institution_staff", institution_id=inst.id)
    _, found = rect.findings(inst, failed=("FIRE-25",))
    finding = found["FIRE-25"]
    request = responses.request_extension(staff, finding.id, "材料采购中", 2)
    return finding, request


@pytest.mark.parametrize("data", [{}, {"decision": ""}, {"decision": "maybe"}])   # under the form's prefix
def test_a_decision_without_a_valid_choice_is_refused_and_the_request_stays_pending(
        make, login, db, extension, data):
    finding, request = extension
    page = f"/rectification/findings/{finding.id}"
    browser = login(make.user("department_admin", department="fire"))
    response = browser.post(f"{page}/extension/{request.id}/decide", {**{f"decide-{request.id}-{k}": v for k, v in data.items()}, f"decide-{request.id}-note": "x"}, token_from=page)
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(FindingResponse, request.id).status == "pending"


def test_a_reply_decision_without_a_choice_is_refused(make, login, db, rect):
    inst = make.institution()
    staff = make.user("institution_staff", institution_id=inst.id)
    _, found = rect.findings(inst, failed=("FIRE-03",))
    finding = found["FIRE-03"]
    reply = responses.reply(staff, finding.id, "该处并无问题，有照片为证")
    page = f"/rectification/findings/{finding.id}"
    browser = login(make.user("department_admin", department="fire"))
    response = browser.post(f"{page}/reply/{reply.id}/decide", {f"decide-{reply.id}-note": "经核实"}, token_from=page)
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(FindingResponse, reply.id).status == "pending"
    assert finding.state == "contested"
    done = browser.post(f"{page}/reply/{reply.id}/decide", {f"decide-{reply.id}-decision": "no", f"decide-{reply.id}-note": "经核实"}, token_from=page)
    assert done.status_code == 302


@pytest.mark.parametrize("ids", [["²"], ["99999999999999999999999"], ["1", "x"]])
def test_odd_inspector_ids_for_a_reinspection_are_a_located_refusal(make, login, db, rect, ids):
    inst = make.institution()
    _, found = rect.findings(inst, failed=("FIRE-25",))
    page = f"/rectification/findings/{found['FIRE-25'].id}"
    browser = login(make.user("department_admin", department="fire"))
    response = browser.post(f"{page}/reinspect", {"on": "2030-01-01", "inspector_ids": ids}, token_from=page)
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(Visit).where(Visit.purpose == "follow_up")) == 0


@pytest.mark.parametrize("days", ["²", "١", "99999999999999999999999"])
def test_odd_extension_days_are_a_located_refusal(make, login, rect, days):
    inst = make.institution()
    staff = make.user("institution_staff", institution_id=inst.id)
    _, found = rect.findings(inst, failed=("FIRE-03",))
    page = f"/rectification/findings/{found['FIRE-03'].id}"
    response = login(staff).post(f"{page}/extension", {"extension-days": days, "extension-text": "需要时间"}, token_from=page)
    assert response.status_code == 422


@pytest.mark.parametrize("page", ["²", "99999999999999999999", "-5"])
def test_odd_page_numbers_show_the_first_page(make, login, page):
    browser = login(make.user("bureau_admin"))
    for path in ("/rectification/", "/rectification/notices", "/rectification/credit-records"):
        assert browser.get(f"{path}?page={page}").status_code == 200
