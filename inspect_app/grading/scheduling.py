"""On-site evaluations (现场评定) of accepted applications with the tablet form.

The bureau picks a date and assessors (inspectors of civil affairs); the visit is created by
the inspections feature (kind ``grading``, ``Visit.source`` = ``application:<id>``), filled
with the grading checklist of the policy in force, and its submission is turned into a grade
record by the ``grading.record_evaluation`` job (:func:`.records.record_evaluation`)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..auth import policy
from ..core import audit
from ..core.errors import Conflict, Invalid
from ..domain import grade_lifecycle as life
from ..extensions import db
from ..inspections.models import CANCELLED, COMPLETED, Inspection, InspectionInspector, Visit
from . import labels
from . import policy as policies
from .models import GradeApplication
from ..domain.texts import N_

ASSESSORS = "civil_affairs"          # the department whose inspectors assess (grading checklist)


def source_of(application: GradeApplication) -> str:
    return f"application:{application.id}"


def visits_of(application: GradeApplication) -> list[Visit]:
    """The evaluation visits of an application, newest first, with their parts and teams."""
    return list(db.session.scalars(
        select(Visit).where(Visit.source == source_of(application))
        .options(selectinload(Visit.inspections).selectinload(Inspection.team)
                 .selectinload(InspectionInspector.user))
        .order_by(Visit.scheduled_for.desc(), Visit.id.desc())))


def openable(user, visits: list[Visit]) -> tuple[set[int], set[int]]:
    """(visit ids, inspection ids) among these that the user may open: a link is shown only
    where it opens (a fire department admin sees the application, not civil affairs' visit)."""
    visit_ids = [v.id for v in visits]
    part_ids = [p.id for v in visits for p in v.inspections]
    if not visit_ids:
        return set(), set()
    seen_visits = set(db.session.scalars(select(Visit.id).where(
        Visit.id.in_(visit_ids), policy.scope_clause(Visit, user))))
    seen_parts = set(db.session.scalars(select(Inspection.id).where(
        Inspection.id.in_(part_ids), policy.scope_clause(Inspection, user)))) if part_ids else set()
    return seen_visits, seen_parts


def open_visit(application: GradeApplication) -> Visit | None:
    return next((v for v in visits_of(application) if v.status not in (COMPLETED, CANCELLED)), None)


def may_schedule(user, application: GradeApplication, visits: list[Visit]) -> bool:
    """Is the scheduling form offered: the bureau, an accepted application, no open visit."""
    return (policy.can(user, "grading.manage") and application.state == life.ACCEPTED
            and not any(v.status not in (COMPLETED, CANCELLED) for v in visits))


def assessor_choices(user) -> list[tuple[int, str]]:
    """Active inspectors of civil affairs the user may send."""
    policy.require(user, "grading.manage")
    from ..inspections.services.visits import inspector_choices
    return inspector_choices(user).get(ASSESSORS, [])


def schedule_evaluation(user, application_id: int, on: date | None, assessor_ids: list[int],
                        today: date) -> Visit:
    """Schedule the on-site evaluation of an accepted application (one open visit at a time)."""
    policy.require(user, "grading.manage")
    application = policy.get_visible(GradeApplication, application_id, user)
    problems = []
    if not isinstance(on, date):
        problems.append(("on", N_("a date is required")))
    elif on < today:
        problems.append(("on", N_("cannot be in the past")))
    if not assessor_ids:
        problems.append(("assessor_ids", N_("choose at least one assessor")))
    if problems:
        raise Invalid("The evaluation could not be scheduled.", problems=problems)
    if application.state != life.ACCEPTED:
        raise Conflict("This application is %(state)s; it cannot be changed that way now.",
                       state=labels.state(application.state))
    if open_visit(application) is not None:
        raise Conflict("An evaluation visit is already scheduled for this application.")
    from ..inspections.services.visits import create_visit
    checklist = policies.in_force(today).checklist
    try:
        visit = create_visit(user, application.institution_id, on, {ASSESSORS: list(assessor_ids)},
                             purpose="grading", kind="grading", source=source_of(application),
                             checklist_ids={ASSESSORS: checklist},
                             note=f"等级评定现场评定 · 申请 #{application.id}")
    except Invalid as exc:      # the inspections feature's located problems, as (where, message)
        raise Invalid("The evaluation could not be scheduled.",
                      problems=[tuple(p.split(": ", 1)) if ": " in p else ("", p) for p in exc.problems]) from None
    audit.record(user, "schedule_evaluation", "grade_application", application.id,
                 after={"visit_id": visit.id, "on": on.isoformat(), "assessors": list(assessor_ids)})
    return visit
