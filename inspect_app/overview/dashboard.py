"""The dashboard of each role (驾驶舱): counts that lead to their lists, and charts with their
data tables.

Counts are the lengths of the lists they link to: each is counted with the list's own query
(``rectification.lists.findings_select``, ``inspections.services.listing.visits_select``, the
grade records' states), read from the same arguments the link carries, so a count and its
list cannot disagree. Everything starts from ``policy.visible``: a department admin counts
their department's items, an inspector their own, institution staff their institution's.

The filters (district, institution type, department, a period) are the lists' filters; the
counts' links carry the district and the department on to the lists.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, select

from ..auth import policy
from ..auth.policy import can
from ..auth.roles import DEPARTMENTS, Role
from ..core import labels as core_labels
from ..core.listing import DATE, Filter, ListQuery, ListSpec, codes, parse, parse_offered
from ..domain.institution import INSTITUTION_TYPES
from ..domain.grading import lifecycle as life
from ..domain.grading import schemes
from ..domain.publication import AGEING_BANDS
from ..domain.rectification.on_time import rate
from ..domain.rectification.states import UNRESOLVED, WITHDRAWN
from ..extensions import db
from ..grading.models import GradeApplication, GradeRecord
from ..grading.current import current_clause
from ..inspections.models import COMPLETED, PLANNED, Visit
from ..inspections.services import listing as visit_lists
from ..planning.models import DRAWN, PUBLISHED, PlanRun
from ..rectification import credit, findings as finding_rules, lists as finding_lists
from ..rectification.on_time import counts_late, counts_on_time, overdue_at
from ..rectification.models import Finding
from ..registry import services as registry
from ..registry.models import Institution

EXPIRY_DAYS = 90          # "grades expiring within 90 days"
MONTHS = 12               # the month chart's default period

FILTERS = ListSpec(
    name="dashboard",
    filters=(Filter("district"), Filter("type"), Filter("department"),
             Filter("date_from", DATE), Filter("date_to", DATE)),
    sorts={"district": (Institution.district,)}, default_sort="district")


def choices(user) -> dict[str, list[tuple[str, object]]]:
    departments = [user.department] if user.role == Role.DEPARTMENT_ADMIN.value else list(DEPARTMENTS)
    return {
        "district": [(d, d) for d in registry.districts(user)],
        "type": [(t, core_labels.INSTITUTION_TYPES.get(t, t)) for t in INSTITUTION_TYPES],
        "department": [(d, core_labels.DEPARTMENTS[d]) for d in departments],
    }


def read_filters(user, args) -> tuple[ListQuery, dict]:
    offered = choices(user)
    return parse_offered(FILTERS, args, offered)


# ----------------------------------------------------------------------------- counts

@dataclass
class Count:
    key: str
    label: object
    value: int
    url: str
    alert: bool = False        # an overdue count above zero is shown as a warning


@dataclass
class Group:
    key: str
    title: object
    counts: list[Count] = field(default_factory=list)


def _number(stmt) -> int:
    return db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0


def _carry(q: ListQuery, *names: str) -> dict:
    return {n: q[n] for n in names if q.get(n)}


def week_end(today: date) -> date:
    """The Sunday of ``today``'s week (Monday–Sunday)."""
    return today + timedelta(days=6 - today.weekday())


