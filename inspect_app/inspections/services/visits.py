"""Visits (检查任务 / 联合检查): creating them and listing them per role.

:func:`create_visit` is the one way a visit comes to exist — ad-hoc visits from the page,
and (later features) planned draws, rectification re-inspections and grading evaluations.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from ...auth import policy
from ...auth.models import ConflictOfInterest, User
from ...auth.roles import DEPARTMENTS, Role
from ...checklists import scope as checklist_scope
from ...checklists.services import store_version
from ...core import audit
from ...core.errors import Conflict, Forbidden, Invalid, NotFound
from ...core.types import utcnow
from ...domain.checklist.model import Checklist
from ...domain.institution import INSTITUTION_TYPES
from ...domain.translatable import N_
from ...domain.enforcement import (CREDENTIALS_TOO_FEW, TEAM_TOO_SMALL, Credential, short_teams,
                                   uncredentialed)
from ...extensions import db
from ...registry.models import Institution
from .. import policy as enforcement_policy
from ..models import (CANCELLED, COMPLETED, IN_PROGRESS, PLANNED, PURPOSES, SUBMITTED, Inspection,
                      InspectionInspector, Visit)
from . import state
from .common import tr as _

KINDS = ("inspection", "grading")
AD_HOC_PURPOSES = ("complaint", "follow_up", "routine")


def checklists_for(department: str, kind: str, institution_type: str | None = None) -> list[Checklist]:
    """The catalogue's checklists of a department and kind used at facilities of
    ``institution_type`` (policies/checklist-scope.yaml; any type when None): those the scope
    names for the type first, then by id. A department with several uses the one a caller
    names, else the first of these."""
    return checklist_scope.checklists_for(department, kind, institution_type)


def _choose_checklist(department: str, kind: str, wanted: str | None, problems: list[str],
                      institution_type: str | None = None) -> Checklist | None:
    candidates = checklists_for(department, kind, institution_type)
    if wanted:
        chosen = next((cl for cl in candidates if cl.id == wanted), None)
        if chosen is None:
            problems.append(f"checklists.{department}: " + _("%(id)s is not a %(kind)s checklist of this department",
                                                             id=wanted, kind=kind))
        return chosen
    if not candidates:
        if institution_type is not None and checklists_for(department, kind):
            problems.append(f"departments.{department}: " + _(
                "this department has no %(kind)s checklist for this type of facility (%(type)s)",
                kind=kind, type=INSTITUTION_TYPES.get(institution_type, institution_type)))
        else:
            problems.append(f"departments.{department}: " + _("this department has no %(kind)s checklist", kind=kind))
        return None
    return candidates[0]


def _check_team(department: str, user_ids: list[int], institution_id: int, people: dict[int, User],
                conflicts: set[int], problems: list[str]) -> None:
    where = f"inspectors.{department}"
    if not user_ids:
        problems.append(f"{where}: " + _("choose at least one inspector"))
    for uid in user_ids:
        person = people.get(uid)
        if person is None or person.role != Role.INSPECTOR.value or person.department != department \
                or not person.is_active_account:
            problems.append(f"{where}: " + _("#%(id)s is not an active inspector of this department", id=uid))
        elif uid in conflicts:
            problems.append(f"{where}: " + _("%(name)s has declared a conflict of interest with this institution "
                                             "and cannot be sent there", name=person.name))


def _check_credentials(rules, purpose: str, day: date, departments: dict[str, list[int]],
                       people: dict[int, User], problems: list[str]) -> None:
    """An enforcement visit's teams hold enough enforcement certificates valid on its day
    (policies/enforcement.yaml ``require_credentials``; docs/regulations.md, "Enforcement
    credentials")."""
    teams = {d: [Credential(people[u].name, people[u].credential_number, people[u].credential_expires_on)
                 for u in ids if u in people] for d, ids in departments.items()}
    for dept, names in uncredentialed(rules, purpose, teams, day).items():
        problems.append(f"inspectors.{dept}: " + _(CREDENTIALS_TOO_FEW, n=rules.min_inspectors_per_department,
                                                   day=day.isoformat(), names="、".join(names) or "—"))


def create_visit(actor, institution_id: int, scheduled_for: date, departments: dict[str, list[int]],
                 purpose: str, kind: str = "inspection", source: str | None = None,
                 due_by: date | None = None, *, checklist_ids: dict[str, str] | None = None,
                 note: str | None = None, leads: dict[str, int | None] | None = None) -> Visit:
    """A visit to one institution with one part per department, each filled with that
    department's current checklist of ``kind`` (``checklist_ids`` picks one when a department
    has several; otherwise the first by id) by the department's inspectors.

    ``actor`` None is the system (planning, rectification, grading call this from jobs);
    a department admin may create visits of their own department only; the bureau any.
    Grading visits use the grading checklist (department civil_affairs). The first inspector
    named for a department leads its team unless ``leads`` names another of its inspectors.
    Raises Invalid with every located problem."""
    if actor is not None:
        policy.require(actor, "inspections.manage")
    problems: list[str] = []
    if kind not in KINDS:
        problems.append("kind: " + _("unknown kind %(kind)s", kind=kind))
    if purpose not in PURPOSES:
        problems.append("purpose: " + _("unknown purpose %(purpose)s", purpose=purpose))
    if not isinstance(scheduled_for, date):
        problems.append("scheduled_for: " + _("a date is required"))
    elif due_by is not None and due_by < scheduled_for:
        problems.append("due_by: " + _("cannot be before the visit date"))
    institution = db.session.get(Institution, institution_id) if isinstance(institution_id, int) else None
    if institution is None or (actor is not None and not db.session.scalar(
            select(func.count()).select_from(Institution)
            .where(Institution.id == institution.id, policy.scope_clause(Institution, actor)))):
        problems.append("institution_id: " + _("choose an institution"))
    departments = {d: list(dict.fromkeys(int(u) for u in ids)) for d, ids in (departments or {}).items()}
    if not departments:
        problems.append("departments: " + _("choose at least one department"))
    for dept in departments:
        if dept not in DEPARTMENTS:
            problems.append(f"departments.{dept}: " + _("unknown department"))
        elif actor is not None and actor.role == Role.DEPARTMENT_ADMIN.value and dept != actor.department:
            problems.append(f"departments.{dept}: " + _("a department admin creates visits of their own department only"))
    chosen: dict[str, Checklist] = {}
    for dept in departments:
        if dept in DEPARTMENTS:
            cl = _choose_checklist(dept, kind, (checklist_ids or {}).get(dept), problems,
                                   institution.type if institution is not None else None)
            if cl is not None:
                chosen[dept] = cl
    all_ids = {uid for ids in departments.values() for uid in ids}
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(all_ids)))} if all_ids else {}
    conflicts = set(db.session.scalars(select(ConflictOfInterest.user_id).where(
        ConflictOfInterest.user_id.in_(all_ids),
        ConflictOfInterest.institution_id == (institution.id if institution else -1)))) if all_ids else set()
    for dept, ids in departments.items():
        _check_team(dept, ids, institution_id, people, conflicts, problems)
    rules = enforcement_policy.current()
    short = short_teams(rules, purpose, departments)
    for dept in short:
        if departments[dept] and dept in DEPARTMENTS:
            problems.append(f"inspectors.{dept}: " + _(TEAM_TOO_SMALL, n=rules.min_inspectors_per_department))
    if isinstance(scheduled_for, date):
        _check_credentials(rules, purpose, scheduled_for, {d: ids for d, ids in departments.items()
                                                           if d in DEPARTMENTS and d not in short}, people, problems)
    leads = {d: lead for d, lead in (leads or {}).items() if lead is not None and d in departments}
    for dept, lead in leads.items():
        if lead not in departments[dept]:
            problems.append(f"leaders.{dept}: " + _("the leader must be one of the inspectors chosen"))
    if problems:
        raise Invalid("The visit could not be created.", problems=problems)

    now = utcnow()
    visit = Visit(institution_id=institution.id, kind=kind, purpose=purpose, scheduled_for=scheduled_for,
                  due_by=due_by, status=PLANNED, note=(note or "").strip()[:2000] or None, source=source,
                  created_by_id=getattr(actor, "id", None), created_at=now)
    db.session.add(visit)
    for dept in sorted(departments):
        version = store_version(chosen[dept], actor)
        part = Inspection(department=dept, checklist_version_id=version.id, status="assigned")
        lead = leads.get(dept, departments[dept][0] if departments[dept] else None)
        part.team = [InspectionInspector(user_id=uid, lead=(uid == lead)) for uid in departments[dept]]
        visit.inspections.append(part)
    db.session.flush()
    audit.record(actor, "create", "visit", visit.id, after={
        **audit.snapshot(visit),
        "parts": {p.department: {"inspection_id": p.id, "checklist": chosen[p.department].id,
                                 "version": chosen[p.department].version,
                                 "inspectors": departments[p.department],
                                 "lead": next((m.user_id for m in p.team if m.lead), None)}
                  for p in visit.inspections}})
    return visit


