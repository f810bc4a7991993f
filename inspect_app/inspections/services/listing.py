"""The visits list (search, filters, sorting, paging) and its Excel export, on
:mod:`inspect_app.core.listing`. The planning calendar reads the same filters
(:data:`CALENDAR_FILTERS`, :func:`filtered`), so a department, district or inspector means the
same thing on both pages.

Everything starts from ``policy.visible(Visit, user)``: the bureau every visit, a department
admin the visits with a part of their department, an inspector those where they are on a team,
institution staff their own institution's completed visits.
"""
from __future__ import annotations

from datetime import date

from flask_babel import LazyString, force_locale, lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, selectinload

from ...auth import policy
from ...auth.models import User
from ...auth.roles import DEPARTMENTS, Role
from ...core import audit, labels as core_labels
from ...core.listing import (DATE, TEXT, Filter, ListQuery, ListSpec, Listing, like_pattern, ordered,
                             page_of, parse_offered, refuse_problems)
from ...core.spreadsheet import DATE as XDATE, DATETIME, NUMBER, Column, write_table
from ...extensions import db
from ...registry import services as registry
from ...registry.models import Institution
from ..models import (CANCELLED, COMPLETED, IN_PROGRESS, PLANNED, PURPOSES, Inspection,
                      InspectionInspector, Visit)
from ..forms import PURPOSE_LABELS
from ...core.labels import KINDS as KIND_LABELS

STATUSES = (PLANNED, IN_PROGRESS, COMPLETED, CANCELLED)
STATUS_LABELS = {PLANNED: _l("Planned"), IN_PROGRESS: _l("In progress"), COMPLETED: _l("Completed"),
                 CANCELLED: _l("Cancelled")}
KINDS = ("inspection", "grading")
CALENDAR_FILTERS = (Filter("department"), Filter("district"), Filter("inspector"))

VISITS = ListSpec(
    name="visits",
    filters=(Filter("q", TEXT), *CALENDAR_FILTERS, Filter("status"), Filter("purpose"), Filter("kind"),
             Filter("date_from", DATE), Filter("date_to", DATE)),
    sorts={"date": (Visit.scheduled_for,), "institution": (Institution.name,), "status": (Visit.status,),
           "id": (Visit.id,)},
    default_sort="-date", tiebreak=Visit.id)


# ----------------------------------------------------------------------------- choices

def _departments(user) -> list[str]:
    if user.role == Role.DEPARTMENT_ADMIN.value:
        return [user.department]
    return list(DEPARTMENTS)


def district_choices(user) -> list[tuple[str, str]]:
    return [(d, d) for d in registry.districts(user)]


def inspector_choices(user) -> list[tuple[str, str]]:
    """Inspectors the viewer may pick: the people they may see (an inspector: themselves)."""
    rows = db.session.execute(select(User.id, User.name, User.department).where(
        User.role == Role.INSPECTOR.value, policy.scope_clause(User, user))
        .order_by(User.department, User.name, User.id))
    if user.role != Role.BUREAU_ADMIN.value:
        return [(str(r.id), r.name) for r in rows]
    return [(str(r.id), LazyString(_with_department, r.name, r.department)) for r in rows]


def _with_department(name: str, department: str) -> str:
    return f"{name}（{core_labels.DEPARTMENTS.get(department, department)}）"


def calendar_choices(user) -> dict[str, list[tuple[str, object]]]:
    return {"department": [(d, core_labels.DEPARTMENTS[d]) for d in _departments(user)],
            "district": district_choices(user), "inspector": inspector_choices(user)}


def visit_choices(user) -> dict[str, list[tuple[str, object]]]:
    return {**calendar_choices(user),
            "status": [(s, STATUS_LABELS[s]) for s in STATUSES],
            "purpose": [(p, PURPOSE_LABELS[p]) for p in PURPOSES],
            "kind": [(k, core_labels.KINDS[k]) for k in KINDS]}


def visit_query(user, args) -> tuple[ListQuery, dict]:
    policy.require(user, "inspections.record")
    return parse_offered(VISITS, args, visit_choices(user))


# ----------------------------------------------------------------------------- the list

