"""Routine plans: visits that follow from the data, without a draw.

- ``grade_expiry``: every institution in scope whose grade in force expires within
  ``horizon_days`` gets a grading evaluation visit, unless one is already planned or under way.
- ``critical_followup``: every unresolved critical finding of an institution in scope gets an
  on-site re-inspection by its department (``Visit.source`` = ``finding:<id>``), unless one is
  already planned or under way.

The run freezes the list of targets, then (same sweep) schedules them in one step guarded by
the run's state, so a sweep firing twice schedules each target once. Teams are the
least-loaded eligible inspectors of the department (:func:`inspect_app.domain.planning.plans.pick_team`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from ..auth.models import ConflictOfInterest
from ..core import workcalendar
from ..domain.planning.plans import local_date, period_of, pick_team, visit_purpose
from ..domain.planning.sampling import coverage_due, period_position, periods_in_year
from ..inspections import policy as enforcement_policy
from ..domain.rectification.states import UNRESOLVED
from ..extensions import db
from ..grading import policy as grading_policy
from ..grading.evaluations import ASSESSORS as GRADING_DEPARTMENT
from ..grading.records import grades_expiring
from ..inspections.models import (CANCELLED, COMPLETED, IN_PROGRESS, PLANNED, SUBMITTED, Inspection,
                                  InspectionInspector, Visit)
from ..rectification.models import Finding
from ..registry.models import Institution
from ..inspections.services.visits import create_visit
from .lists import credentials_day, inspectable_types, inspectors_for, team_size
from .models import CRITICAL_FOLLOWUP, GRADE_EXPIRY, YEARLY_COVERAGE, Plan, PlanRun

OPEN_VISIT = (PLANNED, IN_PROGRESS)


def _in_scope(plan: Plan, institution_ids: list[int], kind: str | None = None) -> set[int]:
    """The plan's operating targets among ``institution_ids``; with ``kind``, only of the types at
    which each of its departments has a checklist of that kind (the visit could not be made
    elsewhere)."""
    if not institution_ids:
        return set()
    stmt = select(Institution.id).where(Institution.id.in_(institution_ids),
                                        Institution.status == "operating")
    if plan.districts:
        stmt = stmt.where(Institution.district.in_(plan.districts))
    if plan.institution_types:
        stmt = stmt.where(Institution.type.in_(plan.institution_types))
    if kind is not None:
        stmt = stmt.where(Institution.type.in_(inspectable_types(sorted(plan.departments), kind)))
    return set(db.session.scalars(stmt))


def _has_open_grading_visit(institution_ids: list[int]) -> set[int]:
    if not institution_ids:
        return set()
    return set(db.session.scalars(select(Visit.institution_id).where(
        Visit.institution_id.in_(institution_ids), Visit.kind == "grading",
        Visit.status.in_(OPEN_VISIT))))


def _followed_up(finding_ids: list[int]) -> set[int]:
    if not finding_ids:
        return set()
    sources = [f"finding:{i}" for i in finding_ids]
    found = db.session.scalars(select(Visit.source).where(Visit.source.in_(sources),
                                                          Visit.status.in_(OPEN_VISIT)))
    return {int(s.split(":", 1)[1]) for s in found}


def freeze_targets(plan: Plan, now: datetime, today: date) -> dict:
    """The routine run's targets, fixed when the run starts."""
    targets: list[dict] = []
    if plan.rule == GRADE_EXPIRY:
        records = grades_expiring(plan.horizon_days, today)
        ids = _in_scope(plan, [r.institution_id for r in records], "grading")
        busy = _has_open_grading_visit(list(ids))
        seen: set[int] = set()
        for record in records:
            i = record.institution_id
            if i in ids and i not in busy and i not in seen:
                seen.add(i)
                targets.append({"institution_id": i, "departments": sorted(plan.departments),
                                "expires_on": record.expires_on.isoformat(), "level": record.level,
                                "scheme": record.scheme})
    elif plan.rule == CRITICAL_FOLLOWUP:
        findings = list(db.session.execute(
            select(Finding.id, Finding.institution_id, Finding.department)
            .where(Finding.severity == "critical", Finding.state.in_(UNRESOLVED))
            .order_by(Finding.id)))
        ids = _in_scope(plan, sorted({f.institution_id for f in findings}))
        done = _followed_up([f.id for f in findings])
        targets = [{"institution_id": f.institution_id, "departments": [f.department],
                    "finding_id": f.id} for f in findings if f.institution_id in ids and f.id not in done]
    elif plan.rule == YEARLY_COVERAGE:
        year, k = period_position(plan.period, period_of(plan.period, today).first_day)
        ids = sorted(_in_scope(plan, list(db.session.scalars(select(Institution.id))), "inspection"))
        covered = checked_this_year(ids, year, sorted(plan.departments))
        remaining = [i for i in ids if i not in covered]
        count = coverage_due(len(remaining), k, periods_in_year(plan.period, year))
        targets = [{"institution_id": i, "departments": sorted(plan.departments),
                    "due_by": date(year, 12, 31).isoformat()} for i in remaining[:count]]
    return {"rule": plan.rule, "targets": targets}