# ----------------------------------------------------------------------------- choices

def institution_choices(actor) -> list[tuple[int, str]]:
    policy.require(actor, "inspections.manage")
    rows = db.session.execute(select(Institution.id, Institution.name)
                              .where(policy.scope_clause(Institution, actor), Institution.status != "closed")
                              .order_by(Institution.district, Institution.street, Institution.name))
    return [(r.id, r.name) for r in rows]


def inspector_choices(actor) -> dict[str, list[tuple[int, str]]]:
    """Active inspectors per department the actor may staff (a department admin: their own)."""
    policy.require(actor, "inspections.manage")
    depts = [actor.department] if actor.role == Role.DEPARTMENT_ADMIN.value else list(DEPARTMENTS)
    out: dict[str, list[tuple[int, str]]] = {d: [] for d in depts}
    rows = db.session.scalars(select(User).where(
        User.role == Role.INSPECTOR.value, User.department.in_(depts), User.is_active_account.is_(True),
        policy.scope_clause(User, actor)).order_by(User.department, User.name, User.id))
    for u in rows:
        out[u.department].append((u.id, u.name))
    return out


# ----------------------------------------------------------------------------- listings

GROUPS = ("overdue", "today", "this_week", "later", "done")


def bucket(scheduled_for: date, due_by: date | None, finished: bool, today: date) -> str:
    """Which list of "my inspections" a piece of work belongs to on ``today``: overdue when its
    deadline (due date, else the visit date) has passed; today; later this week (to Sunday);
    later; done once finished."""
    if finished:
        return "done"
    if (due_by or scheduled_for) < today:
        return "overdue"
    if scheduled_for <= today:
        return "today"
    if scheduled_for <= today + timedelta(days=6 - today.weekday()):
        return "this_week"
    return "later"


