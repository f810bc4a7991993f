"""A visit's outcome when the institution refuses the inspectors entry or obstructs the
inspection (拒绝、阻挠检查): an inspector of the visit's team records it with a note. The record
is kept once per visit and, in the same transaction, enqueues the job that makes the blacklist
proposal (docs/regulations.md, "Credit records and the blacklist")."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ...auth import policy
from ...core import audit, jobs
from ...core.errors import Conflict, Forbidden, Invalid
from ...core.types import utcnow
from ...domain.rectification.blacklist import NOTE_MAX, obstruction_problems
from ...extensions import db
from ..models import IN_PROGRESS, PLANNED, Inspection, InspectionInspector, Visit, VisitObstruction

JOB = "rectification.propose_blacklist"


def of_visit(user, visit: Visit) -> VisitObstruction | None:
    """The visit's refusal or obstruction record, if the user may see it."""
    return db.session.scalar(policy.visible(VisitObstruction, user).where(VisitObstruction.visit_id == visit.id))


def team_department(user, visit_id: int) -> str | None:
    """The department of the visit's part whose team ``user`` is on (None: not on a team)."""
    return db.session.scalar(select(Inspection.department).join(InspectionInspector)
                             .where(Inspection.visit_id == visit_id, InspectionInspector.user_id == user.id)
                             .order_by(Inspection.id).limit(1))


def may_record(user, visit: Visit) -> bool:
    """An inspector of the visit's team, while the visit is planned or under way."""
    return (policy.can(user, "inspections.obstruction") and visit.status in (PLANNED, IN_PROGRESS)
            and team_department(user, visit.id) is not None)


def record(user, visit_id: int, outcome: str, note: str, now: datetime | None = None) -> VisitObstruction:
    """Record that the institution refused entry or obstructed the inspection; Invalid with
    every located problem, Conflict when the visit already has such a record."""
    policy.require(user, "inspections.obstruction")
    now = now or utcnow()
    visit = policy.get_visible(Visit, visit_id, user)
    problems = obstruction_problems(outcome, note)
    if problems:
        raise Invalid("The visit's outcome could not be saved.", problems=problems)
    department = team_department(user, visit.id)
    if department is None:
        raise Forbidden("Only an inspector of the visit's team records its outcome.")
    if visit.status not in (PLANNED, IN_PROGRESS):
        raise Conflict("The visit is no longer under way; its outcome cannot be recorded now.")
    if db.session.scalar(select(VisitObstruction.id).where(VisitObstruction.visit_id == visit.id)) is not None:
        raise Conflict("A refusal or obstruction is already recorded for this visit.")
    row = VisitObstruction(visit_id=visit.id, institution_id=visit.institution_id, department=department,
                           outcome=outcome, note=note.strip()[:NOTE_MAX], recorded_by_id=user.id,
                           recorded_at=now)
    try:
        with db.session.begin_nested():     # the unique visit_id: a second record at the same moment
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        raise Conflict("A refusal or obstruction is already recorded for this visit.") from None
    audit.record(user, "record_obstruction", "visit", visit.id, after=audit.snapshot(row))
    jobs.enqueue(JOB, {"visit_obstruction_id": row.id}, key=f"blacklist:visit_obstruction:{row.id}")
    return row


__all__ = ["of_visit", "may_record", "record", "team_department"]
