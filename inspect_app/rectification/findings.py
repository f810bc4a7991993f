"""Findings: opening them from a submitted inspection, the one transition writer, queries.

Every state change goes through :func:`apply`: the finding's machine
(:data:`inspect_app.domain.rectification.states.FINDING`) applied by ``core.machine`` under the
finding's version; it sets the state and any other values, places the ladder pointer for the
(new) deadline, and writes the history row.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ..auth import policy
from ..auth.models import User
from ..auth.roles import Role
from ..core import audit, machine
from ..core.errors import Conflict, NotFound
from ..core.types import utcnow
from ..domain.rectification import ladder as dl
from ..domain.rectification.states import ACTIVE, FINDING, NEW
from ..extensions import db
from ..inspections.models import SUBMITTED, Evidence, Inspection, InspectionInspector, OnSpotRectification
from ..inspections.services.common import checklist_of
from . import labels
from . import policy as policies
from .models import Finding, FindingEvent, RectificationNotice
from .notices import issue_notice
from .messages import notify


def reschedule(finding: Finding, rule: dl.Policy, now: datetime) -> None:
    """Place the ladder pointer and ``next_due_at`` for the finding's state and deadline."""
    if finding.state in ACTIVE:
        finding.step = dl.rewind(rule, finding.escalation_level or 0, finding.deadline_at, now)
        finding.next_due_at = dl.rung_due(rule, finding.step, finding.deadline_at)
    else:
        finding.next_due_at = None


def check(finding: Finding, action: str) -> None:
    """Conflict unless the finding's machine allows ``action`` now (before any side effect)."""
    machine.check(FINDING, finding.state, action, labels.state)


def not_now(finding: Finding) -> Conflict:
    """The refusal of an action the finding's state does not allow (state shown translated)."""
    return machine.refusal(FINDING, finding.state, labels.state)


def apply(finding: Finding, action: str, actor, now: datetime, *, reason: str | None = None,
          data: dict | None = None, values: dict | None = None, reschedule_ladder: bool = False) -> FindingEvent:
    """Apply ``action`` to ``finding`` by its machine (Conflict when the table forbids it or
    the finding changed meanwhile: version guard), place the ladder, write the history row."""
    events: list[FindingEvent] = []

    def history(move) -> None:
        if reschedule_ladder or move.from_state != move.to_state:
            reschedule(finding, policies.current(), now)
        event = FindingEvent(finding=finding, at=now, actor_id=getattr(actor, "id", None), action=action,
                             from_state=move.from_state, to_state=move.to_state,
                             reason=(reason or "").strip()[:4000] or None, data=data)
        db.session.add(event)
        events.append(event)

    machine.apply(FINDING, finding, action, guard=machine.VERSION, values=values, history=history,
                  label=labels.state)
    return events[0]


# ----------------------------------------------------------------------------- reading

def get(user, finding_id: int, *, lock: bool = False) -> Finding:
    """The finding if the user may see it (NotFound otherwise); ``lock`` takes the row for
    a change (so a concurrent sweep waits, then re-checks its condition)."""
    policy.require(user, "rectification.view")
    stmt = policy.visible(Finding, user).where(Finding.id == finding_id)
    if lock:
        stmt = stmt.with_for_update(of=Finding)
    finding = db.session.scalar(stmt.execution_options(populate_existing=True))
    if finding is None:
        raise NotFound("The finding was not found.")
    return finding


def is_officer(user, finding: Finding) -> bool:
    """Is ``user`` an officer of the finding's department — one who decides the institution's
    requests (extensions, replies)? Its department admins, and the inspector marked as its head
    of department (负责人), who may be sent on visits like any inspector. docs/security.md."""
    if getattr(user, "department", None) != finding.department:
        return False
    if user.role == Role.DEPARTMENT_ADMIN:
        return True
    return user.role == Role.INSPECTOR and bool(user.is_department_head)


def decides_requests(user) -> bool:
    """Is ``user`` an officer of some department (the "awaiting a decision" list is theirs)?"""
    role = getattr(user, "role", None)
    return bool(getattr(user, "department", None)) and (
        role == Role.DEPARTMENT_ADMIN or (role == Role.INSPECTOR and bool(user.is_department_head)))


def was_on_visit(user, finding: Finding) -> bool:
    """Was ``user`` on the team of any part of the finding's visit?"""
    return db.session.scalar(
        select(InspectionInspector.id).join(Inspection)
        .where(Inspection.visit_id == finding.visit_id, InspectionInspector.user_id == user.id)
        .limit(1)) is not None


def record_visible(user, finding: Finding) -> bool:
    """May ``user`` open the inspection record (检查记录) the finding came from?"""
    return db.session.scalar(select(Inspection.id).where(
        Inspection.id == finding.inspection_id, policy.scope_clause(Inspection, user))) is not None