@dataclass
class Work:
    """One line of "my inspections": a department part (inspectors) or a whole visit."""
    visit: Visit
    inspection: Inspection | None = None
    parts: list = field(default_factory=list)


DONE_SHOWN = 30      # how many finished lines the page lists
OPEN_SHOWN = 200     # a cap per open group on a very busy bureau


def my_work(user, today: date) -> dict[str, list[Work]]:
    """Inspectors: their department parts; department admins and the bureau: the visits they
    see (their department's / all). Grouped by :func:`bucket`."""
    policy.require(user, "inspections.view")
    groups: dict[str, list[Work]] = {g: [] for g in GROUPS}
    if user.role == Role.INSPECTOR.value:
        base = (select(Inspection).join(Visit).where(policy.scope_clause(Inspection, user),
                                                     Visit.status != CANCELLED)
                .options(selectinload(Inspection.checklist_version),
                         selectinload(Inspection.visit).selectinload(Visit.institution),
                         selectinload(Inspection.visit).selectinload(Visit.inspections)))
        open_rows = db.session.scalars(base.where(Inspection.status != SUBMITTED)
                                       .order_by(Visit.scheduled_for, Visit.id).limit(OPEN_SHOWN * 3))
        done_rows = db.session.scalars(base.where(Inspection.status == SUBMITTED)
                                       .order_by(Inspection.submitted_at.desc()).limit(DONE_SHOWN))
        for part in list(open_rows) + list(done_rows):
            v = part.visit
            groups[bucket(v.scheduled_for, v.due_by, part.status == SUBMITTED, today)].append(Work(v, part))
    else:
        base = (select(Visit).where(policy.scope_clause(Visit, user), Visit.status != CANCELLED)
                .options(selectinload(Visit.institution), selectinload(Visit.inspections)))
        open_rows = db.session.scalars(base.where(Visit.status != COMPLETED)
                                       .order_by(Visit.scheduled_for, Visit.id).limit(OPEN_SHOWN * 3))
        done_rows = db.session.scalars(base.where(Visit.status == COMPLETED)
                                       .order_by(Visit.completed_at.desc()).limit(DONE_SHOWN))
        for v in list(open_rows) + list(done_rows):
            groups[bucket(v.scheduled_for, v.due_by, v.status == COMPLETED, today)].append(
                Work(v, None, list(v.inspections)))
    for g in GROUPS:
        groups[g] = groups[g][:OPEN_SHOWN]
    return groups


