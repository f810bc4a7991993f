"""Blacklist proposals from the records that show a trigger (policies/blacklist.yaml): a fraud,
rights or annual-report finding once it stands, a refused or obstructed visit, a serious accident
with the institution mainly responsible. Each source makes one proposal; the bureau decides."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from inspect_app.core.jobs import Job
from inspect_app.grading.applications import sanctions_of
from inspect_app.domain.grading.eligibility import BLACKLIST
from inspect_app.inspections.models import Inspection, InspectionInspector, Visit, VisitObstruction
from inspect_app.rectification import accidents, blacklist, credit
from inspect_app.rectification.jobs import HANDLERS
from inspect_app.rectification.models import CreditRecord, Finding
from inspect_app.planning.risk_data import blacklist_counts

from .conftest import T0

SERVICE = dict(department="civil_affairs", checklist="service-safety")
INSURANCE = dict(department="medical_insurance", checklist="medical-insurance")


def _proposals(db, **where):
    stmt = select(CreditRecord).where(CreditRecord.kind == "blacklist_proposal")
    for key, value in where.items():
        stmt = stmt.where(getattr(CreditRecord, key) == value)
    return list(db.session.scalars(stmt.order_by(CreditRecord.id)))


def test_a_fraud_finding_is_proposed_once_its_reply_window_has_closed(db, rect):
    notice, found = rect.findings(now=T0, failed=("SERV-29", "SERV-16"), **SERVICE)
    fraud = found["SERV-29"]
    assert fraud.veto and notice.reply_until > T0
    assert blacklist.propose_due(notice.reply_until - timedelta(seconds=1)) == 0   # the institution may still reply
    assert blacklist.propose_due(notice.reply_until) == 1
    [proposal] = _proposals(db, institution_id=fraud.institution_id)
    assert (proposal.source_kind, proposal.source_id, proposal.finding_id) == ("finding", fraud.id, fraud.id)
    assert (proposal.trigger, proposal.department, proposal.decision) == ("subsidy_fraud", "civil_affairs", None)
    assert "骗取" in proposal.basis and "失信联合惩戒" in proposal.basis
    assert blacklist.propose_due(notice.reply_until + timedelta(days=40)) == 0     # exactly once per source
    assert len(_proposals(db, institution_id=fraud.institution_id)) == 1            # SERV-16 is no trigger


@pytest.mark.parametrize("failed, kw, trigger", [
    (("MI-01",), INSURANCE, "fund_fraud"),
    (("SERV-22",), SERVICE, "rights_violation"),
    (("SERV-39",), SERVICE, "no_annual_report"),      # not a veto: the trigger reads any failed SERV-39
])
def test_each_finding_trigger_names_its_basis(db, rect, failed, kw, trigger):
    notice, found = rect.findings(now=T0, failed=failed, **kw)
    assert blacklist.propose_due(notice.reply_until) == 1
    [proposal] = _proposals(db, finding_id=found[failed[0]].id)
    assert proposal.trigger == trigger and proposal.basis == blacklist.current().trigger(trigger).basis


def test_a_contested_or_withdrawn_finding_is_not_proposed_and_a_dismissed_reply_is(db, rect):
    notice, found = rect.findings(now=T0, failed=("SERV-29", "SERV-22"), **SERVICE)
    db.session.execute(update(Finding).where(Finding.id == found["SERV-29"].id).values(state="contested"))
    db.session.execute(update(Finding).where(Finding.id == found["SERV-22"].id).values(state="withdrawn"))
    assert blacklist.propose_due(notice.reply_until + timedelta(days=3)) == 0
    db.session.execute(update(Finding).where(Finding.id == found["SERV-29"].id).values(state="open"))  # reply dismissed
    assert blacklist.propose_due(notice.reply_until + timedelta(days=4)) == 1
    assert [p.finding_id for p in _proposals(db, institution_id=notice.institution_id)] == [found["SERV-29"].id]


def test_a_non_veto_answer_to_a_veto_only_trigger_is_not_proposed(db, rect):
    notice, found = rect.findings(now=T0, failed=("SERV-29",), **SERVICE)
    db.session.execute(update(Finding).where(Finding.id == found["SERV-29"].id).values(veto=False))
    assert blacklist.propose_due(notice.reply_until) == 0


def _accident(inst, **change):
    return {"institution_id": inst.id, "occurred_on": date(2026, 3, 2), "kind": "fall", "deaths": 0,
            "injuries": 2, "serious_injuries": 1, "responsibility": "main", "source_type": "investigation_report",
            "source_reference": "某民调〔2026〕4号", "source_issuer": "某区民政局",
            "source_issued_on": date(2026, 4, 1), "summary": "夜间跌倒", **change}


def _run_jobs(db, name="rectification.propose_blacklist"):
    jobs = list(db.session.scalars(select(Job).where(Job.name == name).order_by(Job.id)))
    return [HANDLERS[name](job) for job in jobs]


def test_a_serious_accident_with_main_responsibility_is_proposed(db, make):
    inst = make.institution()
    admin = make.user("department_admin", department="fire")
    shared = accidents.record(admin, _accident(inst, responsibility="shared"), date(2026, 12, 4))
    minor = accidents.record(admin, _accident(inst, serious_injuries=0), date(2026, 12, 4))
    serious = accidents.record(admin, _accident(inst), date(2026, 12, 4))
    assert not minor.serious and shared.serious and serious.serious
    assert db.session.scalar(select(func.count()).select_from(Job).where(
        Job.name == "rectification.propose_blacklist")) == 3          # one job per accident, each idempotent
    assert sum(r["proposals"] for r in _run_jobs(db)) == 1
    [proposal] = _proposals(db, institution_id=inst.id)
    assert (proposal.source_kind, proposal.source_id, proposal.finding_id) == ("accident", serious.id, None)
    assert (proposal.trigger, proposal.department) == ("serious_accident", "fire")
    assert blacklist.propose_due() == 0


def _planned_visit(make, db, inst, inspector, department="civil_affairs", checklist="service-safety"):
    from inspect_app.checklists.models import ChecklistVersion
    version = db.session.scalar(select(ChecklistVersion).where(ChecklistVersion.checklist_id == checklist)
                                .order_by(ChecklistVersion.id.desc()).limit(1))
    visit = Visit(institution_id=inst.id, kind="inspection", purpose="routine", scheduled_for=date(2026, 3, 2),
                  status="planned", created_at=T0)
    db.session.add(visit)
    db.session.flush()
    part = Inspection(visit_id=visit.id, department=department, checklist_version_id=version.id, status="assigned")
    db.session.add(part)
    db.session.flush()
    db.session.add(InspectionInspector(inspection_id=part.id, user_id=inspector.id, lead=True))
    db.session.flush()
    return visit


def test_an_inspector_records_a_refused_visit_and_the_bureau_decides_the_proposal(db, make, login):
    inst = make.institution()
    inspector = make.user("inspector", department="civil_affairs")
    visit = _planned_visit(make, db, inst, inspector)
    page = f"/inspections/visits/{visit.id}"
    url = f"{page}/obstruction"

    outsider = login(make.user("inspector", department="civil_affairs"))
    assert outsider.post(url, {"outcome": "refused_entry", "note": "拒绝入内"}, token_from="/").status_code in (403, 404)
    staff = login(make.user("institution_staff", institution_id=inst.id))
    assert staff.post(url, {"outcome": "refused_entry", "note": "x"}, token_from="/").status_code == 403

    browser = login(inspector)
    html = browser.get(page).get_data(as_text=True)
    assert 'id="obstruction"' in html and "/obstruction" in html and "拒绝或阻挠检查" in html
    empty = browser.post(url, {"outcome": "fled", "note": " "}, token_from=page)
    assert empty.status_code == 302 and db.session.scalar(select(func.count()).select_from(VisitObstruction)) == 0
    done = browser.post(url, {"outcome": "refused_entry", "note": "负责人拒绝检查人员进入，称无人值班。"},
                        token_from=page)
    assert done.status_code == 302
    [row] = db.session.scalars(select(VisitObstruction).where(VisitObstruction.visit_id == visit.id))
    assert (row.outcome, row.department, row.recorded_by_id) == ("refused_entry", "civil_affairs", inspector.id)
    again = browser.post(url, {"outcome": "obstructed", "note": "再次"}, token_from=page)
    assert again.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(VisitObstruction)) == 1
    assert 'data-obstruction="refused_entry"' in browser.get(page).get_data(as_text=True)

    assert [r["proposals"] for r in _run_jobs(db)] == [1]
    [proposal] = _proposals(db, institution_id=inst.id)
    assert (proposal.source_kind, proposal.source_id, proposal.trigger) == ("visit_obstruction", row.id,
                                                                           "refused_inspection")
    assert _run_jobs(db) == [{"proposals": 0}]

    # Who sees it: the recording department and the bureau; another department no; the
    # institution only once the bureau has confirmed it.
    own = login(make.user("department_admin", department="civil_affairs"))
    assert f'data-credit-id="{proposal.id}"' in own.get("/rectification/credit-records").get_data(as_text=True)
    other = login(make.user("department_admin", department="fire"))
    assert f'data-credit-id="{proposal.id}"' not in other.get("/rectification/credit-records").get_data(as_text=True)
    staff_user = make.user("institution_staff", institution_id=inst.id)
    assert credit.of_institution(staff_user, inst.id) == []
    assert f'data-credit-id="{proposal.id}"' not in \
        login(staff_user).get(f"/institutions/{inst.id}/file").get_data(as_text=True)

    bureau = login(make.user("bureau_admin"))
    pending = bureau.get("/rectification/credit-records?pending=1").get_data(as_text=True)
    assert f'data-credit-id="{proposal.id}"' in pending and 'data-trigger="refused_inspection"' in pending
    assert f"/inspections/visits/{visit.id}" in pending and "拒绝、阻挠监督检查" in pending
    file_page = bureau.get(f"/institutions/{inst.id}/file").get_data(as_text=True)
    assert f'data-credit-id="{proposal.id}"' in file_page and 'data-decision="pending"' in file_page
    done = bureau.post(f"/rectification/credit-records/{proposal.id}/decide",
                       {"decision": "confirm", "note": "拒绝监督检查，列入失信名单。"}, token_from="/rectification/credit-records")
    assert done.status_code == 302
    db.session.refresh(proposal)
    assert proposal.decision == "confirmed"
    assert [c.id for c in credit.of_institution(staff_user, inst.id)] == [proposal.id]
    staff_file = login(staff_user).get(f"/institutions/{inst.id}/file").get_data(as_text=True)
    assert f'data-credit-id="{proposal.id}"' in staff_file and 'data-decision="confirmed"' in staff_file

    # Grading and the risk classes read the confirmed entry like any blacklist entry.
    today = proposal.decided_at.date()
    assert [s.kind for s in sanctions_of(inst.id)] == [BLACKLIST]
    assert blacklist_counts([inst.id], today + timedelta(days=1)) == {inst.id: 1}


def test_a_visit_that_is_over_takes_no_refusal(db, make):
    from inspect_app.core.errors import Conflict
    from inspect_app.inspections.services import obstruction
    inst = make.institution()
    inspector = make.user("inspector", department="civil_affairs")
    visit = _planned_visit(make, db, inst, inspector)
    visit.status = "completed"
    db.session.flush()
    assert not obstruction.may_record(inspector, visit)
    with pytest.raises(Conflict):
        obstruction.record(inspector, visit.id, "obstructed", "拒不提供资料")


def test_a_credit_record_rests_on_exactly_one_source(db, make, rect):
    _, found = rect.findings(now=T0, failed=("FIRE-03",))
    finding = found["FIRE-03"]
    bad = [dict(source_kind="accident", source_id=1, finding_id=finding.id),     # two sources
           dict(source_kind="finding", source_id=finding.id + 1, finding_id=finding.id),
           dict(source_kind="finding", source_id=finding.id, finding_id=None),  # a finding without it
           dict(source_kind="rumour", source_id=1, finding_id=None)]
    for values in bad:
        with pytest.raises(IntegrityError):
            with db.session.begin_nested():
                db.session.add(CreditRecord(institution_id=finding.institution_id, kind="blacklist_proposal",
                                            created_at=T0, **values))
                db.session.flush()
    with pytest.raises(IntegrityError):          # a second proposal from the same source
        with db.session.begin_nested():
            for _ in range(2):
                db.session.add(CreditRecord(institution_id=finding.institution_id, kind="blacklist_proposal",
                                            source_kind="accident", source_id=99, created_at=T0))
            db.session.flush()
    legacy = CreditRecord(institution_id=finding.institution_id, finding_id=finding.id, kind="overdue_rectification",
                          created_at=T0)
    db.session.add(legacy)
    db.session.flush()
    assert (legacy.source_kind, legacy.source_id) == ("finding", finding.id)


def test_the_triggers_are_data_and_a_finding_is_never_proposed_twice(db, rect, app, tmp_path):
    from inspect_app.rectification import escalation
    policy = tmp_path / "blacklist.yaml"
    policy.write_text('version: "t"\ntriggers:\n  - code: fire_exit_fraud\n    source: finding\n'
                      '    items: [FIRE-01]\n    veto_only: true\n    basis: "某条款"\n', encoding="utf-8")
    app.config["BLACKLIST_POLICY"] = str(policy)
    try:
        notice, found = rect.findings(now=T0, failed=("FIRE-01",))
        finding = found["FIRE-01"]
        assert blacklist.propose_due(notice.reply_until) == 1
        while escalation.sweep_deadlines(finding.deadline_at + timedelta(days=31)).more:   # the ladder's bureau rung
            db.session.flush()
    finally:
        del app.config["BLACKLIST_POLICY"]
    records = list(db.session.scalars(select(CreditRecord).where(CreditRecord.finding_id == finding.id)
                                      .order_by(CreditRecord.id)))
    assert [(r.kind, r.trigger, r.basis) for r in records] == [
        ("blacklist_proposal", "fire_exit_fraud", "某条款"), ("overdue_rectification", None, None)]