def filtered(stmt, query: ListQuery):
    """Apply the calendar's and the list's filters to a SELECT of visits joined to their
    institution (``Institution`` must be in the FROM)."""
    if query.get("q"):
        pattern = like_pattern(query["q"])
        stmt = stmt.where(Institution.name.ilike(pattern, escape="\\")
                          | Institution.credit_code.ilike(pattern, escape="\\"))
    if query.get("department"):
        stmt = stmt.where(Visit.id.in_(select(Inspection.visit_id)
                                       .where(Inspection.department == query["department"])))
    if query.get("district"):
        stmt = stmt.where(Institution.district == query["district"])
    if query.get("inspector"):
        stmt = stmt.where(Visit.id.in_(select(Inspection.visit_id).join(InspectionInspector)
                                       .where(InspectionInspector.user_id == int(query["inspector"]))))
    for name, column in (("status", Visit.status), ("purpose", Visit.purpose), ("kind", Visit.kind)):
        if query.get(name):
            stmt = stmt.where(column == query[name])
    if query.get("date_from"):
        stmt = stmt.where(Visit.scheduled_for >= query["date_from"])
    if query.get("date_to"):
        stmt = stmt.where(Visit.scheduled_for <= query["date_to"])
    return stmt


def visits_select(user, query: ListQuery):
    stmt = (policy.visible(Visit, user).join(Institution, Institution.id == Visit.institution_id)
            .options(contains_eager(Visit.institution)))
    return filtered(stmt, query)


def _with_teams(stmt):
    return stmt.options(selectinload(Visit.inspections).selectinload(Inspection.team)
                        .selectinload(InspectionInspector.user))


def search_visits(user, query: ListQuery, choices: dict) -> Listing:
    policy.require(user, "inspections.record")
    return Listing(page_of(_with_teams(visits_select(user, query)), query), query, choices)


VISIT_COLUMNS = (
    ("编号", 8, NUMBER), ("日期", 12, XDATE), ("截止日期", 12, XDATE), ("机构", 30, None),
    ("区县", 12, None), ("街道", 14, None), ("类型", 10, None), ("目的", 12, None), ("状态", 10, None),
    ("部门", 24, None), ("检查人员", 36, None), ("完成时间", 17, DATETIME),
)


def team_text(visit: Visit) -> str:
    """"部门：组长（组长）、成员" per part, for the export (Chinese: it is filed)."""
    parts = []
    for part in visit.inspections:
        names = "、".join(m.user.name + ("（组长）" if m.lead else "") for m in part.team)
        parts.append(f"{core_labels.DEPARTMENTS.get(part.department, part.department)}：{names}")
    return "；".join(parts)


def export_visits(user, query: ListQuery) -> bytes:
    """Exactly the rows of the list (every page, same order) as a formatted .xlsx in Chinese."""
    policy.require(user, "inspections.record")
    refuse_problems(query)
    stmt = _with_teams(ordered(visits_select(user, query), query))
    with force_locale("zh"):
        rows = [[v.id, v.scheduled_for, v.due_by, v.institution.name, v.institution.district, v.institution.street,
                 str(KIND_LABELS.get(v.kind, v.kind)), str(PURPOSE_LABELS.get(v.purpose, v.purpose)),
                 str(STATUS_LABELS.get(v.status, v.status)),
                 "、".join(str(core_labels.DEPARTMENTS.get(p.department, p.department)) for p in v.inspections),
                 team_text(v), v.completed_at] for v in db.session.scalars(stmt)]
    data = write_table("检查任务", [Column(h, w, k or "text") for h, w, k in VISIT_COLUMNS], rows)
    audit.record(user, "export", "visit", "*", after={"filters": query.export_args(), "rows": len(rows)})
    return data


def month_visits(user, query: ListQuery, first: date, last: date) -> list[Visit]:
    """The visits of [first, last] the calendar shows (not called off), with the filters."""
    policy.require(user, "calendar.view")
    stmt = (visits_select(user, query).where(Visit.scheduled_for >= first, Visit.scheduled_for <= last,
                                               Visit.status != CANCELLED)
            .order_by(Visit.scheduled_for, Institution.name, Visit.id))
    return list(db.session.scalars(_with_teams(stmt)))


__all__ = ["VISITS", "CALENDAR_FILTERS", "visit_query", "search_visits", "export_visits", "filtered",
           "calendar_choices", "month_visits"]