def counts(user, q: ListQuery, today: date, now: datetime) -> list[Group]:
    groups: list[Group] = []
    carry = _carry(q, "district", "department")
    finding_codes: dict | None = None

    def _finding_count(user, args: dict, now: datetime) -> int:
        """The total of the findings list for ``args`` (its choices read once per dashboard)."""
        nonlocal finding_codes
        if finding_codes is None:
            finding_codes = codes(finding_lists.finding_choices(user))
        query = parse(finding_lists.FINDINGS, args, finding_codes)
        return _number(finding_lists.findings_select(user, query, now))

    def _visit_count(user, args: dict) -> int:
        query, _ = visit_lists.visit_query(user, args)
        return _number(visit_lists.visits_select(user, query))
    if can(user, "inspections.view"):
        visits = Group("visits", _l("Visits"))
        for key, label, args, alert in (
                ("visits_today", _l("Today's visits"),
                 {"date_from": today.isoformat(), "date_to": today.isoformat()}, False),
                ("visits_overdue", _l("Visits past their day, not started"),
                 {"date_to": (today - timedelta(days=1)).isoformat(), "status": PLANNED}, True)):
            args = {**carry, **args}
            value = _visit_count(user, args)
            visits.counts.append(Count(key, label, value, url_for("inspections.visits", **args), alert and value > 0))
        groups.append(visits)
    if can(user, "rectification.view"):
        findings = Group("findings", _l("Findings"))
        base = {**carry}
        for key, label, args, alert in (
                ("findings_open", _l("Unresolved findings"), {}, False),
                ("findings_due_week", _l("Findings due this week"),
                 {"deadline_from": today.isoformat(), "deadline_to": week_end(today).isoformat()}, False)):
            args = {**base, **args}
            value = _finding_count(user, args, now)
            findings.counts.append(Count(key, label, value, url_for("rectification.index", **args), alert))
        rungs = [(finding_lists.NO_RUNG, _l("Overdue, not yet escalated"))] + [
            (r, _l("Overdue, escalated: %(rung)s", rung=finding_lists.labels.rung(r)))
            for r in finding_lists.escalation_rungs()]
        for rung, label in rungs:
            args = {**base, "overdue": "1", "rung": rung}
            value = _finding_count(user, args, now)
            findings.counts.append(Count(f"overdue_{rung}", label, value,
                                         url_for("rectification.index", **args), value > 0))
        groups.append(findings)
    mine = Group("decisions", _l("Waiting for me"))
    if can(user, "rectification.verify") and user.role != Role.INSTITUTION_STAFF.value:
        args = {**carry, "state": "responded"}
        mine.counts.append(Count("to_verify", _l("Answers to verify"), _finding_count(user, args, now),
                                 url_for("rectification.index", **args)))
    if can(user, "rectification.view") and finding_rules.decides_requests(user):
        args = {**carry, "awaiting": "1"}
        mine.counts.append(Count("to_decide", _l("Extensions and replies to decide"),
                                 _finding_count(user, args, now), url_for("rectification.index", **args)))
    if can(user, "rectification.blacklist"):
        pending = credit.search(user, credit.CreditFilter(pending=True), per_page=1)
        mine.counts.append(Count("blacklist", _l("Blacklist proposals to decide"), pending.total,
                                 url_for("rectification.credit_records", pending="1")))
    if can(user, "grading.manage"):
        mine.counts.append(Count(
            "applications", _l("Grading applications to accept"),
            _number(policy.visible(GradeApplication, user).where(GradeApplication.state == life.SUBMITTED)),
            url_for("grading.applications_list", state=life.SUBMITTED)))
        mine.counts.append(Count(
            "to_confirm", _l("Grades whose public notice has ended, to confirm"),
            _number(policy.visible(GradeRecord, user).where(GradeRecord.state == life.PUBLICITY_ENDED)),
            url_for("grading.records_list", state=life.PUBLICITY_ENDED)))
    if mine.counts:
        groups.append(mine)
    if can(user, "grading.view"):
        grades = Group("grades", _l("Grades"))
        grades.counts.append(Count(
            "in_publicity", _l("Grades in public notice"),
            _number(policy.visible(GradeRecord, user).where(GradeRecord.state == life.PUBLICISED)),
            url_for("grading.records_list", state=life.PUBLICISED)))
        expiring = (policy.visible(GradeRecord, user).where(
            current_clause(today), GradeRecord.expires_on <= today + timedelta(days=EXPIRY_DAYS)))
        grades.counts.append(Count("expiring", _l("Grades expiring within 90 days"), _number(expiring),
                                   url_for("overview.expiring")))
        groups.append(grades)
    return groups


def expiring_grades(user, today: date) -> list[GradeRecord]:
    """The list behind the "expiring within 90 days" count."""
    from sqlalchemy.orm import selectinload
    return list(db.session.scalars(policy.visible(GradeRecord, user).where(
        current_clause(today), GradeRecord.expires_on <= today + timedelta(days=EXPIRY_DAYS))
        .options(selectinload(GradeRecord.institution)).order_by(GradeRecord.expires_on, GradeRecord.id)))


@dataclass
class RunProgress:
    run: PlanRun
    planned: int
    done: int


def plan_progress(user, today: date) -> list[RunProgress]:
    """Draws whose period includes today: visits drawn against visits completed."""
    if not can(user, "planning.view"):
        return []
    runs = list(db.session.scalars(policy.visible(PlanRun, user).where(
        PlanRun.state.in_((DRAWN, PUBLISHED)), PlanRun.period_start <= today, PlanRun.period_end >= today)
        .order_by(PlanRun.period_end, PlanRun.id)))
    if not runs:
        return []
    sources = {r.source_key: r for r in runs}
    rows = db.session.execute(
        select(Visit.source, func.count(), func.sum(case((Visit.status == COMPLETED, 1), else_=0)))
        .where(Visit.source.in_(list(sources))).group_by(Visit.source)).all()
    found = {source: (planned, int(done or 0)) for source, planned, done in rows}
    return [RunProgress(r, *found.get(r.source_key, (0, 0))) for r in runs]


