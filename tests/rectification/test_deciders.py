"""Who decides an institution's requests (docs/security.md): an officer of the finding's
department — its admins, or its head of department (负责人), an inspector who may go on visits.
A reply (陈述申辩) is decided by an officer who was not on the visit. Through the pages."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from inspect_app.rectification import responses
from inspect_app.rectification.models import Finding, FindingResponse

ON_VISIT_ZH = "您参加了该次检查，须由本部门其他工作人员决定该申辩"


@pytest.fixture
def world(make, rect):
    inst = make.institution(name="决定养老院")
    staff = make.user("institution_staff", institution_id=inst.id)
    head_on_visit = make.user("inspector", department="fire", is_department_head=True, name="消防负责人甲")
    head_elsewhere = make.user("inspector", department="fire", is_department_head=True, name="消防负责人乙")
    plain = make.user("inspector", department="fire")
    _, found = rect.findings(inst, failed=("FIRE-03", "FIRE-25"), inspectors=(head_on_visit, plain))
    contested, extended = found["FIRE-03"], found["FIRE-25"]
    reply = responses.reply(staff, contested.id, "该处并无问题，有照片为证")
    extension = responses.request_extension(staff, extended.id, "材料采购中", 2)
    return dict(contested=contested, extended=extended, reply=reply, extension=extension,
                head_on_visit=head_on_visit, head_elsewhere=head_elsewhere, plain=plain)


def _decide(browser, finding, response, kind, decision="no"):
    page = f"/rectification/findings/{finding.id}"
    prefix = f"decide-{response.id}"
    return browser.post(f"{page}/{kind}/{response.id}/decide",
                        {f"{prefix}-decision": decision, f"{prefix}-note": "经核实，问题属实"}, token_from=page)


def _status(db, response) -> str:
    return db.session.scalar(select(FindingResponse.status).where(FindingResponse.id == response.id)
                             .execution_options(populate_existing=True))


def test_a_head_of_department_not_on_the_visit_decides_the_reply_on_the_page(world, login, db):
    browser = login(world["head_elsewhere"])
    finding, reply = world["contested"], world["reply"]
    html = browser.get(f"/rectification/findings/{finding.id}").get_data(as_text=True)
    assert f"/reply/{reply.id}/decide" in html and ON_VISIT_ZH not in html
    assert _decide(browser, finding, reply, "reply").status_code == 302
    assert _status(db, reply) == "rejected"
    assert db.session.scalar(select(FindingResponse.decided_by_id).where(FindingResponse.id == reply.id)
                             .execution_options(populate_existing=True)) == world["head_elsewhere"].id
    assert db.session.scalar(select(Finding.state).where(Finding.id == finding.id)
                             .execution_options(populate_existing=True)) == "open"


def test_the_officer_who_was_on_the_visit_may_not_decide_the_reply(world, login, db):
    browser = login(world["head_on_visit"])
    finding, reply = world["contested"], world["reply"]
    html = browser.get(f"/rectification/findings/{finding.id}").get_data(as_text=True)
    assert ON_VISIT_ZH in html and f"/reply/{reply.id}/decide" not in html
    refused = _decide(browser, finding, reply, "reply")
    assert refused.status_code == 403
    assert "参加该次检查的工作人员不得决定申辩" in refused.get_data(as_text=True)
    assert _status(db, reply) == "pending"
    # An extension is no contest of the visit's finding: the same officer decides it.
    extended, extension = world["extended"], world["extension"]
    assert f"/extension/{extension.id}/decide" in browser.get(
        f"/rectification/findings/{extended.id}").get_data(as_text=True)
    assert _decide(browser, extended, extension, "extension", "yes").status_code == 302
    assert _status(db, extension) == "accepted"


def test_an_inspector_who_is_not_an_officer_decides_nothing(world, login, make, db):
    plain = login(world["plain"])
    for finding, response, kind in ((world["contested"], world["reply"], "reply"),
                                    (world["extended"], world["extension"], "extension")):
        html = plain.get(f"/rectification/findings/{finding.id}").get_data(as_text=True)
        assert f"/{kind}/{response.id}/decide" not in html
        assert _decide(plain, finding, response, kind).status_code == 403
        assert _status(db, response) == "pending"
    other_head = login(make.user("inspector", department="health", is_department_head=True))
    assert _decide(other_head, world["contested"], world["reply"], "reply").status_code == 404


def test_the_head_of_department_finds_the_requests_awaiting_a_decision(world, login, make):
    listing = login(world["head_elsewhere"]).get("/rectification/?state=unresolved&awaiting=1").get_data(as_text=True)
    assert "待决定的申请" in listing and "state=unresolved&amp;awaiting=1" in listing
    for finding in (world["contested"], world["extended"]):
        assert f"/rectification/findings/{finding.id}" in listing
    quiet = login(make.user("inspector", department="fire")).get("/rectification/?awaiting=1").get_data(as_text=True)
    assert "待决定的申请" not in quiet and f"/rectification/findings/{world['contested'].id}" not in quiet
