"""The interview (约谈) minutes, the bureau's decision on blacklist proposals, and refusals that
name the finding's state in words."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from inspect_app.core.audit import AuditEvent
from inspect_app.rectification import escalation
from inspect_app.rectification.models import CreditRecord, FindingEvent

from .conftest import T0


def _sweep(db, now):
    while escalation.sweep_deadlines(now).more:
        db.session.flush()


def _events(db, finding, action):
    return list(db.session.scalars(select(FindingEvent).where(
        FindingEvent.finding_id == finding.id, FindingEvent.action == action)))


MINUTES = {"held_on": "2026-03-21", "participants": "机构负责人王某；消防安全管理人李某",
           "summary": "机构承诺三日内完成疏散通道清理并报送照片。"}


def test_interview_minutes_are_recorded_once_the_ladder_calls_for_them(db, make, rect, login):
    _, found = rect.findings(now=T0, failed=("FIRE-03",))
    finding = found["FIRE-03"]
    admin = login(make.user("department_admin", department="fire"))
    page = f"/rectification/findings/{finding.id}"
    assert 'id="interview"' not in admin.get(page).get_data(as_text=True)
    early = admin.post(f"{page}/interview", MINUTES, token_from=page)
    assert early.status_code == 409 and not _events(db, finding, "record_interview")

    _sweep(db, finding.deadline_at + timedelta(days=8))      # overdue notice, then the interview rung
    html = admin.get(page).get_data(as_text=True)
    assert 'id="interview"' in html and "/interview" in html

    empty = admin.post(f"{page}/interview", {"held_on": "", "participants": "", "summary": ""}, token_from=page)
    assert empty.status_code == 422 and not _events(db, finding, "record_interview")
    future = admin.post(f"{page}/interview", {**MINUTES, "held_on": "2999-01-01"}, token_from=page)
    assert future.status_code == 422

    done = admin.post(f"{page}/interview", MINUTES, token_from=page)
    assert done.status_code == 302
    [event] = _events(db, finding, "record_interview")
    assert event.data == {"rung": "interview", **MINUTES} and event.reason == MINUTES["summary"]
    assert event.from_state == event.to_state == "open"
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "record_interview", AuditEvent.entity_id == str(finding.id))) == 1
    html = admin.get(page).get_data(as_text=True)
    assert MINUTES["summary"] in html and MINUTES["participants"] in html


def test_an_inspector_cannot_record_interview_minutes(db, make, rect, login):
    _, found = rect.findings(now=T0, failed=("FIRE-03",))
    _sweep(db, found["FIRE-03"].deadline_at + timedelta(days=8))
    inspector = login(make.user("inspector", department="fire"))
    page = f"/rectification/findings/{found['FIRE-03'].id}"
    assert inspector.post(f"{page}/interview", MINUTES, token_from=page).status_code == 403


def _proposal(db, rect, institution=None):
    _, found = rect.findings(institution, now=T0, failed=("FIRE-01",))
    finding = found["FIRE-01"]                 # a critical veto fire finding
    _sweep(db, finding.deadline_at + timedelta(days=31))
    records = {r.kind: r for r in db.session.scalars(select(CreditRecord).where(CreditRecord.finding_id == finding.id))}
    return finding, records


def test_bureau_lists_credit_records_and_confirms_a_blacklist_proposal(db, make, rect, login):
    finding, records = _proposal(db, rect)
    proposal = records["blacklist_proposal"]
    bureau = login(make.user("bureau_admin"))
    listing = bureau.get("/rectification/credit-records").get_data(as_text=True)
    for record in records.values():
        assert f'data-credit-id="{record.id}"' in listing
    assert finding.institution.name in listing and f"/rectification/findings/{finding.id}" in listing
    pending = bureau.get("/rectification/credit-records?pending=1").get_data(as_text=True)
    assert f'data-credit-id="{proposal.id}"' in pending
    assert f'data-credit-id="{records["overdue_rectification"].id}"' not in pending
    assert 'data-decision="pending"' in pending

    url = f"/rectification/credit-records/{proposal.id}/decide"
    refused = bureau.post(url, {"decision": "confirm", "note": ""}, token_from="/rectification/credit-records")
    assert refused.status_code == 302
    db.session.refresh(proposal)
    assert proposal.decision is None

    done = bureau.post(url, {"decision": "confirm", "note": "逾期未消除重大火灾隐患，无正当理由。"},
                       token_from="/rectification/credit-records")
    assert done.status_code == 302
    db.session.refresh(proposal)
    assert proposal.decision == "confirmed" and proposal.decided_at is not None
    assert proposal.decision_note.startswith("逾期未消除")
    [event] = _events(db, finding, "decide_blacklist")
    assert event.data == {"credit_record_id": proposal.id, "decision": "confirmed"}
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "decide_blacklist", AuditEvent.entity_id == str(proposal.id))) == 1

    again = bureau.post(url, {"decision": "dismiss", "note": "再议"}, token_from="/rectification/credit-records")
    assert again.status_code == 302
    db.session.refresh(proposal)
    assert proposal.decision == "confirmed" and len(_events(db, finding, "decide_blacklist")) == 1
    html = bureau.get(f"/rectification/findings/{finding.id}").get_data(as_text=True)
    assert 'id="credit"' in html and 'data-decision="confirmed"' in html


def test_only_the_bureau_decides_and_only_proposals(db, make, rect, login):
    finding, records = _proposal(db, rect)
    admin = login(make.user("department_admin", department="fire"))
    url = f"/rectification/credit-records/{records['blacklist_proposal'].id}/decide"
    assert admin.post(url, {"decision": "dismiss", "note": "x"}, token_from="/rectification/").status_code == 403
    listing = admin.get("/rectification/credit-records").get_data(as_text=True)
    assert f'data-credit-id="{records["blacklist_proposal"].id}"' in listing and "credit-decide" not in listing
    bureau = login(make.user("bureau_admin"))
    other = f"/rectification/credit-records/{records['overdue_rectification'].id}/decide"
    bureau.post(other, {"decision": "confirm", "note": "x"}, token_from="/rectification/")
    db.session.refresh(records["overdue_rectification"])
    assert records["overdue_rectification"].decision is None
    health = login(make.user("department_admin", department="health"))
    assert f'data-credit-id="{records["blacklist_proposal"].id}"' not in \
        health.get("/rectification/credit-records").get_data(as_text=True)


def test_refusal_names_the_state_in_the_readers_language(db, make, rect, login):
    from flask_babel import force_locale

    from inspect_app.rectification.labels import STATES
    inst = make.institution()
    _, found = rect.findings(inst, failed=("FIRE-03",))
    staff = login(make.user("institution_staff", institution_id=inst.id))
    page = f"/rectification/findings/{found['FIRE-03'].id}"
    assert staff.post(f"{page}/respond", {"respond-text": "已整改"}, token_from=page).status_code == 302
    again = staff.post(f"{page}/respond", {"respond-text": "再次报送"}, token_from=page)
    assert again.status_code == 409
    html = again.get_data(as_text=True)
    with force_locale("zh"):
        label = str(STATES["responded"])
    assert label in html and "responded;" not in html
    english = staff.post(f"{page}/respond?lang=en", {"respond-text": "again"}, token_from=page)
    assert "This finding is Answered, awaiting verification" in english.get_data(as_text=True)