# ----------------------------------------------------------------------------- charts

@dataclass
class Chart:
    key: str
    title: object
    kind: str                      # "bar" | "stacked" | "percent"
    categories: list[str]          # the x axis (shown as data when they are names)
    series: list[tuple[str, list]]  # (name, one value per category)
    header: list[object]           # the data table's first row (its first cell names the axis)
    rows: list[list]               # the data table: a category, then one value per series
    note: object = ""

    def as_json(self) -> dict:
        return {"key": self.key, "kind": self.kind, "categories": self.categories,
                "series": [{"name": str(name), "data": [None if v is None else float(v) for v in values]}
                           for name, values in self.series]}


def _institution_filters(stmt, q: ListQuery):
    if q.get("district"):
        stmt = stmt.where(Institution.district == q["district"])
    if q.get("type"):
        stmt = stmt.where(Institution.type == q["type"])
    return stmt


def _finding_filters(stmt, q: ListQuery, tz, dated: bool = True):
    stmt = _institution_filters(stmt, q).where(Finding.state != WITHDRAWN)
    if q.get("department"):
        stmt = stmt.where(Finding.department == q["department"])
    if dated and q.get("date_from"):
        stmt = stmt.where(Finding.created_at >= _start_of(q["date_from"], tz))
    if dated and q.get("date_to"):
        stmt = stmt.where(Finding.created_at < _start_of(q["date_to"] + timedelta(days=1), tz))
    return stmt


def _start_of(day: date, tz) -> datetime:
    from datetime import time, timezone
    return datetime.combine(day, time(0), tz).astimezone(timezone.utc)


def grades_by(user, q: ListQuery, today: date, column, title, key, labeller=str) -> Chart:
    """Current grades counted by ``column`` (district or type) and level: the star levels first,
    then the community-centre A-levels, each its own series (two scales, never added up)."""
    stmt = (select(column, GradeRecord.scheme, GradeRecord.level, func.count())
            .select_from(GradeRecord).join(Institution, Institution.id == GradeRecord.institution_id)
            .where(policy.scope_clause(GradeRecord, user), current_clause(today)))
    rows = db.session.execute(_institution_filters(stmt, q).group_by(
        column, GradeRecord.scheme, GradeRecord.level)).all()
    cats = sorted({r[0] for r in rows})
    levels = sorted({(r[1], r[2]) for r in rows if r[2] is not None},
                    key=lambda k: (k[0] != schemes.STAR, k[1]))
    table = {(c, (sc, lv)): n for c, sc, lv, n in rows}

    def name(k):
        return schemes.a_label(k[1]) if k[0] == schemes.A_LEVEL else _l("%(n)s stars", n=k[1])
    series = [(name(k), [table.get((c, k), 0) for c in cats]) for k in levels]
    names = [labeller(c) for c in cats]
    return Chart(key, title, "stacked", names, series,
                 [_l("District") if key == "grades_district" else _l("Institution type"), *[s for s, _ in series]],
                 [[n, *[table.get((c, k), 0) for k in levels]] for n, c in zip(names, cats)])