def checked_this_year(institution_ids: list[int], year: int, departments: list[str]) -> set[int]:
    """Institutions with an on-site visit of every one of ``departments`` in ``year`` that is
    done, under way or planned (not cancelled): 66号令's yearly check, counted as booked."""
    if not institution_ids or not departments:
        return set()
    rows = db.session.execute(
        select(Visit.institution_id, Inspection.department)
        .join(Inspection, Inspection.visit_id == Visit.id)
        .where(Visit.institution_id.in_(institution_ids), Visit.kind == "inspection",
               Visit.status != CANCELLED, Inspection.department.in_(departments),
               Visit.scheduled_for >= date(year, 1, 1), Visit.scheduled_for <= date(year, 12, 31)))
    seen: dict[int, set[str]] = {}
    for iid, dept in rows:
        seen.setdefault(iid, set()).add(dept)
    return {i for i, depts in seen.items() if set(departments) <= depts}


def _next_working_day(day: date) -> date:
    return workcalendar.noted(workcalendar.calendar().first_on_or_after(day), "routine visit day").day


def _loads(user_ids: list[int]) -> dict[int, int]:
    if not user_ids:
        return {}
    rows = db.session.execute(
        select(InspectionInspector.user_id, func.count())
        .join(Inspection, Inspection.id == InspectionInspector.inspection_id)
        .where(InspectionInspector.user_id.in_(user_ids), Inspection.status != SUBMITTED)
        .group_by(InspectionInspector.user_id))
    return {uid: int(n) for uid, n in rows}


@dataclass(frozen=True)
class Scheduling:
    """What a frozen routine run schedules: each target with its teams, on or after ``day``."""
    plan: Plan
    day: date
    planned: list[tuple[dict, dict[str, list[int]]]]
    skipped: list[str]