def visit_detail(user, visit_id: int) -> Visit:
    """A visit with its parts (institution staff: their own institution's, once completed)."""
    policy.require(user, "inspections.record")
    stmt = (policy.visible(Visit, user).where(Visit.id == visit_id)
            .options(joinedload(Visit.institution),
                     selectinload(Visit.inspections).selectinload(Inspection.team)
                     .selectinload(InspectionInspector.user),
                     selectinload(Visit.inspections).joinedload(Inspection.checklist_version)))
    visit = db.session.scalar(stmt)
    if visit is None:
        raise NotFound("The visit was not found.")
    return visit


def on_team(user, inspection: Inspection) -> bool:
    return any(m.user_id == getattr(user, "id", None) for m in inspection.team)


def visible_parts(user, visit: Visit) -> set[int]:
    """Ids of the visit's parts this user may open (a department admin sees only their
    department's parts of a joint visit; staff only submitted ones)."""
    ids = [p.id for p in visit.inspections]
    if not ids:
        return set()
    return set(db.session.scalars(select(Inspection.id).where(
        Inspection.id.in_(ids), policy.scope_clause(Inspection, user))))


__all__ = ["create_visit", "checklists_for", "institution_choices", "inspector_choices", "my_work",
           "visit_detail", "bucket", "GROUPS", "AD_HOC_PURPOSES", "KINDS", "on_team", "visible_parts",
           ]


REASON_MAX = 500


def can_cancel(user, visit: Visit) -> bool:
    """May ``user`` call off this visit? The bureau any; a department admin a visit whose every
    part is their department's; never once a part has been submitted (the record stands)."""
    if visit.status not in (PLANNED, IN_PROGRESS) or any(p.status == SUBMITTED for p in visit.inspections):
        return False
    if not policy.can(user, "inspections.manage"):
        return False
    if user.role == Role.DEPARTMENT_ADMIN.value:
        return all(p.department == user.department for p in visit.inspections)
    return True


def cancel_visit(actor, visit_id: int, reason: str) -> Visit:
    """Call off a visit that has not produced a record. ``actor`` ``None`` is the system (e.g. a
    grading application withdrawn before its evaluation)."""
    reason = (reason or "").strip()
    if actor is not None:
        policy.require(actor, "inspections.manage")
        visit = policy.get_visible(Visit, visit_id, actor)
    else:
        visit = db.session.get(Visit, visit_id)
        if visit is None:
            raise NotFound("The record was not found.")
    problems = []
    if not reason:
        problems.append("reason: " + _("give the reason for calling the visit off"))
    elif len(reason) > REASON_MAX:
        problems.append("reason: " + _("at most %(n)s characters", n=REASON_MAX))
    if problems:
        raise Invalid("The visit was not called off.", problems=problems)
    if actor is not None and not can_cancel(actor, visit):
        raise Forbidden("This visit cannot be called off: a part was submitted, or another department takes part.")
    if actor is None and any(p.status == SUBMITTED for p in visit.inspections):
        raise Invalid("The visit was not called off.", problems=[("visit", N_("a part was already submitted"))])
    if not state.apply(actor, visit, "cancel", values={}, after={"status": CANCELLED, "reason": reason}):
        raise Conflict("Someone else changed this visit meanwhile; reload and try again.")
    return visit