def _month(column, tz_name: str):
    """The local month of an instant as 'YYYY-MM' in SQL (PostgreSQL or SQLite)."""
    if db.engine.dialect.name == "postgresql":
        return func.to_char(func.timezone(tz_name, column), "YYYY-MM")
    from datetime import datetime as _dt
    from zoneinfo import ZoneInfo
    offset = ZoneInfo(tz_name).utcoffset(_dt(2000, 1, 1))
    hours = int(offset.total_seconds() // 3600)
    return func.strftime("%Y-%m", column, f"{hours:+d} hours")


def findings_by_month(user, q: ListQuery, today: date, tz, tz_name: str) -> Chart:
    """Findings issued per local month and department (the category of a finding is the
    department whose checklist found it), over the filter's period or the last 12 months."""
    first = q.get("date_from") or date(today.year - (1 if today.month < MONTHS else 0),
                                       (today.month % MONTHS) + 1, 1)
    last = q.get("date_to") or today
    month = _month(Finding.created_at, tz_name)
    stmt = (select(month, Finding.department, func.count()).select_from(Finding)
            .join(Institution, Institution.id == Finding.institution_id)
            .where(policy.scope_clause(Finding, user),
                   Finding.created_at >= _start_of(first, tz),
                   Finding.created_at < _start_of(last + timedelta(days=1), tz)))
    rows = db.session.execute(_finding_filters(stmt, q, tz, dated=False).group_by(month, Finding.department)).all()
    months = _months(first, last)
    departments = [d for d in DEPARTMENTS if any(r[1] == d for r in rows)]
    table = {(m, d): n for m, d, n in rows}
    series = [(core_labels.DEPARTMENTS[d], [table.get((m, d), 0) for m in months]) for d in departments]
    return Chart("findings_month", _l("Findings per month by department"), "stacked", months, series,
                 [_l("Month"), *[s for s, _ in series]],
                 [[m, *[table.get((m, d), 0) for d in departments]] for m in months])


def _months(first: date, last: date) -> list[str]:
    out, y, m = [], first.year, first.month
    while (y, m) <= (last.year, last.month) and len(out) < 120:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def ageing(user, q: ListQuery, now: datetime, tz) -> Chart:
    """Unresolved findings by days since issued, overdue or not yet due."""
    bands = []
    for code, first, last in AGEING_BANDS:
        newest = now - timedelta(days=first)
        cond = Finding.created_at <= newest
        if last is not None:
            cond = and_(cond, Finding.created_at > now - timedelta(days=last + 1))
        bands.append((code, cond))
    late = overdue_at(now)
    columns = []
    for code, cond in bands:
        columns.append(func.sum(case((and_(cond, late), 1), else_=0)))
        columns.append(func.sum(case((and_(cond, ~late), 1), else_=0)))
    stmt = (select(*columns).select_from(Finding).join(Institution, Institution.id == Finding.institution_id)
            .where(policy.scope_clause(Finding, user), Finding.state.in_(UNRESOLVED)))
    row = db.session.execute(_finding_filters(stmt, q, tz, dated=False)).one()
    values = [int(v or 0) for v in row]
    names = [_l("%(band)s days", band=code) for code, _, _ in AGEING_BANDS]
    late, waiting = values[0::2], values[1::2]
    return Chart("ageing", _l("Rectification ageing: unresolved findings by days since issued"), "stacked",
                 [str(n) for n in names], [(_l("Overdue"), late), (_l("Not overdue"), waiting)],
                 [_l("Days since issued"), _l("Overdue"), _l("Not overdue")],
                 [[n, a, b] for n, a, b in zip(names, late, waiting)])


def on_time_by_department(user, q: ListQuery, now: datetime, tz) -> Chart:
    stmt = (select(Finding.department, func.sum(counts_on_time(now)), func.sum(counts_late(now)))
            .select_from(Finding)
            .join(Institution, Institution.id == Finding.institution_id)
            .where(policy.scope_clause(Finding, user)))
    rows = db.session.execute(_finding_filters(stmt, q, tz).group_by(Finding.department)).all()
    found = {d: (int(a or 0), int(b or 0)) for d, a, b in rows}
    departments = [d for d in DEPARTMENTS if d in found]
    rates = [rate(*found[d]) for d in departments]
    percent = [None if r is None else round(float(r) * 100, 1) for r in rates]
    names = [str(core_labels.DEPARTMENTS[d]) for d in departments]
    return Chart("on_time", _l("On-time rectification rate by department"), "percent", names,
                 [(_l("On-time rate (%)"), percent)],
                 [_l("Department"), _l("On time"), _l("Late"), _l("On-time rate")],
                 [[n, found[d][0], found[d][1], r] for n, d, r in zip(names, departments, rates)],
                 note=_l("On time: closed on or before the deadline in force. Late: closed after it, "
                         "or still open past it. Findings still open and not yet due, and contested "
                         "findings while the reply is decided, are not counted."))


def charts(user, q: ListQuery, today: date, now: datetime, tz, tz_name: str) -> list[Chart]:
    out: list[Chart] = []
    if can(user, "grading.view") and user.role != Role.INSTITUTION_STAFF.value:
        out.append(grades_by(user, q, today, Institution.district, _l("Current grades by district"),
                             "grades_district"))
        out.append(grades_by(user, q, today, Institution.type, _l("Current grades by institution type"),
                             "grades_type", lambda t: str(core_labels.INSTITUTION_TYPES.get(t, t))))
    if can(user, "rectification.view"):
        if user.role != Role.INSTITUTION_STAFF.value:
            out.append(findings_by_month(user, q, today, tz, tz_name))
        out.append(ageing(user, q, now, tz))
        if user.role in (Role.BUREAU_ADMIN.value, Role.DEPARTMENT_ADMIN.value):
            out.append(on_time_by_department(user, q, now, tz))
    return out