def is_overdue(finding: Finding, now: datetime) -> bool:
    """Open or reopened and past the deadline in force (as SQL: ``on_time.overdue_at``)."""
    return finding.state in ACTIVE and finding.deadline_at <= now


# ----------------------------------------------------------------------------- opening

def open_findings(inspection_id: int, now: datetime | None = None) -> RectificationNotice | None:
    """Findings, the numbered notice and the messages for a submitted inspection; the job
    ``rectification.open_findings`` runs this. Idempotent: a second run finds the notice (or,
    when every failed item was rectified on the spot and no notice was issued, the findings).

    A failed item the inspector rectified on the spot (当场整改) becomes a finding created
    closed (:func:`_rectified_on_spot`): on no notice, with no deadline issued."""
    now = now or utcnow()
    existing = db.session.scalar(select(RectificationNotice).where(RectificationNotice.inspection_id == inspection_id))
    if existing is not None:
        return existing
    if db.session.scalar(select(Finding.id).where(Finding.inspection_id == inspection_id).limit(1)) is not None:
        return None
    inspection = db.session.get(Inspection, inspection_id)
    if inspection is None:
        raise NotFound("The inspection was not found.")
    if inspection.status != SUBMITTED or not inspection.result:
        raise Conflict("The inspection is not submitted.")
    if inspection.visit.kind != "inspection":
        return None
    failed = list(inspection.result.get("failed") or [])
    if not failed:
        return None
    checklist = checklist_of(inspection)      # parsed once per process and version
    items = {item.id: item for item in checklist.items}
    answers = {a.item_id: a for a in inspection.answers}
    rule = policies.current()
    tz = policies.tz(rule)
    issued = inspection.submitted_at or now
    on_spot = dict(db.session.execute(select(OnSpotRectification.item_id, OnSpotRectification.note).where(
        OnSpotRectification.inspection_id == inspection.id)).all())
    written = [i for i in failed if i in items and i not in on_spot]
    notice = issue_notice(inspection, rule, issued, now) if written else None
    findings, closed = [], []
    submitter = db.session.get(User, inspection.submitted_by_id) if inspection.submitted_by_id else None
    for item_id in failed:
        item = items.get(item_id)
        if item is None:
            continue
        days = dl.deadline_days(rule, item.severity, item.deadline_days)
        due = dl.deadline_at(issued, days, tz)
        answer = answers.get(item_id)
        finding = Finding(
            inspection_id=inspection.id, visit_id=inspection.visit_id,
            notice=None if item_id in on_spot else notice,
            institution_id=inspection.visit.institution_id, department=inspection.department,
            checklist_id=checklist.id, checklist_version=checklist.version, item_id=item.id,
            item_text=item.text, basis=item.basis, answer=answer.value if answer else None,
            remark=answer.remark if answer else None, severity=item.severity, veto=item.veto,
            deadline_days=days, original_deadline_at=due, deadline_at=due, state=NEW,
            step=0, escalation_level=0, policy_version=rule.version, created_at=now)
        db.session.add(finding)
        if item_id in on_spot:
            _rectified_on_spot(finding, inspection, submitter, on_spot[item_id], issued, now)
            closed.append(finding)
            continue
        apply(finding, "issue", None, now, data={"deadline": due.isoformat(), "days": days,
                                                  "policy": rule.version})
        findings.append(finding)
    if closed:
        db.session.flush()
        for finding in closed:
            audit.record(submitter, "rectify_on_spot", "finding", finding.id, after={
                "inspection": inspection.id, "item": finding.item_id, "state": finding.state,
                "note": on_spot[finding.item_id]})
    if notice is None:
        return None
    notify("notice", notice.institution_id, notice.department, ("institution",), notice_id=notice.id,
           params={"notice": notice.code, "count": len(findings)}, now=now)
    audit.record(None, "issue", "rectification_notice", notice.id, after={
        **audit.snapshot(notice), "findings": [f.id for f in findings]})
    return notice


def _rectified_on_spot(finding: Finding, inspection: Inspection, submitter, note: str,
                       issued: datetime, now: datetime) -> None:
    """A failed item put right during the visit: created closed at the submit (on no notice, no
    deadline issued, so it counts as rectified on time), its history naming the inspector who
    submitted, the note and the "after" photos (domain/rectification/on_spot.py)."""
    photos = list(db.session.scalars(select(Evidence.id).where(
        Evidence.inspection_id == inspection.id, Evidence.item_id == finding.item_id,
        Evidence.stage == "after").order_by(Evidence.id)))
    finding.on_spot = True
    apply(finding, "rectify_on_spot", submitter, now, reason=note,
          values={"closed_at": issued}, data={"after_photos": photos, "at": issued.isoformat()})


__all__ = ["apply", "reschedule", "get", "open_findings"]
