"""On-site evaluations (现场评定) of accepted applications with the tablet form.

The bureau picks a date and assessors (inspectors of civil affairs); the visit is created by
the inspections feature (kind ``grading``, ``Visit.source`` = ``application:<id>``), filled
with the grading checklist of the policy in force, and its submission is turned into a grade
record by the ``grading.record_evaluation`` job (:func:`.records.record_evaluation`)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..auth import policy
from ..core import audit
from ..core.errors import Conflict, Invalid
from ..domain.grading import lifecycle as life
from ..extensions import db
from ..inspections.models import CANCELLED, COMPLETED, SUBMITTED, Inspection, InspectionInspector, Visit
from . import labels
from . import policy as policies
from .models import GradeApplication, GradeRecord
from ..domain.translatable import N_
from ..registry.models import Institution
from ..inspections.services.visits import create_visit, inspector_choices

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


@dataclass(frozen=True)
class Openable:
    """What of an application's page this viewer may open: the institution, evaluation
    visits, their inspection records (检查记录) and grade records, by id."""
    institution: bool
    visits: frozenset
    inspections: frozenset
    records: frozenset


def openable(user, application: GradeApplication, visits: list[Visit]) -> Openable:
    """Ask the policy, not the role: a visit opens when the viewer may read visit pages and
    the visit is theirs to see (``Visit.visible_to``: the bureau, civil affairs, the team; for
    staff, their own completed visit); a record likewise. So every link a page shows answers
    200 for its viewer — another department's admin sees the evaluation without links to it."""

    def ids(model, wanted, permission):
        if not wanted or not policy.can(user, permission):
            return frozenset()
        return frozenset(db.session.scalars(select(model.id).where(model.id.in_(wanted),
                                                                   policy.scope_clause(model, user))))
    institution = bool(ids(Institution, [application.institution_id], "registry.view"))
    return Openable(
        institution=institution,
        visits=ids(Visit, [v.id for v in visits], "inspections.record"),
        inspections=ids(Inspection, [p.id for v in visits for p in v.inspections if p.status == SUBMITTED],
                        "inspections.record"),
        records=ids(GradeRecord, [r.id for r in application.records], "grading.view"))


def open_visit(application: GradeApplication) -> Visit | None:
    return next((v for v in visits_of(application) if v.status not in (COMPLETED, CANCELLED)), None)


def may_schedule(user, application: GradeApplication, visits: list[Visit]) -> bool:
    """Is the scheduling form offered: the bureau, an accepted application, no open visit."""
    return (policy.can(user, "grading.manage") and application.state == life.ACCEPTED
            and not any(v.status not in (COMPLETED, CANCELLED) for v in visits))


def assessor_choices(user) -> list[tuple[int, str]]:
    """Active inspectors of civil affairs the user may send."""
    policy.require(user, "grading.manage")
    return inspector_choices(user).get(ASSESSORS, [])


def schedule_evaluation(user, application_id: int, on: date | None, assessor_ids: list[int],
                        today: date, lead: int | None = None) -> Visit:
    """Schedule the on-site evaluation of an accepted application (one open visit at a time);
    ``lead`` names the assessor who leads (one of ``assessor_ids``; default the first)."""
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
    checklist = policies.in_force(today, application.scheme).checklist
    try:
        visit = create_visit(user, application.institution_id, on, {ASSESSORS: list(assessor_ids)},
                             purpose="grading", kind="grading", source=source_of(application),
                             checklist_ids={ASSESSORS: checklist}, leads={ASSESSORS: lead},
                             note=f"等级评定现场评定 · 申请 #{application.id}")
    except Invalid as exc:      # the inspections feature's located problems, as (where, message)
        raise Invalid("The evaluation could not be scheduled.",
                      problems=[tuple(p.split(": ", 1)) if ": " in p else ("", p) for p in exc.problems]) from None
    audit.record(user, "schedule_evaluation", "grade_application", application.id,
                 after={"visit_id": visit.id, "on": on.isoformat(), "assessors": list(assessor_ids),
                        "lead": next((m.user_id for p in visit.inspections for m in p.team if m.lead), None)})
    return visit
