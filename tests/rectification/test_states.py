"""A finding through every state: answered, verified, reopened, extended, contested, withdrawn."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from inspect_app.core.errors import Conflict, Forbidden, Invalid
from inspect_app.domain.rectification import states as sm
from inspect_app.domain.machine import NotAllowed
from inspect_app.rectification import escalation, responses, supervision
from inspect_app.rectification.findings import open_findings
from inspect_app.rectification.models import FindingEvent, Message, RectificationNotice

from .conftest import T0


def _actions(db, finding):
    return [(e.action, e.from_state, e.to_state) for e in db.session.scalars(
        select(FindingEvent).where(FindingEvent.finding_id == finding.id).order_by(FindingEvent.id))]


@pytest.fixture
def people(make):
    inst = make.institution()
    return {"inst": inst, "staff": make.user("institution_staff", institution_id=inst.id),
            "inspector": make.user("inspector", department="fire"),
            "admin": make.user("department_admin", department="fire"),
            "other_admin": make.user("department_admin", department="fire")}


def test_transition_table_refuses_what_it_does_not_list():
    assert sm.FINDING.next("open", "respond").to_state == "responded"
    with pytest.raises(NotAllowed):
        sm.FINDING.next("closed", "respond")
    assert "accept" not in sm.FINDING.events_from("open")


def test_open_findings_is_idempotent_and_numbers_notices_per_department_and_year(db, rect, people):
    inspection = rect.submitted_inspection(people["inst"], submitted_at=T0)
    first = open_findings(inspection.id, now=T0)
    assert open_findings(inspection.id, now=T0).id == first.id
    assert [f.item_id for f in first.findings] == ["FIRE-01", "FIRE-03"]
    second, _ = rect.findings(people["inst"], now=T0)
    assert (second.year, second.number) == (first.year, first.number + 1)
    assert db.session.scalar(select(Message.kind).where(Message.notice_id == first.id)) == "notice"


def test_answer_verify_close(db, rect, people):
    _, found = rect.findings(people["inst"], now=T0, inspectors=[people["inspector"]])
    f = found["FIRE-03"]
    with pytest.raises(Invalid):
        responses.respond(people["staff"], f.id, "  ", now=T0)
    responses.respond(people["staff"], f.id, "已更换灭火器", now=T0 + timedelta(days=1))
    assert f.state == "responded" and f.next_due_at is None           # the clock stops
    responses.verify(people["inspector"], f.id, True, "现场核实", now=T0 + timedelta(days=2))
    assert f.state == "closed" and f.closed_at is not None
    with pytest.raises(Conflict):
        responses.respond(people["staff"], f.id, "again", now=T0 + timedelta(days=3))
    assert [a[0] for a in _actions(db, f)] == ["issue", "respond", "accept"]


def test_rejected_verification_reopens_with_a_new_deadline_and_ladder(db, rect, people):
    _, found = rect.findings(people["inst"], now=T0, inspectors=[people["inspector"]])
    f = found["FIRE-03"]
    later = f.deadline_at + timedelta(days=2)           # answered late: overdue notice already sent
    while escalation.sweep_deadlines(f.deadline_at).more:
        pass
    db.session.refresh(f)
    assert f.escalation_level == 1
    responses.respond(people["staff"], f.id, "整改了", now=later)
    with pytest.raises(Invalid):
        responses.verify(people["inspector"], f.id, False, "", now=later)
    responses.verify(people["inspector"], f.id, False, "仍未整改", now=later)
    assert f.state == "reopened" and f.deadline_at > later
    assert (f.deadline_at - later) >= timedelta(days=10)
    # the ladder resumes: reminders for the new deadline, then the interview (not a second overdue notice)
    moment = later
    while True:
        with time_machine.travel(moment, tick=False):
            db.session.refresh(f)
            if f.next_due_at is None:
                break
            moment = f.next_due_at
            escalation.sweep_deadlines(moment)
            db.session.flush()
    steps = list(db.session.scalars(select(FindingEvent.step).where(
        FindingEvent.finding_id == f.id, FindingEvent.step.is_not(None)).order_by(FindingEvent.id)))
    # late reminders of the first deadline were skipped; the overdue notice is not repeated
    assert steps == ["overdue", "reminder_3d", "reminder_1d", "interview", "bureau"]


def test_one_extension_at_most_the_original_length_before_the_deadline(db, rect, people):
    _, found = rect.findings(people["inst"], now=T0)
    f = found["FIRE-03"]
    with pytest.raises(Invalid):
        responses.request_extension(people["staff"], f.id, "需采购", 11, now=T0)
    request = responses.request_extension(people["staff"], f.id, "需采购", 5, now=T0)
    with pytest.raises(Conflict):
        responses.request_extension(people["staff"], f.id, "再延", 2, now=T0)
    old = f.deadline_at
    responses.decide_extension(people["admin"], f.id, request.id, True, "同意", now=T0 + timedelta(hours=1))
    assert f.deadline_at == old + timedelta(days=5) and f.original_deadline_at == old
    assert f.next_due_at == f.deadline_at - timedelta(days=3)
    with pytest.raises(Conflict):
        responses.decide_extension(people["admin"], f.id, request.id, False, "", now=T0)
    _, found = rect.findings(people["inst"], now=T0)
    late = found["FIRE-03"]
    with pytest.raises(Conflict):
        responses.request_extension(people["staff"], late.id, "晚了", 2, now=late.deadline_at + timedelta(hours=1))


def test_reply_within_window_decided_by_an_officer_not_on_the_visit(db, rect, people):
    _, found = rect.findings(people["inst"], now=T0, inspectors=[people["inspector"]])
    f, g = found["FIRE-01"], found["FIRE-03"]
    responses.reply(people["staff"], f.id, "该隐患已于检查前消除", now=T0 + timedelta(days=1))
    assert f.state == "contested" and f.next_due_at is None
    reply = f.responses[-1]
    from inspect_app.inspections.models import InspectionInspector
    db.session.add(InspectionInspector(inspection_id=f.inspection_id, user_id=people["admin"].id))
    db.session.flush()
    with pytest.raises(Forbidden):
        responses.decide_reply(people["admin"], f.id, reply.id, True, "我在现场")
    responses.decide_reply(people["other_admin"], f.id, reply.id, True, "复核属实", now=T0 + timedelta(days=2))
    assert f.state == "withdrawn" and f.contested
    # dismissed: the finding stands and its deadline moves by the days spent deciding
    old = g.deadline_at
    responses.reply(people["staff"], g.id, "不同意", now=T0 + timedelta(days=1))
    responses.decide_reply(people["other_admin"], g.id, g.responses[-1].id, False, "证据不足",
                           now=T0 + timedelta(days=4))
    assert g.state == "open" and g.deadline_at == old + timedelta(days=3)
    # past the window: no reply
    _, found = rect.findings(people["inst"], now=T0)
    with pytest.raises(Conflict):
        responses.reply(people["staff"], found["FIRE-03"].id, "晚了", now=T0 + timedelta(days=6))


def test_staff_of_another_institution_cannot_touch_the_finding(db, make, rect, people):
    _, found = rect.findings(people["inst"], now=T0)
    stranger = make.user("institution_staff")
    from inspect_app.core.errors import NotFound
    with pytest.raises(NotFound):
        responses.respond(stranger, found["FIRE-03"].id, "x", now=T0)


def test_open_veto_or_overdue_critical_finding_suspends_the_grade(db, make, rect, people):
    _, found = rect.findings(people["inst"], now=T0, failed=("FIRE-01", "FIRE-25", "FIRE-03"),
                             inspectors=[people["inspector"]])
    other = make.institution()
    ids = [people["inst"].id, other.id]
    reasons = supervision.suspension_reasons(ids, T0)
    assert list(reasons) == [people["inst"].id]
    assert len(reasons[people["inst"].id]) == 1 and "FIRE-01" in reasons[people["inst"].id][0]
    later = found["FIRE-25"].deadline_at + timedelta(hours=1)
    assert len(supervision.suspension_reasons(ids, later)[people["inst"].id]) == 2     # + overdue critical
    counts = supervision.finding_counts(ids, later, since=T0 - timedelta(days=1))
    assert counts[people["inst"].id] == {"open": 3, "overdue": 2, "veto_since": 1, "critical_open": 2}
    assert counts[other.id] == {"open": 0, "overdue": 0, "veto_since": 0, "critical_open": 0}
    for f in found.values():
        responses.respond(people["staff"], f.id, "已整改", now=later)
        responses.verify(people["inspector"], f.id, True, "", now=later)
    assert supervision.suspension_reasons(ids, later) == {}