def plan_visits(run: PlanRun, now: datetime) -> Scheduling:
    """The visits of a frozen run: one per target still without one, with the least-loaded
    eligible teams (the run is claimed, frozen → drawn, by :mod:`.runs` before they are made)."""
    plan = db.session.get(Plan, run.plan_id)
    targets = list((run.frozen or {}).get("targets", []))
    if plan.rule == CRITICAL_FOLLOWUP:
        done = _followed_up([t["finding_id"] for t in targets])
        targets = [t for t in targets if t["finding_id"] not in done]
    else:
        busy = _has_open_grading_visit([t["institution_id"] for t in targets])
        targets = [t for t in targets if t["institution_id"] not in busy]
    departments = sorted({d for t in targets for d in t["departments"]})
    day = _next_working_day(local_date(now) + timedelta(days=plan.visit_within_days))
    people = inspectors_for(departments, credentials_day(visit_purpose(plan.kind, plan.rule), day)) if departments else []
    loads = _loads([u.id for u in people])
    conflicts: dict[int, set[int]] = {}
    if people:
        for uid, iid in db.session.execute(select(ConflictOfInterest.user_id, ConflictOfInterest.institution_id)
                                           .where(ConflictOfInterest.user_id.in_([u.id for u in people]))):
            conflicts.setdefault(iid, set()).add(uid)
    size = team_size(plan)
    # an enforcement visit goes with at least its minimum per department, or not at all
    rules = enforcement_policy.current()
    needed = rules.min_inspectors_per_department if rules.binds(visit_purpose(plan.kind, plan.rule)) else 1
    planned: list[tuple[dict, dict[str, list[int]]]] = []
    skipped: list[str] = []
    for target in targets:
        teams: dict[str, list[int]] = {}
        for dept in target["departments"]:
            staff = [(u.id, loads.get(u.id, 0)) for u in people if u.department == dept]
            team = pick_team(staff, conflicts.get(target["institution_id"], set()), size)
            if len(team) >= needed:
                teams[dept] = team
        if len(teams) == len(target["departments"]):
            planned.append((target, teams))
            for team in teams.values():
                for uid in team:
                    loads[uid] = loads.get(uid, 0) + 1
        else:
            skipped.append(f"institution #{target['institution_id']}: fewer than {needed} eligible inspectors"
                           f" of {', '.join(d for d in target['departments'] if d not in teams)}")
    return Scheduling(plan, day, planned, skipped)


def create_visits(run: PlanRun, scheduling: Scheduling) -> None:
    """One visit per planned target of a run just claimed (frozen → drawn)."""
    plan, day = scheduling.plan, scheduling.day
    kind, purpose = ("grading", "grading") if plan.rule == GRADE_EXPIRY else ("inspection", visit_purpose(plan.kind, plan.rule))
    for target, teams in scheduling.planned:
        if plan.rule == CRITICAL_FOLLOWUP:
            source, due_by = f"finding:{target['finding_id']}", day
        elif plan.rule == YEARLY_COVERAGE:
            source, due_by = f"plan-run:{run.id}", max(day, date.fromisoformat(target["due_by"]))
        else:
            source = f"plan-run:{run.id}"
            due_by = max(day, date.fromisoformat(target["expires_on"]))
        checklist_ids = None
        if plan.rule == GRADE_EXPIRY:
            # the expiring grade's own rating: a star grade is evaluated with the star checklist, a
            # centre's A-level with the rating checklist (a run frozen before schemes: the stars)
            checklist = grading_policy.in_force(day, target.get("scheme")).checklist
            checklist_ids = {d: checklist for d in teams if d == GRADING_DEPARTMENT}
        create_visit(None, target["institution_id"], day, teams, purpose=purpose, kind=kind,
                     source=source, due_by=due_by, checklist_ids=checklist_ids)


def coverage_progress(year: int, types: tuple[str, ...] = ("nursing_home",),
                      department: str = "civil_affairs") -> dict[str, int]:
    """66号令's yearly on-site check, for the bureau's planning page: operating institutions of
    ``types``, how many had a ``department`` on-site visit completed in ``year``, and how many
    more have one booked (planned or under way)."""
    ids = list(db.session.scalars(select(Institution.id).where(Institution.status == "operating",
                                                               Institution.type.in_(types))))
    if not ids:
        return {"total": 0, "done": 0, "booked": 0}
    rows = db.session.execute(
        select(Visit.institution_id, Visit.status)
        .join(Inspection, Inspection.visit_id == Visit.id)
        .where(Visit.institution_id.in_(ids), Visit.kind == "inspection", Inspection.department == department,
               Visit.status.in_((COMPLETED, PLANNED, IN_PROGRESS)),
               Visit.scheduled_for >= date(year, 1, 1), Visit.scheduled_for <= date(year, 12, 31)))
    done, booked = set(), set()
    for iid, status in rows:
        (done if status == COMPLETED else booked).add(iid)
    return {"total": len(ids), "done": len(done), "booked": len(booked - done)}
