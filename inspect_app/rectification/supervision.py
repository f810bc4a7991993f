"""Dynamic supervision (动态管理) and the finding figures other features read.

Rule (policies/supervision.yaml ``dynamic_supervision``): an unresolved veto finding (open,
answered, contested or reopened — anything not closed or withdrawn), or an overdue finding
of a listed severity (critical by default: past its deadline while the institution still
has to act), from any department, suspends the institution's displayed grade until that
finding is closed. Grading shows the grade as suspended, with these reasons.

Both functions are read-only, take ``now`` and answer for many institutions in one query.
"""
from __future__ import annotations

from datetime import datetime

from .translate import t as _
from sqlalchemy import and_, case, func, or_, select

from ..core.labels import DEPARTMENTS
from ..domain.rectification.states import UNRESOLVED
from ..extensions import db
from . import policy as policies
from .models import Finding
from .on_time import overdue_at


def _suspending_clause(now: datetime):
    rule = policies.current()
    clauses = []
    if rule.suspend_on_open_veto:
        clauses.append(Finding.veto.is_(True) & Finding.state.in_(UNRESOLVED))
    if rule.suspend_on_overdue_severities:
        clauses.append(Finding.severity.in_(rule.suspend_on_overdue_severities)
                       & overdue_at(now))
    return or_(*clauses) if clauses else None


def suspension_reasons(institution_ids: list[int], now: datetime) -> dict[int, list[str]]:
    """Per institution (only those suspended), the translated reasons naming each finding."""
    if not institution_ids:
        return {}
    clause = _suspending_clause(now)
    if clause is None:
        return {}
    rows = db.session.execute(
        select(Finding.id, Finding.institution_id, Finding.item_id, Finding.department,
               Finding.veto, Finding.severity, Finding.deadline_at, Finding.state)
        .where(Finding.institution_id.in_(institution_ids), clause)
        .order_by(Finding.institution_id, Finding.id)
    ).all()
    out: dict[int, list[str]] = {}
    for row in rows:
        params = {"id": row.id, "item": row.item_id,
                  "department": DEPARTMENTS.get(row.department, row.department)}
        if row.veto and row.state in UNRESOLVED:
            text = _("Veto finding #%(id)s (%(item)s, %(department)s) is not closed", **params)
        else:
            text = _("Critical finding #%(id)s (%(item)s, %(department)s) is overdue", **params)
        out.setdefault(row.institution_id, []).append(text)
    return out


def major_hazards(institution_ids: list[int]) -> dict[int, list[str]]:
    """Per institution (only those with one), the unresolved major accident hazards: findings on
    a veto item (重大事故隐患, docs/regulations.md, "Major accident hazards"), translated. An
    overdue critical finding on an item that is not a veto is not a major hazard."""
    if not institution_ids:
        return {}
    rows = db.session.execute(
        select(Finding.id, Finding.institution_id, Finding.item_id, Finding.department)
        .where(Finding.institution_id.in_(institution_ids), Finding.veto.is_(True),
               Finding.state.in_(UNRESOLVED))
        .order_by(Finding.institution_id, Finding.id)).all()
    out: dict[int, list[str]] = {}
    for row in rows:
        out.setdefault(row.institution_id, []).append(_(
            "Veto finding #%(id)s (%(item)s, %(department)s) is not closed", id=row.id, item=row.item_id,
            department=DEPARTMENTS.get(row.department, row.department)))
    return out


def finding_counts(institution_ids: list[int], now: datetime, since: datetime) -> dict[int, dict]:
    """Per institution: ``open`` (unresolved), ``overdue``, ``veto_since`` (veto findings
    created at or after ``since``) and ``critical_open``. Institutions without findings get
    zeros."""
    out = {i: {"open": 0, "overdue": 0, "veto_since": 0, "critical_open": 0} for i in institution_ids}
    if not institution_ids:
        return out
    unresolved = Finding.state.in_(UNRESOLVED)
    one = lambda cond: func.sum(case((cond, 1), else_=0))  # noqa: E731
    rows = db.session.execute(
        select(Finding.institution_id,
               one(unresolved).label("open"),
               one(overdue_at(now)).label("overdue"),
               one(and_(Finding.veto.is_(True), Finding.created_at >= since)).label("veto_since"),
               one(and_(unresolved, Finding.severity == "critical")).label("critical_open"))
        .where(Finding.institution_id.in_(institution_ids))
        .group_by(Finding.institution_id)
    ).all()
    for row in rows:
        out[row.institution_id] = {"open": int(row.open or 0), "overdue": int(row.overdue or 0),
                                   "veto_since": int(row.veto_since or 0),
                                   "critical_open": int(row.critical_open or 0)}
    return out
